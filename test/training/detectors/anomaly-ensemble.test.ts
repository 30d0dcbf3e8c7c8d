import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import {
  anomalyFeatureShares,
  COMBINED,
  DETECTOR_NAMES,
  type DetectorName,
  EnsembleParamsSchema,
  explainAnomalyEnsembleRow,
  fitAnomalyEnsemble,
  inlierRows,
  scoreAnomalyEnsemble,
} from '../../../training/detectors/anomaly-ensemble.js';
import { createFeatureMatrix } from '../../../training/detectors/detector.js';
import type { MahalanobisState } from '../../../training/detectors/mahalanobis-detector.js';
import { rocAuc } from '../../../training/evaluation/metrics.js';

// two normal groups of 470 and 460 rows, then a tight group of 70 anomalies (7%): frequent enough to be learnt
function contaminatedMatrix() {
  const random = createSeededRandom(21);
  const values: number[] = [];
  const group = (n: number, centre: number[], sd: number) => {
    for (let i = 0; i < n; i++) values.push(...centre.map((c) => random.normal(c, sd)));
  };
  group(470, [0, 0, 0, 0], 1);
  group(460, [6, 0, 2, 0], 1);
  group(70, [0, 6, 6, 3], 0.2);
  return createFeatureMatrix(['a', 'b', 'c', 'd'], Float64Array.from(values));
}
const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i >= 930 ? 1 : 0));

describe('fitAnomalyEnsemble', () => {
  it('trains the autoencoder on the inliers of k-means and isolation forest, so a tight group of anomalies stays anomalous to it', async () => {
    const matrix = contaminatedMatrix();
    const refined = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({}), { seed: 4 });
    const everyRow = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({ autoencoder_inlier_max_z: null }), { seed: 4 });
    expect(everyRow.autoencoderTrainingRows).toBe(1000);
    expect(refined.autoencoderTrainingRows).toBeLessThanOrEqual(930);
    expect(refined.autoencoderTrainingRows).toBeGreaterThanOrEqual(500);
    const refinedRoc = rocAuc(refined.trainingScores.autoencoder, labels);
    expect(refinedRoc).toBeGreaterThan(0.99);
    expect(refinedRoc).toBeGreaterThan(rocAuc(everyRow.trainingScores.autoencoder, labels));
  });

  it('fits the Mahalanobis distance on the same inliers, so the group does not widen the covariance it is measured by', async () => {
    const matrix = contaminatedMatrix();
    const refined = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({}), { seed: 4 });
    const everyRow = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({ autoencoder_inlier_max_z: null }), { seed: 4 });
    expect((refined.ensemble.detectors.mahalanobis.state as MahalanobisState).training_rows).toBe(refined.autoencoderTrainingRows);
    expect((everyRow.ensemble.detectors.mahalanobis.state as MahalanobisState).training_rows).toBe(1000);
    const refinedRoc = rocAuc(refined.trainingScores.mahalanobis, labels);
    expect(refinedRoc).toBeGreaterThan(0.99);
    expect(refinedRoc).toBeGreaterThan(rocAuc(everyRow.trainingScores.mahalanobis, labels));
  });
});

describe('anomalyFeatureShares', () => {
  const rawOf = (scores: Record<DetectorName, Float64Array>, row: number) =>
    Object.fromEntries(DETECTOR_NAMES.map((name) => [name, scores[name][row] as number])) as Record<DetectorName, number>;

  it('splits a row over its features in shares that are non-negative and sum to one', async () => {
    const matrix = contaminatedMatrix();
    const { ensemble, trainingScores } = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({}), { seed: 4 });
    for (const row of [0, 470, 950, 999]) {
      const shares = anomalyFeatureShares(ensemble, matrix.values.subarray(row * 4, row * 4 + 4), rawOf(trainingScores, row));
      expect(shares.length).toBe(4);
      for (const share of shares) expect(share).toBeGreaterThanOrEqual(0);
      expect(shares.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 10);
    }
  });

  it("gives the same shares from the explanations of explainAnomalyEnsembleRow, whose raw scores are scoreAnomalyEnsemble's", async () => {
    const matrix = contaminatedMatrix();
    const { ensemble } = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({}), { seed: 4 });
    for (const row of [0, 470, 950, 999]) {
      const one = createFeatureMatrix(['a', 'b', 'c', 'd'], Float64Array.from(matrix.values.subarray(row * 4, row * 4 + 4)));
      const { raw, explanations } = explainAnomalyEnsembleRow(ensemble, one);
      const scored = scoreAnomalyEnsemble(ensemble, one);
      for (const name of [...DETECTOR_NAMES, COMBINED] as const) expect(Array.from(raw[name])).toEqual(Array.from(scored[name]));
      const rowRaw = rawOf(raw, 0);
      expect(Array.from(anomalyFeatureShares(ensemble, one.values, rowRaw, explanations))).toEqual(
        Array.from(anomalyFeatureShares(ensemble, one.values, rowRaw)),
      );
    }
    expect(() => explainAnomalyEnsembleRow(ensemble, createFeatureMatrix(['a', 'b', 'c', 'x'], Float64Array.of(0, 0, 0, 0)))).toThrow(
      /unexpected: x/,
    );
    expect(() => explainAnomalyEnsembleRow(ensemble, createFeatureMatrix(['a', 'b', 'c', 'd'], new Float64Array(8)))).toThrow(/one row/);
  });

  it('points at the feature a row deviates in', async () => {
    const matrix = contaminatedMatrix();
    const { ensemble } = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({}), { seed: 4 });
    const row = Float64Array.from([0, 0, 0, 9]);
    const raw = Object.fromEntries(
      DETECTOR_NAMES.map((name) => [name, ensemble.detectors[name].anomalyScores(createFeatureMatrix(['a', 'b', 'c', 'd'], row))[0] as number]),
    ) as Record<DetectorName, number>;
    const shares = anomalyFeatureShares(ensemble, row, raw);
    expect(shares[3]).toBeGreaterThan(0.7);
  });

  it('follows the detectors that score the row above their training median, and weighs them alike when none does', async () => {
    const matrix = contaminatedMatrix();
    const { ensemble } = await fitAnomalyEnsemble(matrix, EnsembleParamsSchema.parse({}), { seed: 4 });
    const row = Float64Array.from([1.5, -2, 3, 0.5]);
    const normalised = (name: DetectorName) => {
      const parts = ensemble.detectors[name].featureContributions(row).map((c) => Math.max(0, c.contribution));
      const total = parts.reduce((a, v) => a + v, 0);
      return parts.map((v) => v / total);
    };
    // a raw score of 0 lies below every detector's training median; a huge one far above it
    const only = (name: DetectorName) => Object.fromEntries(DETECTOR_NAMES.map((n) => [n, n === name ? 1e9 : 0])) as Record<DetectorName, number>;
    for (const name of DETECTOR_NAMES) {
      Array.from(anomalyFeatureShares(ensemble, row, only(name))).forEach((share, j) => expect(share).toBeCloseTo(normalised(name)[j] as number, 10));
    }
    const none = Object.fromEntries(DETECTOR_NAMES.map((n) => [n, 0])) as Record<DetectorName, number>;
    const alike = DETECTOR_NAMES.map(normalised);
    Array.from(anomalyFeatureShares(ensemble, row, none)).forEach((share, j) =>
      expect(share).toBeCloseTo(alike.reduce((a, parts) => a + (parts[j] as number), 0) / DETECTOR_NAMES.length, 10),
    );
  });
});

describe('inlierRows', () => {
  it('keeps the rows at or under the limit, in order', () => {
    expect(Array.from(inlierRows(Float64Array.from([0, 3, -1, 2, 2.5]), 2) ?? [])).toEqual([0, 2, 3]);
  });

  it('returns null when every row qualifies or no limit is set', () => {
    expect(inlierRows(Float64Array.from([0, 1, 2]), 2)).toBeNull();
    expect(inlierRows(Float64Array.from([0, 9, 2]), null)).toBeNull();
  });

  it('keeps the lower half when fewer than half the rows are under the limit', () => {
    expect(Array.from(inlierRows(Float64Array.from([5, 4, 9, 3, 8, 1]), 2) ?? [])).toEqual([1, 3, 5]);
    expect(inlierRows(Float64Array.from([5, 4, 9, 3, 8]), 2)?.length).toBe(3);
  });
});
