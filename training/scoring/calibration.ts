// raw component score → 0–100 from the training distribution; detectors combined on a common scale
//
// Quantiles alone would always flag the top few percent, however normal they are. Scores are instead put on a
// robust z scale (log score, median and MAD of the training scores), so 0-100 says how far outside the bulk of
// training behaviour an account lies, and the flagged share follows the data rather than a fixed percentile.
import { z } from 'zod';
import { quantileOfSorted } from '../statistics.js';

export const CalibrationSchema = z.object({
  kind: z.literal('robust-log-z'),
  median: z.number().describe('median of log(raw + offset) over training rows'),
  spread: z.number().positive().describe('1.4826 × MAD of the same (a robust standard deviation)'),
  offset: z.number().nonnegative().describe('added before the log so zero raw scores stay finite'),
  reference_quantiles: z.array(z.number()).describe('raw score at quantiles 0, 0.01, ..., 1 of training rows (for reports)'),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

export const ScoreMappingSchema = z.strictObject({
  z_at_50: z
    .number()
    .default(8)
    .describe(
      'robust z that maps to 50 (the default FLAG_FOR_REVIEW threshold); chosen on development seeds 2002-2005 by bench/score-mapping-dev.bench.ts: the smallest whose FLAG_FOR_REVIEW-or-higher precision, pooled over them, is at least 0.9 at its 95% lower bound',
    ),
  z_per_25: z.number().positive().default(1.2).describe('z units between 50 and 75, the default BLOCK_ACCOUNT threshold'),
});
export type ScoreMapping = z.infer<typeof ScoreMappingSchema>;

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function fitCalibration(trainingScores: ArrayLike<number>): Calibration {
  if (trainingScores.length < 2) throw new RangeError('calibration needs at least 2 training scores');
  const sorted = sortedCopy(trainingScores);
  const positive = sorted.filter((v) => v > 0);
  const offset = positive.length > 0 ? Math.max(1e-9, quantileOfSorted(Float64Array.from(positive), 0.05) * 0.1) : 1e-9;
  const logs = Float64Array.from(sorted, (v) => Math.log(Math.max(0, v) + offset)).sort();
  const median = quantileOfSorted(logs, 0.5);
  const deviations = Float64Array.from(logs, (v) => Math.abs(v - median)).sort();
  let spread = 1.4826 * quantileOfSorted(deviations, 0.5);
  if (!(spread > 1e-9)) spread = Math.max(1e-6, (logs[logs.length - 1] as number) - (logs[0] as number)) / 4 || 1;
  return {
    kind: 'robust-log-z',
    median,
    spread,
    offset,
    reference_quantiles: Array.from({ length: 101 }, (_, i) => quantileOfSorted(sorted, i / 100)),
  };
}

/** How many robust standard deviations above typical training behaviour a raw score lies. */
export function robustZ(calibration: Calibration, raw: number): number {
  return (Math.log(Math.max(0, raw) + calibration.offset) - calibration.median) / calibration.spread;
}

/** Robust z → 0-100 (logistic; z_at_50 → 50, z_at_50 + z_per_25 → 75). */
export function zToScore100(zValue: number, mapping: ScoreMapping): number {
  const slope = Math.log(3) / mapping.z_per_25; // logistic(log 3) = 0.75
  return 100 / (1 + Math.exp(-slope * (zValue - mapping.z_at_50)));
}

/** Share of training rows scoring below `raw` (for analysts: "top 0.3%"). */
export function trainingQuantile(calibration: Calibration, raw: number): number {
  const q = calibration.reference_quantiles;
  if (raw <= (q[0] as number)) return 0;
  if (raw >= (q[q.length - 1] as number)) return 1;
  let lo = 0;
  let hi = q.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((q[mid] as number) <= raw) lo = mid;
    else hi = mid;
  }
  const a = q[lo] as number;
  const b = q[hi] as number;
  return (lo + (b > a ? (raw - a) / (b - a) : 0)) / (q.length - 1);
}

/** The default detector: the mean of each detector's robust z, so no single detector's units dominate. */
export function combineRobustZ(zs: readonly number[]): number {
  let sum = 0;
  for (const value of zs) sum += value;
  return sum / zs.length;
}
