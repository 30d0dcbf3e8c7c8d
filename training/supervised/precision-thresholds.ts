// Probability thresholds at which BLOCK and FLAG reach target precisions on labelled accounts: the lowest threshold
// whose one-sided Clopper-Pearson lower confidence bound of the precision reaches the target (not its point estimate:
// a random-sample label stands for a hundred accounts, so a threshold's effective sample can be small).
//
// When the layer's probabilities of the accounts nobody labelled are known, the bound is stratified: labels of a rank
// band the analysts reviewed in full (weight 1) are a census, exact; every other account at or above the threshold,
// labelled or not, is taken to be fraud at the Clopper-Pearson lower bound of the fraud share among the sampled
// labels there. An account nobody labelled thus counts against the threshold: a review of the top 300 and a random 200
// can vouch for a few dozen unlabelled accounts the layer raises, not for hundreds (bench/RESULTS.md, issue 20).
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { z } from 'zod';

export const ThresholdEstimateSchema = z.object({
  probability: z.number().min(0).max(1).describe('supervised probability at or above which the action applies'),
  target_precision: z.number(),
  precision: z.number().describe('weighted precision of labelled accounts at or above it (out-of-fold predictions, inverse-propensity weights)'),
  lower_bound: z.number().describe('one-sided Clopper-Pearson lower confidence bound of that precision, on the effective sample size'),
  confidence: z.number(),
  labelled_above: z.number().int().describe('labelled accounts at or above the threshold'),
  effective_n: z.number().describe('Kish effective sample size of those labels ((Σw)² / Σw²)'),
  unlabelled_above: z
    .number()
    .int()
    .optional()
    .describe('accounts nobody labelled at or above the threshold (the stratified bound counts them); absent when they were not known'),
  reached: z
    .boolean()
    .describe(
      'whether the lower bound reaches the target precision; if not, the threshold is the one of the highest bound, and the layer does not take the action',
    ),
});
export type ThresholdEstimate = z.infer<typeof ThresholdEstimateSchema>;

/**
 * Clopper-Pearson one-sided lower bound of a proportion, `successes` of `trials` (non-integer counts allowed, for an
 * effective sample size): the `1 - confidence` quantile of Beta(successes, trials - successes + 1).
 */
export function clopperPearsonLower(successes: number, trials: number, confidence: number): number {
  if (trials <= 0 || successes <= 0) return 0;
  return betaQuantile(1 - confidence, successes, trials - successes + 1);
}

/** At least this many labelled accounts above a threshold before its precision is trusted. */
const MIN_LABELLED_ABOVE = 10;

/** A label whose weight (accounts it stands for) is 1 comes from a rank band reviewed in full. */
const isCensus = (weight: number) => weight <= 1 + 1e-9;

/**
 * The lowest threshold whose weighted precision has a lower confidence bound (at `confidence`) reaching `target`: the
 * most accounts acted on while the precision is at least the target with that confidence. `probability`, `labels`
 * and `weights` are of the labelled accounts, predictions made out of fold. A higher target gives a threshold at
 * least as high (a bound reaching 0.95 reaches 0.90), so BLOCK is never below FLAG.
 *
 * `unlabelledAbove(t)`, when given, counts the accounts without a label whose probability is at or above `t`: the
 * bound is then stratified (file comment) instead of weighted on the Kish effective sample size.
 */
export function thresholdForPrecision(
  probability: Float64Array,
  labels: Uint8Array,
  weights: Float64Array,
  target: number,
  confidence: number,
  unlabelledAbove?: (threshold: number) => number,
): ThresholdEstimate {
  const order = Uint32Array.from({ length: probability.length }, (_, i) => i).sort((a, b) => (probability[b] as number) - (probability[a] as number));
  let positive = 0;
  let total = 0;
  let squares = 0;
  // the stratified bound's counts: census labels and their fraud, sampled labels and their fraud
  let census = 0;
  let censusFraud = 0;
  let sampled = 0;
  let sampledFraud = 0;
  let best: ThresholdEstimate | null = null;
  let mostCertain: ThresholdEstimate | null = null;
  for (let k = 0; k < order.length; k++) {
    const row = order[k] as number;
    const w = weights[row] as number;
    positive += (labels[row] as number) * w;
    total += w;
    squares += w * w;
    if (isCensus(w)) {
      census++;
      censusFraud += labels[row] as number;
    } else {
      sampled++;
      sampledFraud += labels[row] as number;
    }
    const next = order[k + 1];
    // a threshold sits between distinct probabilities only
    if (next !== undefined && probability[next] === probability[row]) continue;
    if (k + 1 < MIN_LABELLED_ABOVE) continue;
    const effectiveN = (total * total) / squares;
    let precision = positive / total;
    let lowerBound = clopperPearsonLower(precision * effectiveN, effectiveN, confidence);
    let unlabelled: number | undefined;
    if (unlabelledAbove) {
      unlabelled = unlabelledAbove(probability[row] as number);
      // accounts outside the census at or above the threshold: the sampled labels and every unlabelled account
      const others = sampled + unlabelled;
      const share = sampled > 0 ? sampledFraud / sampled : 0;
      precision = (censusFraud + share * others) / (census + others);
      lowerBound = (censusFraud + clopperPearsonLower(sampledFraud, sampled, confidence) * others) / (census + others);
    }
    const estimate: ThresholdEstimate = {
      probability: probability[row] as number,
      target_precision: target,
      precision,
      lower_bound: lowerBound,
      confidence,
      labelled_above: k + 1,
      effective_n: effectiveN,
      ...(unlabelled === undefined ? {} : { unlabelled_above: unlabelled }),
      reached: lowerBound >= target,
    };
    if (estimate.reached) best = estimate;
    if (!mostCertain || lowerBound > mostCertain.lower_bound) mostCertain = estimate;
  }
  if (best) return best;
  if (mostCertain) return mostCertain;
  return { probability: 1, target_precision: target, precision: 0, lower_bound: 0, confidence, labelled_above: 0, effective_n: 0, reached: false };
}
