// Login spread: countries, country changes, hour-of-day entropy, implied travel speed, IPs, devices.
import type { AccountEvents } from '../../data/tables.js';
import { countryDistanceKm, UNKNOWN_COUNTRY_DISTANCE_KM } from './country-centroids.js';

const HOUR_MS = 3_600_000;
export const MAX_TRAVEL_KMH = 20_000;
// Below this gap the speed estimate is dominated by clock noise; treat it as this long.
const MIN_GAP_HOURS = 1 / 60;

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
  const hours = new Array<number>(24).fill(0);
  let changes = 0;
  let foreign = 0;
  let maxSpeed = 0;
  for (let i = 0; i < logins.length; i++) {
    const login = logins[i] as (typeof logins)[number];
    countries.add(login.country);
    ips.add(login.ip);
    devices.add(login.device_id);
    const hour = new Date(login.ts).getUTCHours();
    hours[hour] = (hours[hour] ?? 0) + 1;
    if (login.country !== account.country) foreign++;
    if (i === 0) continue;
    const previous = logins[i - 1] as (typeof logins)[number];
    if (previous.country === login.country) continue;
    changes++;
    const km = countryDistanceKm(previous.country, login.country) ?? UNKNOWN_COUNTRY_DISTANCE_KM;
    const hoursApart = Math.max(MIN_GAP_HOURS, Math.abs(login.ts - previous.ts) / HOUR_MS);
    maxSpeed = Math.max(maxSpeed, Math.min(MAX_TRAVEL_KMH, km / hoursApart));
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
