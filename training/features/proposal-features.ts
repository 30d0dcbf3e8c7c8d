// Proposal behaviour: bursts, rates, speed after posting, copy-paste texts, bid-to-budget ratios.
import type { AccountEvents } from '../../data/tables.js';
import { quantileOfSorted } from '../statistics.js';
import { sortAscending } from './sort-numbers.js';
import { areNearDuplicatesAt, NEAR_DUPLICATE_SIMILARITY, SIGNATURE_SIZE, textSignatures } from './text-signature.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const FAST_RESPONSE_S = 120;
// Bid / budget is clamped to 0.001-1e6. The quotient of two valid amounts can overflow (1e200 / 1e-200 is Infinity),
// and a non-finite feature becomes its neutral value, so an absurd bid would have looked ordinary.
const MAX_LOG_BID_RATIO = Math.log(1e6);

/** log(bid / budget) within log(0.001)..log(1e6); a finite quotient is taken as before, so trained models do not change. */
function logBidRatio(bid: number, budget: number): number {
  const ratio = bid / budget;
  return Math.min(MAX_LOG_BID_RATIO, Number.isFinite(ratio) ? Math.log(Math.max(1e-3, ratio)) : Math.log(bid) - Math.log(budget));
}
// Comparing every pair is quadratic; past this many texts a fixed, evenly spaced subset is compared.
const MAX_TEXTS_COMPARED = 120;

/**
 * Candidate pairs by banding, exactly (issue 21): two signatures with at least NEAR_DUPLICATE_POSITIONS (16) of the 32
 * positions equal differ in at most 16, and 16 differences cannot touch all of 17 disjoint bands (of one or two
 * positions each), so a near-duplicate pair agrees on all of some band. Texts are grouped by each band's key
 * in turn (a hash table: equal keys always meet, unequal ones rarely), and only texts sharing a key are compared in
 * full, each pair once: an account of 60 distinct texts compares its neighbours and the few pairs that share a key,
 * instead of all 1,770.
 */
const NEAR_DUPLICATE_POSITIONS = Math.ceil(NEAR_DUPLICATE_SIMILARITY * SIGNATURE_SIZE);
/** one more band than the positions a near-duplicate pair may differ in, band b over positions [start(b), start(b + 1)) */
const BANDS = SIGNATURE_SIZE - NEAR_DUPLICATE_POSITIONS + 1;
const bandStart = (band: number) => Math.floor((band * SIGNATURE_SIZE) / BANDS);
const TABLE_SIZE = 256; // at least twice MAX_TEXTS_COMPARED: the table stays at most half full
/**
 * Reused by every call (features are computed synchronously): the hash table (a key's latest text, the key, how many of
 * its texts have no twin yet), each text's next of the same key, and the pairs compared.
 */
const tableText = new Int32Array(TABLE_SIZE);
const tableKey = new Int32Array(TABLE_SIZE);
const tableOpen = new Int32Array(TABLE_SIZE);
const sameKeyNext = new Int32Array(MAX_TEXTS_COMPARED);
const compared = new Uint8Array(MAX_TEXTS_COMPARED * MAX_TEXTS_COMPARED);

/** Share of texts that have a near-duplicate among the others. */
export function nearDuplicateShare(texts: readonly string[]): number {
  if (texts.length < 2) return 0;
  let chosen = texts;
  if (texts.length > MAX_TEXTS_COMPARED) {
    const step = texts.length / MAX_TEXTS_COMPARED;
    const every: string[] = [];
    for (let i = 0; i < texts.length && every.length < MAX_TEXTS_COMPARED; i += step) every.push(texts[Math.floor(i)] as string);
    chosen = every;
  }
  return textsWithTwin(textSignatures(chosen), chosen.length) / chosen.length;
}

/**
 * How many of the `m` signatures (laid out as textSignatures lays them out, m at most MAX_TEXTS_COMPARED) are near
 * duplicates (areNearDuplicatesAt) of at least one other: exported for its test against all pairs compared.
 */
export function textsWithTwin(signatures: Uint32Array, m: number): number {
  if (m > MAX_TEXTS_COMPARED) throw new RangeError(`at most ${MAX_TEXTS_COMPARED} signatures, got ${m}`);
  const hasTwin = new Uint8Array(m);
  let twins = 0;
  // neighbours first: an account's texts from one template all find their twin here, in m - 1 comparisons
  for (let i = 1; i < m; i++) {
    if (!areNearDuplicatesAt(signatures, SIGNATURE_SIZE * (i - 1), signatures, SIGNATURE_SIZE * i)) continue;
    twins += 1 - (hasTwin[i - 1] as number) + 1;
    hasTwin[i - 1] = 1;
    hasTwin[i] = 1;
  }
  compared.fill(0, 0, twins < m ? m * m : 0);
  // once every text has a twin, no pair can change the count
  for (let band = 0; band < BANDS && twins < m; band++) {
    const from = bandStart(band);
    const to = bandStart(band + 1);
    tableText.fill(-1);
    for (let i = 0; i < m && twins < m; i++) {
      let key = 0;
      for (let k = from; k < to; k++) key = Math.imul(key, 0x9e3779b1) ^ (signatures[SIGNATURE_SIZE * i + k] as number);
      let slot = Math.imul(key, 0x85ebca6b) >>> 24; // top 8 bits: TABLE_SIZE slots
      while (tableText[slot] !== -1 && tableKey[slot] !== key) slot = (slot + 1) & (TABLE_SIZE - 1);
      const first = tableText[slot] as number;
      // members of this key without a twin yet: once text i has one and they all do, no pair of them can count
      let open = first === -1 ? 0 : (tableOpen[slot] as number);
      // compare text i with the earlier texts of its key, each pair once over all bands
      for (let j = first; j !== -1 && (!hasTwin[i] || open > 0); j = sameKeyNext[j] as number) {
        if (hasTwin[i] && hasTwin[j]) continue;
        if (compared[j * m + i]) continue;
        compared[j * m + i] = 1;
        if (!areNearDuplicatesAt(signatures, SIGNATURE_SIZE * j, signatures, SIGNATURE_SIZE * i)) continue;
        if (!hasTwin[j]) {
          hasTwin[j] = 1;
          twins++;
          open--;
        }
        if (!hasTwin[i]) {
          hasTwin[i] = 1;
          twins++;
        }
      }
      sameKeyNext[i] = first;
      tableText[slot] = i;
      tableKey[slot] = key;
      tableOpen[slot] = open + (hasTwin[i] ? 0 : 1);
    }
  }
  return twins;
}

const columnsFor = (length: number) => ({
  times: new Float64Array(length),
  responses: new Float64Array(length),
  logRatios: new Float64Array(length),
});
/** Reused by every call (features are computed synchronously): a typed array of a few hundred bytes costs more to allocate than to fill. */
let columns = columnsFor(256);

export function computeProposalFeatures(account: AccountEvents): Record<string, number> {
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
  // One pass over the proposals into three number columns (reused arrays), each then sorted ascending: the order the
  // comparator (a, b) => a - b gave to these finite values (delays and ratio logarithms are never -0, and a time of -0
  // is the same day and hour as 0), cheaper than a map and a comparator sort for each (issue 21;
  // test/training/features/account-summary-definition.test.ts).
  if (columns.times.length < n) columns = columnsFor(2 * n);
  const { times, responses, logRatios } = columns;
  const texts = new Array<string>(n);
  let fast = 0;
  for (let i = 0; i < n; i++) {
    const p = proposals[i] as (typeof proposals)[number];
    times[i] = p.ts;
    const response = Math.max(1, (p.ts - p.job_posted_at) / 1000);
    responses[i] = response;
    if (response <= FAST_RESPONSE_S) fast++;
    logRatios[i] = logBidRatio(p.bid_amount, p.job_budget);
    texts[i] = p.text;
  }
  sortAscending(times, n);
  sortAscending(responses, n);
  sortAscending(logRatios, n);
  const sortedResponses = responses.subarray(0, n);
  const sortedLogRatios = logRatios.subarray(0, n);
  let maxInHour = 0;
  let start = 0;
  // distinct days and clock hours: over sorted times, floor(t / unit) never decreases, so each new one is a change
  let days = 0;
  let hours = 0;
  let day = NaN;
  let hour = NaN;
  for (let end = 0; end < n; end++) {
    const t = times[end] as number;
    while (t - (times[start] as number) >= HOUR_MS) start++;
    maxInHour = Math.max(maxInHour, end - start + 1);
    if (Math.floor(t / DAY_MS) !== day) {
      day = Math.floor(t / DAY_MS);
      days++;
    }
    if (Math.floor(t / HOUR_MS) !== hour) {
      hour = Math.floor(t / HOUR_MS);
      hours++;
    }
  }
  return {
    proposal_count: n,
    proposal_max_per_hour: maxInHour,
    proposals_per_active_day: n / days,
    proposals_per_active_hour: n / hours,
    proposal_median_response_s: Math.log10(quantileOfSorted(sortedResponses, 0.5)),
    proposal_fast_share: fast / n,
    proposal_duplicate_share: nearDuplicateShare(texts),
    bid_ratio_median: Math.exp(quantileOfSorted(sortedLogRatios, 0.5)),
    bid_ratio_spread: quantileOfSorted(sortedLogRatios, 0.75) - quantileOfSorted(sortedLogRatios, 0.25),
  };
}
