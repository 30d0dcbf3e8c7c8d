// What group judgement needs of one account's own events, small enough to keep for every account of a large data set.
//
// Ring evidence compares members with each other (created together, active in the same hours, one template, one bid
// level, one foreign country, banks added together), so each account keeps a fixed-size profile: counts, times and
// two MinHash signatures (its active hours and its typical proposal text), never its events.
import { z } from 'zod';
import type { AccountEvents } from '../../data/tables.js';
import { writeMinHashes } from '../features/min-hashes.js';
import { createIntegerMinHashKernel } from '../features/minhash-kernel.js';
import { sortAscending } from '../features/sort-numbers.js';
import { textSignature } from '../features/text-signature.js';

const HOUR_MS = 3_600_000;
export const ACTIVITY_SIGNATURE_SIZE = 32;
/** at most this many foreign login countries are kept, most used first */
const MAX_FOREIGN_COUNTRIES = 3;
const MAX_BANKS = 8;
// Fixed odd multipliers: signatures must be identical wherever they are computed (training, serving, live stores).
const MULTIPLIERS = Int32Array.from({ length: ACTIVITY_SIGNATURE_SIZE }, (_, i) => Math.imul(0x85ebca6b, 2 * i + 3) | 1);

const Signature = z.array(z.number().int().nonnegative()).length(ACTIVITY_SIGNATURE_SIZE);

export const MemberProfileSchema = z.object({
  created_at: z.number().describe('account creation, epoch ms'),
  country: z.string().describe('declared country'),
  logins: z.number().int().nonnegative(),
  foreign_login_countries: z.array(z.string()).max(MAX_FOREIGN_COUNTRIES).describe('login countries other than the declared one, most used first'),
  foreign_login_share: z.number().min(0).max(1).describe('share of logins from another country than the declared one'),
  devices: z.number().int().nonnegative().describe('distinct devices'),
  bank_added_at: z
    .array(z.number())
    .max(MAX_BANKS)
    .describe("when each distinct bank account was first added (epoch ms), in the order of the identity's bank hashes"),
  first_active: z.number().nullable().describe('first login or proposal, epoch ms'),
  last_active: z.number().nullable(),
  active_hours: z.number().int().nonnegative().describe('distinct clock hours (UTC, since the epoch) with a login or proposal'),
  activity_signature: Signature.nullable().describe('MinHash of the set of active hours: estimates how many hours two members share'),
  proposals: z.number().int().nonnegative(),
  bid_ratio_median: z.number().nullable().describe('median bid / job budget, null without proposals'),
  template_signature: Signature.nullable().describe('MinHash of the typical proposal text (3-word shingles)'),
});
export type MemberProfile = z.infer<typeof MemberProfileSchema>;

/** h ^ (h >>> 16) of (value ^ k) * multiplier k */
const ACTIVITY_HASH = { shift: 16, salted: true } as const;
/**
 * The hashes as WebAssembly SIMD (features/minhash-kernel.ts: eight 4-lane vectors per value, ~4x faster than the
 * JavaScript loop over an account's ~150 hours), or null where the runtime has none: then min-hashes.ts's loop.
 */
const ACTIVITY_KERNEL = createIntegerMinHashKernel(MULTIPLIERS, ACTIVITY_HASH);
/** Reused by every call (profiles are built synchronously): each value of the set at hand after its two mixing rounds. */
let mixedScratch = new Int32Array(256);

/**
 * MinHash signature of a set of non-negative integers: for each k, the minimum over the values v (unsigned 32-bit
 * arithmetic) of m ^ (m >>> 16), m = (mix(v) ^ k) * MULTIPLIERS[k], mix being two multiply-xorshift rounds. Computed on
 * int32 values, each value mixed once, by the hash loop the text signatures use (features/min-hashes.ts): the same
 * numbers as one hash at a time in unsigned arithmetic (test/training/identity/member-profile.test.ts), a third of the cost.
 */
export function integerSetSignature(values: ReadonlySet<number>): number[] {
  const mixed = mixedRoom(values.size);
  let n = 0;
  for (const value of values) mixed[n++] = mix(value);
  return signatureOfMixed(mixed, n);
}

/**
 * integerSetSignature of the set of values[0, count): duplicates change no minimum, so the values need not be
 * distinct (nor 0, -0 and NaN told apart from what a Set takes for the same: mixing reads each as an int32).
 */
function integerListSignature(values: Float64Array, count: number): number[] {
  const mixed = mixedRoom(count);
  for (let i = 0; i < count; i++) mixed[i] = mix(values[i] as number);
  return signatureOfMixed(mixed, count);
}

function mixedRoom(size: number): Int32Array {
  if (mixedScratch.length < size) mixedScratch = new Int32Array(2 * size);
  return mixedScratch;
}

/** the two multiply-xorshift rounds of a value before its 32 hashes */
function mix(value: number): number {
  const h = Math.imul(value ^ (value >>> 16), 0x7feb352d);
  return Math.imul(h ^ (h >>> 15), 0x846ca68b | 0);
}

function signatureOfMixed(mixed: Int32Array, count: number): number[] {
  const signature = new Uint32Array(ACTIVITY_SIGNATURE_SIZE);
  if (ACTIVITY_KERNEL === null) writeMinHashes(mixed, count, MULTIPLIERS, ACTIVITY_HASH, signature, 0);
  else ACTIVITY_KERNEL.writeMinHashes(mixed, count, signature, 0);
  return numbersOf(signature);
}

/** The values as a plain array: Array.from's elements, without its iteration of the typed array (~10x the cost). */
function numbersOf(values: Uint32Array): number[] {
  const numbers: number[] = [];
  for (let i = 0; i < values.length; i++) numbers.push(values[i] as number);
  return numbers;
}

/** Whether values[from, to) is ascending without a NaN. */
function isAscending(values: Float64Array, from: number, to: number): boolean {
  if (from < to && Number.isNaN(values[from])) return false;
  for (let i = from + 1; i < to; i++) if (!((values[i] as number) >= (values[i - 1] as number))) return false;
  return true;
}

/**
 * How many distinct values values[0, count) holds, as a Set counts them (0 and -0 alike, every NaN as one). Merged
 * as two ascending runs [0, split) and [split, count) when they are (a canonical account's login and proposal
 * hours), else sorted first (natively: NaN last).
 */
function distinctCount(values: Float64Array, split: number, count: number): number {
  if (count === 0) return 0;
  let distinct = 0;
  if (isAscending(values, 0, split) && isAscending(values, split, count)) {
    let last = NaN;
    for (let i = 0, j = split; i < split || j < count;) {
      const value = j >= count || (i < split && (values[i] as number) <= (values[j] as number)) ? (values[i++] as number) : (values[j++] as number);
      if (distinct === 0 || value !== last) distinct++;
      last = value;
    }
    return distinct;
  }
  const sorted = values.subarray(0, count).sort();
  distinct = 1;
  for (let i = 1; i < count; i++) {
    const value = sorted[i] as number;
    const previous = sorted[i - 1] as number;
    if (value !== previous && (value === value || previous === previous)) distinct++;
  }
  return distinct;
}

/**
 * The median of the finite values[0, count) (which it sorts), null for none. In ascending order (sort-numbers.ts),
 * the order (a, b) => a - b gave, unless a -0 is among them: that comparator left -0 and 0 in the order they came,
 * which can decide the sign of a zero median, so then it sorts through it as before.
 */
function medianOf(values: Float64Array, count: number): number | null {
  if (count === 0) return null;
  let sorted: ArrayLike<number> = values;
  let hasNegativeZero = false;
  for (let i = 0; i < count; i++) if (Object.is(values[i], -0)) hasNegativeZero = true;
  const mid = count >> 1;
  if (hasNegativeZero) sorted = Array.from(values.subarray(0, count)).sort((a, b) => a - b);
  else if (count <= SELECT_MAX) {
    // the same middle values without ordering the rest (a typical account's ~60 ratios, which a sort would insert one by one)
    const upper = selectNth(values, count, mid);
    if (count % 2) return upper;
    let lower = values[0] as number;
    for (let i = 1; i < mid; i++) if ((values[i] as number) > lower) lower = values[i] as number;
    return (lower + upper) / 2;
  } else sortAscending(values, count);
  return count % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * At most this many values have their median found by selection (worst case quadratic, as the insertion sort
 * sortAscending gives so few values); more are sorted (natively, n log n).
 */
const SELECT_MAX = 64;

/**
 * The n-th smallest of values[0, count) (NaN-free), the value at n in ascending order; reorders them so that those
 * before n are no greater and those after no smaller (Hoare's selection, the middle of three as the pivot).
 */
function selectNth(values: Float64Array, count: number, n: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const a = values[lo] as number;
    const b = values[(lo + hi) >> 1] as number;
    const c = values[hi] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i++] = values[j] as number;
        values[j--] = swap;
      }
    }
    // [lo, j] no greater than the pivot, [i, hi] no smaller, and anything between them equal to it
    if (n <= j) hi = j;
    else if (n >= i) lo = i;
    else return values[n] as number;
  }
  return values[n] as number;
}

const numbersFor = (length: number) => ({ hours: new Float64Array(length), ratios: new Float64Array(length) });
/** Reused by every call (profiles are built synchronously): a typed array of a few hundred bytes costs more to allocate than to fill. */
let numbers = numbersFor(512);

/**
 * The profile of one account: the same whatever the order of its events. `bank_added_at[k]` belongs to the k-th bank
 * hash of its identity (accountIdentifiers lists distinct banks in the order the payouts list them).
 */
export function memberProfile(account: AccountEvents, typicalProposalText: string | null): MemberProfile {
  const { logins, proposals } = account;
  const foreign = new Map<string, number>();
  let foreignLogins = 0;
  const devices = new Set<string>();
  // the clock hour (since the epoch) of every login and proposal: their distinct count and their set's MinHash
  if (numbers.hours.length < logins.length + proposals.length) numbers = numbersFor(2 * (logins.length + proposals.length));
  const { hours, ratios } = numbers;
  const hourCount = logins.length + proposals.length;
  let first = Infinity;
  let last = -Infinity;
  let previousDevice: string | undefined;
  for (let i = 0; i < logins.length; i++) {
    const login = logins[i] as (typeof logins)[number];
    // consecutive logins mostly come from one device, which is in the set already
    if (login.device_id !== previousDevice) {
      devices.add(login.device_id);
      previousDevice = login.device_id;
    }
    const ts = login.ts;
    hours[i] = Math.floor(ts / HOUR_MS);
    if (ts < first) first = ts;
    if (ts > last) last = ts;
    if (login.country === account.country) continue;
    foreignLogins++;
    foreign.set(login.country, (foreign.get(login.country) ?? 0) + 1);
  }
  let finiteRatios = 0;
  for (let i = 0; i < proposals.length; i++) {
    const proposal = proposals[i] as (typeof proposals)[number];
    const ts = proposal.ts;
    hours[logins.length + i] = Math.floor(ts / HOUR_MS);
    if (ts < first) first = ts;
    if (ts > last) last = ts;
    const ratio = proposal.bid_amount / proposal.job_budget;
    if (Number.isFinite(ratio)) ratios[finiteRatios++] = ratio;
  }
  const activeHours = distinctCount(hours, logins.length, hourCount);
  const bankAddedAt = new Map<string, number>();
  // keyed in the order the identity lists its bank hashes (first seen first); the earliest addition of each, in any event order
  for (const payout of account.payouts) bankAddedAt.set(payout.bank_hash, Math.min(payout.added_at, bankAddedAt.get(payout.bank_hash) ?? Infinity));
  const isActive = Number.isFinite(first);
  return {
    created_at: account.created_at,
    country: account.country,
    logins: logins.length,
    foreign_login_countries: [...foreign]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, MAX_FOREIGN_COUNTRIES)
      .map(([country]) => country),
    foreign_login_share: logins.length === 0 ? 0 : foreignLogins / logins.length,
    devices: devices.size,
    bank_added_at: [...bankAddedAt.values()].slice(0, MAX_BANKS),
    first_active: isActive ? first : null,
    last_active: isActive ? last : null,
    active_hours: activeHours,
    activity_signature: activeHours > 0 ? integerListSignature(hours, hourCount) : null,
    proposals: proposals.length,
    bid_ratio_median: medianOf(ratios, finiteRatios),
    template_signature: typicalProposalText === null ? null : numbersOf(textSignature(typicalProposalText)),
  };
}
