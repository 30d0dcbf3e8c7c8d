// Proposal behaviour: bursts, rates, speed after posting, copy-paste texts, bid-to-budget ratios.
import type { AccountEvents } from '../../data/tables.js';
import { quantileOfSorted } from '../statistics.js';
import { sortAscending } from './sort-numbers.js';
import { areNearDuplicatesAt, SIGNATURE_SIZE, textSignatures } from './text-signature.js';

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
  const signatures = textSignatures(chosen);
  const hasTwin = new Uint8Array(chosen.length);
  let twins = 0;
  // once every text has a twin, no pair can change the share
  for (let i = 0; i < chosen.length && twins < chosen.length; i++) {
    for (let j = i + 1; j < chosen.length; j++) {
      if (hasTwin[i] && hasTwin[j]) continue;
      if (areNearDuplicatesAt(signatures, SIGNATURE_SIZE * i, signatures, SIGNATURE_SIZE * j)) {
        twins += 1 - (hasTwin[i] as number) + 1 - (hasTwin[j] as number);
        hasTwin[i] = 1;
        hasTwin[j] = 1;
      }
    }
  }
  return twins / chosen.length;
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
