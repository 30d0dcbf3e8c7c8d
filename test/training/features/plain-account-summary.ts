// The plain definitions of an account's own feature values and identity, as they were written before issue 21's
// speed-ups (comparator sorts, Sets, one Date per login, createHmac per identifier): the reference the faster code
// must equal bit for bit (account-summary-definition.test.ts). Only the pieces the speed-ups left alone are imported.
import { createHmac } from 'node:crypto';
import { inCanonicalOrder } from '../../../data/event-order.js';
import { type AccountEvents, EVENT_TABLES, EVENT_TIME_COLUMN } from '../../../data/tables.js';
import { countryDistanceKm, UNKNOWN_COUNTRY_DISTANCE_KM } from '../../../training/features/country-centroids.js';
import { FEATURES } from '../../../training/features/feature-registry.js';
import { computeSkillsTestFeatures } from '../../../training/features/skills-test-features.js';
import { areNearDuplicatesAt, SIGNATURE_SIZE, textSignature, textSignatures } from '../../../training/features/text-signature.js';
import type { AccountIdentity } from '../../../training/identity/identity-index.js';
import { integerSetSignature, type MemberProfile } from '../../../training/identity/member-profile.js';
import type { IdentifierKind } from '../../../training/scoring/risk-assessment.js';
import { quantileOfSorted } from '../../../training/statistics.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function plainLoginFeatures(account: AccountEvents): Record<string, number> {
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
    const hoursApart = Math.max(1 / 60, Math.abs(login.ts - previous.ts) / HOUR_MS);
    maxSpeed = Math.max(maxSpeed, Math.min(20_000, km / hoursApart));
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

const MAX_LOG_BID_RATIO = Math.log(1e6);

function logBidRatio(bid: number, budget: number): number {
  const ratio = bid / budget;
  return Math.min(MAX_LOG_BID_RATIO, Number.isFinite(ratio) ? Math.log(Math.max(1e-3, ratio)) : Math.log(bid) - Math.log(budget));
}

export function plainNearDuplicateShare(texts: readonly string[]): number {
  if (texts.length < 2) return 0;
  const step = texts.length > 120 ? texts.length / 120 : 1;
  const chosen: string[] = [];
  for (let i = 0; i < texts.length && chosen.length < 120; i += step) chosen.push(texts[Math.floor(i)] as string);
  const signatures = textSignatures(chosen);
  const hasTwin = new Uint8Array(chosen.length);
  for (let i = 0; i < chosen.length; i++) {
    for (let j = i + 1; j < chosen.length; j++) {
      if (hasTwin[i] && hasTwin[j]) continue;
      if (areNearDuplicatesAt(signatures, SIGNATURE_SIZE * i, signatures, SIGNATURE_SIZE * j)) {
        hasTwin[i] = 1;
        hasTwin[j] = 1;
      }
    }
  }
  return hasTwin.reduce((a, b) => a + b, 0) / chosen.length;
}

function plainProposalFeatures(account: AccountEvents): Record<string, number> {
  const proposals = account.proposals;
  const n = proposals.length;
  if (n === 0) {
    return {
      proposal_count: 0,
      proposal_max_per_hour: 0,
      proposals_per_active_day: 0,
      proposals_per_active_hour: 0,
      proposal_median_response_s: 4,
      proposal_fast_share: 0,
      proposal_duplicate_share: 0,
      bid_ratio_median: 1,
      bid_ratio_spread: 0,
    };
  }
  const times = proposals.map((p) => p.ts).sort((a, b) => a - b);
  let maxInHour = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= HOUR_MS) start++;
    maxInHour = Math.max(maxInHour, end - start + 1);
  }
  const days = new Set(times.map((t) => Math.floor(t / DAY_MS)));
  const hours = new Set(times.map((t) => Math.floor(t / HOUR_MS)));
  const responses = proposals.map((p) => Math.max(1, (p.ts - p.job_posted_at) / 1000)).sort((a, b) => a - b);
  const fast = responses.filter((s) => s <= 120).length;
  const logRatios = proposals.map((p) => logBidRatio(p.bid_amount, p.job_budget)).sort((a, b) => a - b);
  return {
    proposal_count: n,
    proposal_max_per_hour: maxInHour,
    proposals_per_active_day: n / days.size,
    proposals_per_active_hour: n / hours.size,
    proposal_median_response_s: Math.log10(quantileOfSorted(responses, 0.5)),
    proposal_fast_share: fast / n,
    proposal_duplicate_share: plainNearDuplicateShare(proposals.map((p) => p.text)),
    bid_ratio_median: Math.exp(quantileOfSorted(logRatios, 0.5)),
    bid_ratio_spread: quantileOfSorted(logRatios, 0.75) - quantileOfSorted(logRatios, 0.25),
  };
}

function plainPayoutFeatures(account: AccountEvents): Record<string, number> {
  const banks = new Set(account.payouts.map((p) => p.bank_hash));
  const newAccessTimes: number[] = [];
  const seenDevices = new Set<string>();
  const seenCountries = new Set<string>([account.country]);
  account.logins.forEach((login, i) => {
    const isNew = !seenDevices.has(login.device_id) && !seenCountries.has(login.country);
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
    if (newAccessTimes.some((t) => payout.added_at >= t && payout.added_at - t <= 72 * HOUR_MS)) changesAfterNewAccess++;
  });
  return { payout_bank_count: banks.size, payout_change_after_new_access: changesAfterNewAccess };
}

export function plainLastEventTime(account: AccountEvents): number {
  let last = account.created_at;
  for (const table of EVENT_TABLES) {
    const column = EVENT_TIME_COLUMN[table];
    for (const event of account[table] as unknown as Record<string, number>[]) last = Math.max(last, event[column] as number);
  }
  return last;
}

const FEATURE_POSITION = new Map(FEATURES.map((feature, i) => [feature.name, i]));
const NEUTRAL_VALUES = Float64Array.from(FEATURES, (feature) => feature.neutral);

function setFeatureValues(values: Float64Array, byName: Record<string, number>): void {
  for (const name in byName) {
    const i = FEATURE_POSITION.get(name);
    if (i === undefined) continue;
    const value = byName[name] as number;
    values[i] = Number.isFinite(value) ? value : (NEUTRAL_VALUES[i] as number);
  }
}

/** summariseAccountEvents's own values by the plain definitions, in registry order. */
export function plainOwnValues(events: AccountEvents): Float64Array {
  const account = inCanonicalOrder(events);
  const ownValues = NEUTRAL_VALUES.slice();
  setFeatureValues(ownValues, plainLoginFeatures(account));
  setFeatureValues(ownValues, plainProposalFeatures(account));
  setFeatureValues(ownValues, computeSkillsTestFeatures(account));
  setFeatureValues(ownValues, { has_2fa: account.has_2fa ? 1 : 0 });
  setFeatureValues(ownValues, plainPayoutFeatures(account));
  return ownValues;
}

export function plainHashIdentifier(hashKey: string, kind: IdentifierKind, value: string): string {
  return createHmac('sha256', hashKey).update(`${kind}:${value}`).digest('hex').slice(0, 24);
}

function plainAccountIdentifiers(account: AccountEvents, hashKey: string): Record<IdentifierKind, string[]> {
  const banks = new Set(account.payouts.map((p) => p.bank_hash));
  const devices = new Set(account.logins.map((l) => l.device_id));
  const ips = new Set(account.logins.map((l) => l.ip));
  return {
    bank: [...banks].map((v) => plainHashIdentifier(hashKey, 'bank', v)),
    device: [...devices].map((v) => plainHashIdentifier(hashKey, 'device', v)),
    ip: [...ips].map((v) => plainHashIdentifier(hashKey, 'ip', v)),
  };
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? (values[mid] as number) : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
}

export function plainMemberProfile(account: AccountEvents, typicalProposalText: string | null): MemberProfile {
  const foreign = new Map<string, number>();
  let foreignLogins = 0;
  const devices = new Set<string>();
  const hours = new Set<number>();
  let first = Infinity;
  let last = -Infinity;
  const seen = (ts: number) => {
    hours.add(Math.floor(ts / HOUR_MS));
    if (ts < first) first = ts;
    if (ts > last) last = ts;
  };
  for (const login of account.logins) {
    devices.add(login.device_id);
    seen(login.ts);
    if (login.country === account.country) continue;
    foreignLogins++;
    foreign.set(login.country, (foreign.get(login.country) ?? 0) + 1);
  }
  const ratios: number[] = [];
  for (const proposal of account.proposals) {
    seen(proposal.ts);
    ratios.push(proposal.bid_amount / proposal.job_budget);
  }
  const bankAddedAt = new Map<string, number>();
  for (const payout of account.payouts) bankAddedAt.set(payout.bank_hash, Math.min(payout.added_at, bankAddedAt.get(payout.bank_hash) ?? Infinity));
  const isActive = Number.isFinite(first);
  return {
    created_at: account.created_at,
    country: account.country,
    logins: account.logins.length,
    foreign_login_countries: [...foreign]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 3)
      .map(([country]) => country),
    foreign_login_share: account.logins.length === 0 ? 0 : foreignLogins / account.logins.length,
    devices: devices.size,
    bank_added_at: [...bankAddedAt.values()].slice(0, 8),
    first_active: isActive ? first : null,
    last_active: isActive ? last : null,
    active_hours: hours.size,
    activity_signature: hours.size > 0 ? integerSetSignature(hours) : null,
    proposals: account.proposals.length,
    bid_ratio_median: medianOf(ratios.filter(Number.isFinite)),
    template_signature: typicalProposalText === null ? null : Array.from(textSignature(typicalProposalText)),
  };
}

export function plainAccountIdentity(account: AccountEvents, hashKey: string): AccountIdentity {
  const { proposals } = inCanonicalOrder(account);
  const middle = proposals[Math.floor(proposals.length / 2)];
  const typicalProposalText = middle ? middle.text : null;
  return {
    account_id: account.account_id,
    identifiers: plainAccountIdentifiers(account, hashKey),
    typicalProposalText,
    profile: plainMemberProfile(account, typicalProposalText),
  };
}
