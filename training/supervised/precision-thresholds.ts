// Probability thresholds at which BLOCK and FLAG reach target precisions on labelled accounts: the lowest threshold
// whose one-sided Clopper-Pearson lower confidence bound of the precision reaches the target (not its point estimate:
// a random-sample label stands for a hundred accounts, so a threshold's effective sample can be small).
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

/**
 * The lowest threshold whose weighted precision has a lower confidence bound (at `confidence`) reaching `target`: the
 * most accounts acted on while the precision is at least the target with that confidence. `probability`, `labels`
 * and `weights` are of the labelled accounts, predictions made out of fold. A higher target gives a threshold at
 * least as high (a bound reaching 0.95 reaches 0.90), so BLOCK is never below FLAG.
 */
export function thresholdForPrecision(
  probability: Float64Array,
  labels: Uint8Array,
  weights: Float64Array,
  target: number,
  confidence: number,
): ThresholdEstimate {
  const order = Uint32Array.from({ length: probability.length }, (_, i) => i).sort((a, b) => (probability[b] as number) - (probability[a] as number));
  let positive = 0;
  let total = 0;
  let squares = 0;
  let best: ThresholdEstimate | null = null;
  let mostCertain: ThresholdEstimate | null = null;
  for (let k = 0; k < order.length; k++) {
    const row = order[k] as number;
    const w = weights[row] as number;
    positive += (labels[row] as number) * w;
    total += w;
    squares += w * w;
    const next = order[k + 1];
    // a threshold sits between distinct probabilities only
    if (next !== undefined && probability[next] === probability[row]) continue;
    if (k + 1 < MIN_LABELLED_ABOVE) continue;
    const precision = positive / total;
    const effectiveN = (total * total) / squares;
    const lowerBound = clopperPearsonLower(precision * effectiveN, effectiveN, confidence);
    const estimate = {
      probability: probability[row] as number,
      target_precision: target,
      precision,
      lower_bound: lowerBound,
      confidence,
      labelled_above: k + 1,
      effective_n: effectiveN,
      reached: lowerBound >= target,
    };
    if (estimate.reached) best = estimate;
    if (!mostCertain || lowerBound > mostCertain.lower_bound) mostCertain = estimate;
  }
  if (best) return best;
  if (mostCertain) return mostCertain;
  return { probability: 1, target_precision: target, precision: 0, lower_bound: 0, confidence, labelled_above: 0, effective_n: 0, reached: false };
}
