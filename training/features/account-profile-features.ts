// Account: age at its last event (or the model's reference time), and 2FA.
import { type AccountEvents, EVENT_TABLES, EVENT_TIME_COLUMN, type EventTableName } from '../../data/tables.js';

const DAY_MS = 86_400_000;

/**
 * Each event family's latest time from `last` on (Math.max over EVENT_TIME_COLUMN's column), one reader per family: a
 * read by column name shared by all four families was megamorphic, several times slower (issue 21).
 */
const LATEST_TIME: { readonly [T in EventTableName]: (events: AccountEvents[T], last: number) => number } = {
  logins: (events, last) => {
    for (const event of events) last = Math.max(last, event[EVENT_TIME_COLUMN.logins]);
    return last;
  },
  proposals: (events, last) => {
    for (const event of events) last = Math.max(last, event[EVENT_TIME_COLUMN.proposals]);
    return last;
  },
  tests: (events, last) => {
    for (const event of events) last = Math.max(last, event[EVENT_TIME_COLUMN.tests]);
    return last;
  },
  payouts: (events, last) => {
    for (const event of events) last = Math.max(last, event[EVENT_TIME_COLUMN.payouts]);
    return last;
  },
};

/** The account's latest event time, or its creation time when it has none. */
export function lastEventTime(account: AccountEvents): number {
  let last = account.created_at;
  for (const table of EVENT_TABLES)
    last = (LATEST_TIME[table] as (events: AccountEvents[EventTableName], last: number) => number)(account[table], last);
  return last;
}

/** Age in days at the later of the reference time and the account's last event (both epoch ms). */
export function accountAgeDays(createdAt: number, lastEventAt: number, referenceTime: number): number {
  return Math.max(0, (Math.max(referenceTime, lastEventAt) - createdAt) / DAY_MS);
}

export function computeAccountProfileFeatures(account: AccountEvents): Record<string, number> {
  return { has_2fa: account.has_2fa ? 1 : 0 };
}
