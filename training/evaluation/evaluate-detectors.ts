// The benchmark protocol on a numeric table: fit without labels, score, ROC-AUC and PR-AUC per detector over seeds.
import { z } from 'zod';
import type { NumericTable } from '../../data/read-numeric-csv.js';
import {
  COMBINED,
  DETECTOR_NAMES,
  type DetectorName,
  type EnsembleParams,
  fitAnomalyEnsemble,
  withCombinedScore,
} from '../detectors/anomaly-ensemble.js';
import { createFeatureMatrix, subsetRows } from '../detectors/detector.js';
import { fitRobustScaler } from '../scaling/robust-scaler.js';
import { mean, standardDeviation } from '../statistics.js';
import { averagePrecision, rocAuc } from './metrics.js';
import { stratifiedSplit } from './split.js';

export const DetectorResultSchema = z.object({
  roc_auc_mean: z.number(),
  roc_auc_std: z.number(),
  pr_auc_mean: z.number(),
  pr_auc_std: z.number(),
  fit_seconds: z
    .number()
    .describe("mean per seed: the detector's own fit; for the combined detector the whole ensemble's, scaler and calibrations included"),
  score_seconds: z
    .number()
    .describe('mean per seed: the detector scoring the evaluated rows; for the combined detector every detector and the combination'),
});
export const EvaluationReportSchema = z.object({
  dataset: z.string(),
  rows: z.number().int(),
  dims: z.number().int(),
  protocol: z.string(),
  seeds: z.array(z.number().int()),
  detectors: z.record(z.string(), DetectorResultSchema),
  default: z.string(),
});
export type EvaluationReport = z.infer<typeof EvaluationReportSchema>;

export async function evaluateDetectors(
  dataset: string,
  table: NumericTable,
  options: { seeds: number; holdout: number | null; params: EnsembleParams; onProgress?: (seed: number) => void },
): Promise<EvaluationReport> {
  const matrix = createFeatureMatrix(table.featureNames, table.values);
  const names = [...DETECTOR_NAMES, COMBINED];
  const results: Record<string, { roc: number[]; pr: number[]; fit: number[]; score: number[] }> = Object.fromEntries(
    names.map((n) => [n, { roc: [], pr: [], fit: [], score: [] }]),
  );
  const seeds = Array.from({ length: options.seeds }, (_, i) => i);
  for (const seed of seeds) {
    options.onProgress?.(seed);
    const split = options.holdout ? stratifiedSplit(table.labels, options.holdout, seed) : null;
    const fitRows = split ? subsetRows(matrix, split.train) : matrix;
    const evalRows = split ? subsetRows(matrix, split.test) : matrix;
    const evalLabels = split ? Uint8Array.from(split.test, (r) => table.labels[r] as number) : table.labels;
    const fitStart = performance.now();
    const scaler = fitRobustScaler(fitRows);
    const { ensemble, fitSeconds } = await fitAnomalyEnsemble(scaler.transform(fitRows), options.params, { seed });
    const fit: Record<string, number> = { ...fitSeconds, [COMBINED]: (performance.now() - fitStart) / 1000 };
    const scoreStart = performance.now();
    const scaled = scaler.transform(evalRows);
    const score: Record<string, number> = {};
    const raw = {} as Record<DetectorName, Float64Array>;
    for (const name of DETECTOR_NAMES) {
      const start = performance.now();
      raw[name] = ensemble.detectors[name].anomalyScores(scaled);
      score[name] = (performance.now() - start) / 1000;
    }
    const scores = withCombinedScore(ensemble, raw);
    score[COMBINED] = (performance.now() - scoreStart) / 1000;
    for (const name of names) {
      const r = results[name] as (typeof results)[string];
      const s = scores[name as keyof typeof scores];
      r.roc.push(rocAuc(s, evalLabels));
      r.pr.push(averagePrecision(s, evalLabels));
      r.fit.push(fit[name] as number);
      r.score.push(score[name] as number);
    }
  }
  const detectors = Object.fromEntries(
    names.map((name) => {
      const r = results[name] as (typeof results)[string];
      return [
        name,
        {
          roc_auc_mean: mean(r.roc),
          roc_auc_std: standardDeviation(r.roc),
          pr_auc_mean: mean(r.pr),
          pr_auc_std: standardDeviation(r.pr),
          fit_seconds: mean(r.fit),
          score_seconds: mean(r.score),
        },
      ];
    }),
  );
  return {
    dataset,
    rows: table.rowCount,
    dims: table.featureNames.length,
    protocol: options.holdout
      ? `stratified holdout ${options.holdout} (scaler and detectors fitted on the rest), per seed`
      : 'unsupervised: fit on all rows without labels, score all rows',
    seeds,
    detectors,
    default: COMBINED,
  };
}
