import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { EnsembleParamsSchema, fitAnomalyEnsemble, inlierRows } from '../../../training/detectors/anomaly-ensemble.js';
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
