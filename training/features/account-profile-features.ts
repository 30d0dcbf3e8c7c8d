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

/** Age in days at the later of the reference time and the account's last event (both epoch ms). */
export function accountAgeDays(createdAt: number, lastEventAt: number, referenceTime: number): number {
  return Math.max(0, (Math.max(referenceTime, lastEventAt) - createdAt) / DAY_MS);
}

export function computeAccountProfileFeatures(account: AccountEvents): Record<string, number> {
  return { has_2fa: account.has_2fa ? 1 : 0 };
}
