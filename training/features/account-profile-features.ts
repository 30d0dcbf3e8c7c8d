// Account: age at its last event (or the model's reference time), and 2FA.
import { EVENT_TABLES, EVENT_TIME_COLUMN, type AccountEvents } from '../../data/tables.js';

const DAY_MS = 86_400_000;

/** The account's latest event time, or its creation time when it has none. */
export function lastEventTime(account: AccountEvents): number {
  let last = account.created_at;
  for (const table of EVENT_TABLES) {
    const column = EVENT_TIME_COLUMN[table];
    for (const event of account[table] as unknown as Record<string, number>[]) last = Math.max(last, event[column] as number);
  }
  return last;
}

export function computeAccountProfileFeatures(account: AccountEvents, referenceTime: number): Record<string, number> {
  const end = Math.max(referenceTime, lastEventTime(account));
  return { account_age_days: Math.max(0, (end - account.created_at) / DAY_MS), has_2fa: account.has_2fa ? 1 : 0 };
}
