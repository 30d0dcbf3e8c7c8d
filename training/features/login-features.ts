// Login spread: countries, country changes, hour-of-day entropy, implied travel speed, IPs, devices.
import type { AccountEvents } from '../../data/tables.js';
import { countryDistanceKm, UNKNOWN_COUNTRY_DISTANCE_KM } from './country-centroids.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Date's range: a time value further from the epoch is an invalid Date */
const MAX_TIME_MS = 8.64e15;
export const MAX_TRAVEL_KMH = 20_000;
// Below this gap the speed estimate is dominated by clock noise; treat it as this long.
const MIN_GAP_HOURS = 1 / 60;

/**
 * new Date(ts).getUTCHours() without making a Date, NaN where that is NaN: Date truncates the time to whole
 * milliseconds (toward zero) and counts hours from midnight UTC. In Date's range whole milliseconds, whole days of
 * them and their products are exact doubles, so the time of day is exact once a quotient rounded up to the next
 * day is taken back (cheaper than the remainder operator, a library call), and so is its hour
 * (test/training/features/account-summary-definition.test.ts).
 */
export function utcHourOf(ts: number): number {
  const ms = Math.trunc(ts);
  if (!(Math.abs(ms) <= MAX_TIME_MS)) return NaN;
  let ofDay = ms - Math.floor(ms / DAY_MS) * DAY_MS;
  if (ofDay < 0) ofDay += DAY_MS;
  return Math.floor(ofDay / HOUR_MS) + 0; // + 0: never -0, which a Date's hour is not
}

/** Logins per UTC hour of the day, reused by every call (features are computed synchronously). */
const hourCounts = new Float64Array(24);

export function computeLoginFeatures(account: AccountEvents): Record<string, number> {
  const logins = account.logins;
  if (logins.length === 0) {
    return {
      login_count: 0,
      login_distinct_countries: 0,
      login_country_changes: 0,
      login_hour_entropy: 0,
      login_max_travel_kmh: 0,
      login_distinct_ips: 0,
      login_distinct_devices: 0,
      login_foreign_share: 0,
    };
  }
  const countries = new Set<string>();
  const ips = new Set<string>();
  const devices = new Set<string>();
  const hours = hourCounts.fill(0);
  let changes = 0;
  let foreign = 0;
  let maxSpeed = 0;
  // consecutive logins mostly repeat their IP and device: a value equal to the previous login's is in its set already
  let previous: (typeof logins)[number] | undefined;
  for (let i = 0; i < logins.length; i++) {
    const login = logins[i] as (typeof logins)[number];
    if (previous === undefined || login.country !== previous.country) countries.add(login.country);
    if (previous === undefined || login.ip !== previous.ip) ips.add(login.ip);
    if (previous === undefined || login.device_id !== previous.device_id) devices.add(login.device_id);
    const hour = utcHourOf(login.ts);
    // an invalid Date's hour (NaN) was counted nowhere
    if (hour === hour) hours[hour] = (hours[hour] as number) + 1;
    if (login.country !== account.country) foreign++;
    if (previous !== undefined && previous.country !== login.country) {
      changes++;
      const km = countryDistanceKm(previous.country, login.country) ?? UNKNOWN_COUNTRY_DISTANCE_KM;
      const hoursApart = Math.max(MIN_GAP_HOURS, Math.abs(login.ts - previous.ts) / HOUR_MS);
      maxSpeed = Math.max(maxSpeed, Math.min(MAX_TRAVEL_KMH, km / hoursApart));
    }
    previous = login;
  }
  let entropy = 0;
  for (const count of hours) {
    if (count === 0) continue;
    const p = count / logins.length;
    entropy -= p * Math.log2(p);
  }
  return {
    login_count: logins.length,
    login_distinct_countries: countries.size,
    login_country_changes: changes,
    login_hour_entropy: entropy,
    login_max_travel_kmh: maxSpeed,
    login_distinct_ips: ips.size,
    login_distinct_devices: devices.size,
    login_foreign_share: foreign / logins.length,
  };
}
