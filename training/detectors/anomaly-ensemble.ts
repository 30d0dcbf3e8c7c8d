// The default detector: k-means distance, autoencoder, isolation forest and Mahalanobis distance, each calibrated,
// averaged on a robust z scale.
//
// The autoencoder and the Mahalanobis distance learn from the rows k-means and the isolation forest call inliers.
// Trained on every row, the autoencoder learns to reconstruct whatever is frequent, a tight group of anomalies
// included, and then scores that group as normal (ADBench's clustered anomalies: ROC-AUC 0.28 on the development sets,
// against 1.00 trained on the inliers); such a group would also widen the covariance the Mahalanobis distance is
// measured by. Refining the training set with the other detectors' scores is the usual cure for contaminated data.
import { z } from 'zod';
import { type Calibration, combineRobustZ, fitCalibration, robustZ } from '../scoring/calibration.js';
import { type AutoencoderParams, AutoencoderParamsSchema, autoencoderDetectorSpec } from './autoencoder-detector.js';
import { assertSameFeatures, type FeatureMatrix, type FitOptions, type FittedDetector, type RowExplanation, subsetRows } from './detector.js';
import { type IsolationForestParams, IsolationForestParamsSchema, isolationForestDetectorSpec } from './isolation-forest-detector.js';
import { type KMeansParams, KMeansParamsSchema, kmeansDetectorSpec } from './kmeans-detector.js';
import { type MahalanobisParams, MahalanobisParamsSchema, mahalanobisDetectorSpec } from './mahalanobis-detector.js';

export const DETECTOR_NAMES = ['kmeans', 'autoencoder', 'isolation-forest', 'mahalanobis'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
export const COMBINED = 'combined';

export const EnsembleParamsSchema = z
  .strictObject({
    kmeans: KMeansParamsSchema.prefault({}),
    autoencoder: AutoencoderParamsSchema.prefault({}),
    isolation_forest: IsolationForestParamsSchema.prefault({}),
    mahalanobis: MahalanobisParamsSchema.prefault({}),
    autoencoder_inlier_max_z: z
      .number()
      .positive()
      .nullable()
      .default(2)
      .describe(
        'the autoencoder and the Mahalanobis distance are fitted on rows whose mean k-means / isolation-forest robust z is at most this (at least half the rows); null: on every row',
      ),
  })
  .prefault({});
export type EnsembleParams = z.infer<typeof EnsembleParamsSchema>;

export interface AnomalyEnsemble {
  readonly detectors: Record<DetectorName, FittedDetector>;
  readonly calibrations: Record<DetectorName | typeof COMBINED, Calibration>;
}

/** Raw scores per detector and the combined score (mean robust z) for every row. */
export type EnsembleScores = Record<DetectorName | typeof COMBINED, Float64Array>;

export interface FittedEnsemble {
  readonly ensemble: AnomalyEnsemble;
  readonly trainingScores: EnsembleScores;
  /** how many of the training rows the autoencoder and the Mahalanobis distance learned from */
  readonly autoencoderTrainingRows: number;
  /** wall-clock seconds of each detector's own fit (the calibrations and the inlier choice are the ensemble's) */
  readonly fitSeconds: Record<DetectorName, number>;
}

async function timed<T>(fit: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fit();
  return [result, (performance.now() - start) / 1000];
}

export async function fitAnomalyEnsemble(matrix: FeatureMatrix, params: EnsembleParams, options: FitOptions): Promise<FittedEnsemble> {
  const [kmeans, kmeansSeconds] = await timed(() => kmeansDetectorSpec.fit(matrix, params.kmeans as KMeansParams, options));
  const [forest, forestSeconds] = await timed(() =>
    isolationForestDetectorSpec.fit(matrix, params.isolation_forest as IsolationForestParams, options),
  );
  const kmeansCalibration = fitCalibration(kmeans.trainingScores);
  const forestCalibration = fitCalibration(forest.trainingScores);
  const inliers = inlierRows(
    Float64Array.from(kmeans.trainingScores, (v, i) =>
      combineRobustZ([robustZ(kmeansCalibration, v), robustZ(forestCalibration, forest.trainingScores[i] as number)]),
    ),
    params.autoencoder_inlier_max_z,
  );
  const inlierMatrix = inliers ? subsetRows(matrix, inliers) : matrix;
  const [autoencoder, autoencoderSeconds] = await timed(() =>
    autoencoderDetectorSpec.fit(inlierMatrix, params.autoencoder as AutoencoderParams, options),
  );
  const [mahalanobis, mahalanobisSeconds] = await timed(() =>
    mahalanobisDetectorSpec.fit(inlierMatrix, params.mahalanobis as MahalanobisParams, options),
  );
  const detectors = {
    kmeans: kmeans.detector,
    autoencoder: autoencoder.detector,
    'isolation-forest': forest.detector,
    mahalanobis: mahalanobis.detector,
  };
  const raw = {
    kmeans: kmeans.trainingScores,
    autoencoder: inliers ? autoencoder.detector.anomalyScores(matrix) : autoencoder.trainingScores,
    'isolation-forest': forest.trainingScores,
    mahalanobis: inliers ? mahalanobis.detector.anomalyScores(matrix) : mahalanobis.trainingScores,
  };
  const partial = {
    kmeans: kmeansCalibration,
    autoencoder: fitCalibration(raw.autoencoder),
    'isolation-forest': forestCalibration,
    mahalanobis: fitCalibration(raw.mahalanobis),
  };
  const combined = combinedScores(partial, raw);
  const calibrations = { ...partial, [COMBINED]: fitCalibration(combined.map((v) => Math.exp(v))) } as AnomalyEnsemble['calibrations'];
  return {
    ensemble: { detectors, calibrations },
    trainingScores: { ...raw, [COMBINED]: Float64Array.from(combined, (v) => Math.exp(v)) } as EnsembleScores,
    autoencoderTrainingRows: inliers ? inliers.length : matrix.rowCount,
    fitSeconds: { kmeans: kmeansSeconds, autoencoder: autoencoderSeconds, 'isolation-forest': forestSeconds, mahalanobis: mahalanobisSeconds },
  };
}

/**
 * Rows whose z is at most `maxZ`, in row order; null when that is every row or no limit is set. Never fewer than
 * half the rows (then the half with the lowest z): an autoencoder fitted on a sliver would call most rows anomalous.
 */
export function inlierRows(z: Float64Array, maxZ: number | null): Uint32Array | null {
  if (maxZ === null) return null;
  const n = z.length;
  let kept = 0;
  for (let i = 0; i < n; i++) if ((z[i] as number) <= maxZ) kept++;
  if (kept === n) return null;
  const minimum = Math.ceil(n / 2);
  const limit = kept >= minimum ? maxZ : (Float64Array.from(z).sort()[minimum - 1] as number);
  const rows: number[] = [];
  for (let i = 0; i < n && rows.length < Math.max(kept, minimum); i++) if ((z[i] as number) <= limit) rows.push(i);
  return Uint32Array.from(rows);
}

// The combined raw score is exp(mean z), so it is positive and its own calibration works on a log scale like the others.
function combinedScores(calibrations: Record<DetectorName, Calibration>, raw: Record<DetectorName, Float64Array>): Float64Array {
  const n = raw.kmeans.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = combineRobustZ(DETECTOR_NAMES.map((name) => robustZ(calibrations[name], raw[name][i] as number)));
  return out;
}

/**
 * Every detector's raw scores of the matrix's rows, and the combined one. The service scores one account at a time
 * through explainAnomalyEnsembleRow instead, which gives the same scores with the detectors' explanations.
 */
export function scoreAnomalyEnsemble(ensemble: AnomalyEnsemble, matrix: FeatureMatrix): EnsembleScores {
  const raw = {
    kmeans: ensemble.detectors.kmeans.anomalyScores(matrix),
    autoencoder: ensemble.detectors.autoencoder.anomalyScores(matrix),
    'isolation-forest': ensemble.detectors['isolation-forest'].anomalyScores(matrix),
    mahalanobis: ensemble.detectors.mahalanobis.anomalyScores(matrix),
  };
  return withCombinedScore(ensemble, raw);
}

/** Each detector's RowExplanation of one row. */
export type EnsembleRowExplanations = Readonly<Record<DetectorName, RowExplanation>>;

/**
 * A one-row matrix through every detector in one pass each: its raw scores (with the combined one), as
 * scoreAnomalyEnsemble gives them, and each detector's explanation of the row, for anomalyFeatureShares (the service's
 * path: it scores and explains every account, issue 21).
 */
export function explainAnomalyEnsembleRow(
  ensemble: AnomalyEnsemble,
  matrix: FeatureMatrix,
): { raw: EnsembleScores; explanations: EnsembleRowExplanations } {
  if (matrix.rowCount !== 1) throw new RangeError(`expected one row to explain, got ${matrix.rowCount}`);
  for (const name of DETECTOR_NAMES) assertSameFeatures(ensemble.detectors[name].featureNames, matrix.featureNames, `${name} detector`);
  const row = matrix.values;
  const explanations = {
    kmeans: ensemble.detectors.kmeans.explainRow(row),
    autoencoder: ensemble.detectors.autoencoder.explainRow(row),
    'isolation-forest': ensemble.detectors['isolation-forest'].explainRow(row),
    mahalanobis: ensemble.detectors.mahalanobis.explainRow(row),
  };
  const raw = {
    kmeans: Float64Array.of(explanations.kmeans.score),
    autoencoder: Float64Array.of(explanations.autoencoder.score),
    'isolation-forest': Float64Array.of(explanations['isolation-forest'].score),
    mahalanobis: Float64Array.of(explanations.mahalanobis.score),
  };
  return { raw: withCombinedScore(ensemble, raw), explanations };
}

/**
 * Each feature's share of one row's anomaly evidence (non-negative, summing to 1). Every detector explains the row in
 * its own terms, its per-feature contributions as shares of its own total (a negative part of the Mahalanobis
 * distance, a deviation that keeps a correlation, counts as none), weighted by the z it adds to the combined score
 * above its training median: the reasons follow the detectors that found the row unusual, whichever they are. A row
 * none of them scores above its median weighs them alike. `explanations`: the detectors' explanations of this row,
 * when the caller has them (explainAnomalyEnsembleRow); otherwise each detector with a weight explains it here.
 */
export function anomalyFeatureShares(
  ensemble: AnomalyEnsemble,
  row: Float64Array,
  raw: Readonly<Record<DetectorName, number>>,
  explanations?: EnsembleRowExplanations,
): Float64Array {
  const shares = new Float64Array(row.length);
  const weights = DETECTOR_NAMES.map((name) => Math.max(0, robustZ(ensemble.calibrations[name], raw[name])));
  const totalWeight = weights.reduce((a, w) => a + w, 0);
  DETECTOR_NAMES.forEach((name, k) => {
    const weight = totalWeight > 0 ? (weights[k] as number) / totalWeight : 1 / DETECTOR_NAMES.length;
    if (weight === 0) return;
    const { contributions } = explanations?.[name] ?? ensemble.detectors[name].explainRow(row);
    let total = 0;
    for (const c of contributions) total += Math.max(0, c);
    // a detector with nothing to attribute (the row sits on its reference point) spreads its weight evenly
    contributions.forEach((c, j) => (shares[j] = (shares[j] as number) + weight * (total > 0 ? Math.max(0, c) / total : 1 / row.length)));
  });
  return shares;
}

/** The detectors' raw scores of the same rows, with the combined score added (for callers that score them one by one). */
export function withCombinedScore(ensemble: AnomalyEnsemble, raw: Record<DetectorName, Float64Array>): EnsembleScores {
  return { ...raw, [COMBINED]: Float64Array.from(combinedScores(ensemble.calibrations, raw), (v) => Math.exp(v)) };
}
