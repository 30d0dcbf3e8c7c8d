// The shared battery every DetectorSpec must pass (after scikit-learn's check_estimator).
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { createFeatureMatrix, type DetectorSpec, FeatureMismatchError, type FeatureMatrix, matrixRow } from '../../../training/detectors/detector.js';

const NAMES = ['a', 'b', 'c', 'd'];

/** 400 inliers from two blobs, then 8 planted outliers far away. */
export function plantedMatrix(seed = 1): { matrix: FeatureMatrix; outliers: number[] } {
  const random = createSeededRandom(seed);
  const rows: number[] = [];
  for (let i = 0; i < 400; i++) {
    const centre = i % 2 === 0 ? 0 : 3;
    for (let j = 0; j < NAMES.length; j++) rows.push(random.normal(centre, 0.5));
  }
  const outliers: number[] = [];
  for (let k = 0; k < 8; k++) {
    outliers.push(400 + k);
    for (let j = 0; j < NAMES.length; j++) rows.push(j === k % NAMES.length ? 12 + k : random.normal(1.5, 0.5));
  }
  return { matrix: createFeatureMatrix(NAMES, Float64Array.from(rows)), outliers };
}

export function runDetectorContract<P extends Record<string, unknown>, S>(spec: DetectorSpec<P, S>, params: Partial<P> = {}): void {
  describe(`${spec.kind} detector contract`, () => {
    const { matrix, outliers } = plantedMatrix();
    const fullParams = spec.paramsSchema.parse(params);

    it('gives the same scores for the same seed', async () => {
      const a = await spec.fit(matrix, fullParams, { seed: 5 });
      const b = await spec.fit(matrix, fullParams, { seed: 5 });
      expect(Array.from(a.trainingScores)).toEqual(Array.from(b.trainingScores));
    });

    it('scores a row alone exactly as in a batch', async () => {
      const { detector, trainingScores } = await spec.fit(matrix, fullParams, { seed: 5 });
      for (const i of [0, 17, 401]) {
        const alone = detector.anomalyScores(createFeatureMatrix(NAMES, Float64Array.from(matrixRow(matrix, i))));
        expect(alone[0]).toBe(trainingScores[i]);
      }
    });

    it('restores from its artifact with identical scores', async () => {
      const { detector } = await spec.fit(matrix, fullParams, { seed: 5 });
      const artifact = await detector.toArtifact();
      const restored = await spec.restore({
        ...(JSON.parse(JSON.stringify({ ...artifact, files: undefined })) as typeof artifact),
        files: artifact.files,
      });
      expect(Array.from(restored.anomalyScores(matrix))).toEqual(Array.from(detector.anomalyScores(matrix)));
    });

    it('ranks planted outliers above inliers', async () => {
      const { trainingScores } = await spec.fit(matrix, fullParams, { seed: 5 });
      const inlierMax = [...trainingScores.slice(0, 400)].sort((x, y) => x - y)[Math.floor(400 * 0.97)] as number;
      for (const o of outliers) expect(trainingScores[o]).toBeGreaterThan(inlierMax);
    });

    it('refuses non-finite input and other feature names, naming them', async () => {
      const bad = Float64Array.from(matrix.values);
      bad[6] = Number.NaN;
      await expect(spec.fit(createFeatureMatrix(NAMES, bad), fullParams, { seed: 1 })).rejects.toThrow(/row 1, feature c is NaN/);
      const { detector } = await spec.fit(matrix, fullParams, { seed: 5 });
      expect(() => detector.anomalyScores(createFeatureMatrix(['a', 'b', 'c', 'x'], matrix.values))).toThrow(FeatureMismatchError);
      expect(() => detector.anomalyScores(createFeatureMatrix(['a', 'b', 'c', 'x'], matrix.values))).toThrow(/missing: d; unexpected: x/);
    });

    it('explains a row in one pass: its score exactly as anomalyScores gives it, its parts as featureContributions', async () => {
      const { detector, trainingScores } = await spec.fit(matrix, fullParams, { seed: 5 });
      for (const i of [0, 17, 401, 405]) {
        const row = Float64Array.from(matrixRow(matrix, i));
        const explanation = detector.explainRow(row);
        expect(explanation.score).toBe(trainingScores[i]);
        expect(Array.from(explanation.contributions)).toEqual(detector.featureContributions(row).map((p) => p.contribution));
      }
      const bad = Float64Array.from(matrixRow(matrix, 3));
      bad[2] = Number.POSITIVE_INFINITY;
      expect(() => detector.explainRow(bad)).toThrow(/row 0, feature c is Infinity/);
    });

    it('explains a row with per-feature contributions that sum to its score', async () => {
      const { detector, trainingScores } = await spec.fit(matrix, fullParams, { seed: 5 });
      const row = matrixRow(matrix, 401);
      const parts = detector.featureContributions(row);
      expect(parts.map((p) => p.feature)).toEqual(NAMES);
      expect(parts.reduce((s, p) => s + p.contribution, 0)).toBeCloseTo(trainingScores[401] as number, 6);
    });
  });
}
