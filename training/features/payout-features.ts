// Payout changes: a new bank hash shortly after a login from a device or country never seen before.
import type { AccountEvents } from '../../data/tables.js';

export const NEW_ACCESS_WINDOW_MS = 72 * 3_600_000;

export function computePayoutFeatures(account: AccountEvents): Record<string, number> {
  const banks = new Set(account.payouts.map((p) => p.bank_hash));
  // first-seen times of devices and countries after the account's very first login
  const newAccessTimes: number[] = [];
  const seenDevices = new Set<string>();
  const seenCountries = new Set<string>([account.country]);
  account.logins.forEach((login, i) => {
    const isNew = !seenDevices.has(login.device_id) || !seenCountries.has(login.country);
    seenDevices.add(login.device_id);
    seenCountries.add(login.country);
    if (isNew && i > 0) newAccessTimes.push(login.ts);
  });
  let changesAfterNewAccess = 0;
  const seenBanks = new Set<string>();
  account.payouts.forEach((payout, i) => {
    const isNewBank = !seenBanks.has(payout.bank_hash);
    seenBanks.add(payout.bank_hash);
    if (i === 0 || !isNewBank) return;
    if (newAccessTimes.some((t) => payout.added_at >= t && payout.added_at - t <= NEW_ACCESS_WINDOW_MS)) changesAfterNewAccess++;
  });
  return { payout_bank_count: banks.size, payout_change_after_new_access: changesAfterNewAccess };
}
