// The default detector: k-means distance, autoencoder and isolation forest, each calibrated, averaged on a robust z scale.
import { z } from 'zod';
import { type Calibration, combineRobustZ, fitCalibration, robustZ } from '../scoring/calibration.js';
import { type AutoencoderParams, AutoencoderParamsSchema, autoencoderDetectorSpec } from './autoencoder-detector.js';
import type { FeatureMatrix, FitOptions, FittedDetector } from './detector.js';
import { type IsolationForestParams, IsolationForestParamsSchema, isolationForestDetectorSpec } from './isolation-forest-detector.js';
import { type KMeansParams, KMeansParamsSchema, kmeansDetectorSpec } from './kmeans-detector.js';

export const DETECTOR_NAMES = ['kmeans', 'autoencoder', 'isolation-forest'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
export const COMBINED = 'combined';

export const EnsembleParamsSchema = z
  .strictObject({
    kmeans: KMeansParamsSchema.prefault({}),
    autoencoder: AutoencoderParamsSchema.prefault({}),
    isolation_forest: IsolationForestParamsSchema.prefault({}),
  })
  .prefault({});
export type EnsembleParams = z.infer<typeof EnsembleParamsSchema>;

export interface AnomalyEnsemble {
  readonly detectors: Record<DetectorName, FittedDetector>;
  readonly calibrations: Record<DetectorName | typeof COMBINED, Calibration>;
}

/** Raw scores per detector and the combined score (mean robust z) for every row. */
export type EnsembleScores = Record<DetectorName | typeof COMBINED, Float64Array>;

export async function fitAnomalyEnsemble(matrix: FeatureMatrix, params: EnsembleParams, options: FitOptions): Promise<{ ensemble: AnomalyEnsemble; trainingScores: EnsembleScores }> {
  const kmeans = await kmeansDetectorSpec.fit(matrix, params.kmeans as KMeansParams, options);
  const autoencoder = await autoencoderDetectorSpec.fit(matrix, params.autoencoder as AutoencoderParams, options);
  const forest = await isolationForestDetectorSpec.fit(matrix, params.isolation_forest as IsolationForestParams, options);
  const detectors = { kmeans: kmeans.detector, autoencoder: autoencoder.detector, 'isolation-forest': forest.detector } as Record<DetectorName, FittedDetector>;
  const raw = { kmeans: kmeans.trainingScores, autoencoder: autoencoder.trainingScores, 'isolation-forest': forest.trainingScores };
  const partial = {
    kmeans: fitCalibration(raw.kmeans),
    autoencoder: fitCalibration(raw.autoencoder),
    'isolation-forest': fitCalibration(raw['isolation-forest']),
  };
  const combined = combinedScores(partial, raw);
  const calibrations = { ...partial, [COMBINED]: fitCalibration(combined.map((v) => Math.exp(v))) } as AnomalyEnsemble['calibrations'];
  return { ensemble: { detectors, calibrations }, trainingScores: { ...raw, [COMBINED]: Float64Array.from(combined, (v) => Math.exp(v)) } as EnsembleScores };
}

// The combined raw score is exp(mean z), so it is positive and its own calibration works on a log scale like the others.
function combinedScores(calibrations: Record<DetectorName, Calibration>, raw: Record<DetectorName, Float64Array>): Float64Array {
  const n = raw.kmeans.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = combineRobustZ(DETECTOR_NAMES.map((name) => robustZ(calibrations[name], raw[name][i] as number)));
  return out;
}

export function scoreAnomalyEnsemble(ensemble: AnomalyEnsemble, matrix: FeatureMatrix): EnsembleScores {
  const raw = {
    kmeans: ensemble.detectors.kmeans.anomalyScores(matrix),
    autoencoder: ensemble.detectors.autoencoder.anomalyScores(matrix),
    'isolation-forest': ensemble.detectors['isolation-forest'].anomalyScores(matrix),
  };
  return { ...raw, [COMBINED]: Float64Array.from(combinedScores(ensemble.calibrations, raw), (v) => Math.exp(v)) } as EnsembleScores;
}
