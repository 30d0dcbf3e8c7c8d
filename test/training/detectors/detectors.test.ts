import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { autoencoderDetectorSpec, TFJS_BATCH_MIN_ROWS, tfjsFilesToLayers } from '../../../training/detectors/autoencoder-detector.js';
import { createFeatureMatrix, matrixRow } from '../../../training/detectors/detector.js';
import { type IsolationForestState, isolationForestDetectorSpec } from '../../../training/detectors/isolation-forest-detector.js';
import { type KMeansState, kmeansDetectorSpec } from '../../../training/detectors/kmeans-detector.js';
import { type MahalanobisState, mahalanobisDetectorSpec, symmetricEigen } from '../../../training/detectors/mahalanobis-detector.js';
import { rocAuc } from '../../../training/evaluation/metrics.js';
import { chooseTfjsBackend } from '../../../training/detectors/tfjs-backend.js';
import { fitRobustScaler } from '../../../training/scaling/robust-scaler.js';
import { plantedMatrix, runDetectorContract } from './detector-contract.js';

runDetectorContract(kmeansDetectorSpec, { k: 'auto', k_max: 5 });
runDetectorContract(isolationForestDetectorSpec, { trees: 50 });
runDetectorContract(autoencoderDetectorSpec, { epochs: 30 });
runDetectorContract(mahalanobisDetectorSpec);

describe('k-means clusters', () => {
  // two normal groups of 470 and 460 rows, and a tight group of 70 (7%): more than a fixed 1% share would call small
  function groupedMatrix() {
    const random = createSeededRandom(11);
    const values: number[] = [];
    const group = (n: number, centre: number[], sd: number) => {
      for (let i = 0; i < n; i++) values.push(...centre.map((c) => random.normal(c, sd)));
    };
    group(470, [0, 0, 0], 1);
    group(460, [8, 0, 0], 1);
    group(70, [0, 8, 8], 0.2);
    return createFeatureMatrix(['a', 'b', 'c'], Float64Array.from(values));
  }

  it('marks a cluster CBLOF calls small and scores its rows against the nearest large cluster', async () => {
    const matrix = groupedMatrix();
    const { detector, trainingScores } = await kmeansDetectorSpec.fit(matrix, kmeansDetectorSpec.paramsSchema.parse({ k: 3 }), { seed: 1 });
    const state = detector.state as KMeansState;
    expect(state.cluster_sizes.filter((_, c) => state.is_small[c])).toEqual([70]);
    const groupScores = Array.from(trainingScores.subarray(930));
    const normalScores = Float64Array.from(trainingScores.subarray(0, 930)).sort();
    // every row of the tight group scores above the 99th percentile of the normal rows
    expect(Math.min(...groupScores)).toBeGreaterThan(normalScores[Math.floor(0.99 * normalScores.length)] as number);
  });

  it('does not let a cluster of near-duplicates turn a small deviation into a large score', async () => {
    // a loose group (sd 1) and a group of near-duplicate rows (sd 0.01), 500 rows each
    const random = createSeededRandom(13);
    const values: number[] = [];
    for (let i = 0; i < 500; i++) values.push(random.normal(0, 1), random.normal(0, 1));
    for (let i = 0; i < 500; i++) values.push(random.normal(10, 0.01), random.normal(10, 0.01));
    const matrix = createFeatureMatrix(['a', 'b'], Float64Array.from(values));
    const probes = createFeatureMatrix(['a', 'b'], Float64Array.from([10.8, 10, 4, 0])); // 0.8 off the duplicates; 4 sd out of the loose group
    const scoresWith = async (scale_floor: 'all-rows' | 'none') => {
      const { detector } = await kmeansDetectorSpec.fit(matrix, kmeansDetectorSpec.paramsSchema.parse({ k: 2, scale_floor }), { seed: 1 });
      return detector.anomalyScores(probes);
    };
    const [offDuplicates, outOfLooseGroup] = await scoresWith('all-rows');
    expect(outOfLooseGroup).toBeGreaterThan(1.5); // the loose group still measures its own rows by its own spread
    expect(offDuplicates).toBeLessThan(outOfLooseGroup as number);
    const [ownScaleOnly] = await scoresWith('none');
    expect(ownScaleOnly).toBeGreaterThan(outOfLooseGroup as number); // by the duplicates' own spread alone, 0.8 off them ranked first
  });

  it('restores a version saved before scale_floor existed as what it was (own spread), scoring as before', async () => {
    const { detector } = await kmeansDetectorSpec.fit(groupedMatrix(), kmeansDetectorSpec.paramsSchema.parse({ k: 3, scale_floor: 'none' }), {
      seed: 1,
    });
    const artifact = await detector.toArtifact();
    const { scale_floor: _omitted, ...olderParams } = artifact.params;
    const restored = await kmeansDetectorSpec.restore({ ...artifact, params: olderParams });
    expect(restored.params).toMatchObject({ scale_floor: 'none' });
    expect(Array.from(restored.anomalyScores(groupedMatrix()))).toEqual(Array.from(detector.anomalyScores(groupedMatrix())));
  });

  it('keeps every cluster large when sizes are even', async () => {
    const random = createSeededRandom(12);
    const values = Array.from({ length: 600 }, (_, i) => random.normal(Math.floor(i / 2) % 2 === 0 ? 0 : 10, 1)); // rows alternate between two groups
    const { detector } = await kmeansDetectorSpec.fit(
      createFeatureMatrix(['a', 'b'], Float64Array.from(values)),
      kmeansDetectorSpec.paramsSchema.parse({ k: 2 }),
      { seed: 1 },
    );
    expect((detector.state as KMeansState).is_small).toEqual([false, false]);
  });

  it('refuses a model saved with the earlier fixed-share format, naming the version', async () => {
    const { detector } = await kmeansDetectorSpec.fit(groupedMatrix(), kmeansDetectorSpec.paramsSchema.parse({ k: 3 }), { seed: 1 });
    const artifact = { ...(await detector.toArtifact()), format_version: 1 };
    await expect(kmeansDetectorSpec.restore(artifact)).rejects.toThrow(/format_version 1; this version reads 2/);
  });
});

describe('isolation forest', () => {
  it('never ends a node as a leaf while some feature still varies in it', async () => {
    // 20 constant features and one that varies: every tree must split its root on the varying one
    const random = createSeededRandom(14);
    const d = 21;
    const values = new Float64Array(300 * d);
    for (let i = 0; i < 300; i++) values[i * d + 20] = random.normal(0, 1);
    const names = Array.from({ length: d }, (_, j) => `f${j}`);
    const { detector } = await isolationForestDetectorSpec.fit(
      createFeatureMatrix(names, values),
      isolationForestDetectorSpec.paramsSchema.parse({ trees: 100 }),
      { seed: 3 },
    );
    const state = detector.state as IsolationForestState;
    expect(state.trees.map((tree) => tree.feature[0])).toEqual(new Array(100).fill(20));
  });

  it('scores a row by the mean path length over its trees, as the definition writes it out', async () => {
    // two stored trees: a root split on b, then on a; a single split on a. Leaves of 1, 3, 4 and 2 rows.
    const c = (n: number) => (n <= 1 ? 0 : n === 2 ? 1 : 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n);
    const state: IsolationForestState = {
      subsample: 8,
      trees: [
        { feature: [1, 0, -1, -1, -1], threshold: [0.5, -1, 0, 0, 0], left: [1, 3, -1, -1, -1], right: [2, 4, -1, -1, -1], size: [8, 4, 4, 1, 3] },
        { feature: [0, -1, -1], threshold: [2, 0, 0], left: [1, -1, -1], right: [2, -1, -1], size: [8, 6, 2] },
      ],
    };
    const detector = await isolationForestDetectorSpec.restore({
      kind: 'isolation-forest',
      format_version: 1,
      feature_names: ['a', 'b'],
      params: { trees: 2, subsample: 8 },
      state,
      files: {},
    });
    const score = (meanPath: number) => 2 ** (-meanPath / c(8));
    // (a, b) = (-3, 0): tree 1 goes left twice to the 1-row leaf, tree 2 left to the 6-row leaf
    const row = Float64Array.from([-3, 0]);
    const expected = score((2 + c(1) + (1 + c(6))) / 2);
    expect(detector.anomalyScores(createFeatureMatrix(['a', 'b'], row))[0]).toBeCloseTo(expected, 14);
    // three splits on the way, two on a and one on b
    expect(detector.featureContributions(row).map((p) => p.contribution)).toEqual(
      [(expected * 2) / 3, expected / 3].map((v) => expect.closeTo(v, 14)),
    );
    // (5, 9): right at both roots, to the 4-row and the 2-row leaves
    expect(detector.anomalyScores(createFeatureMatrix(['a', 'b'], Float64Array.from([5, 9])))[0]).toBeCloseTo(score((1 + c(4) + 1 + c(2)) / 2), 14);
  });
});

describe('Mahalanobis distance', () => {
  // b follows a closely; the last 20 rows keep a and b each within two standard deviations but break that correlation
  function dependencyMatrix() {
    const random = createSeededRandom(31);
    const values: number[] = [];
    for (let i = 0; i < 980; i++) {
      const a = random.normal(0, 1);
      values.push(a, a + random.normal(0, 0.1), random.normal(0, 1));
    }
    for (let i = 0; i < 20; i++) {
      const a = (i % 2 ? 1 : -1) * (1 + random.next());
      values.push(a, -a, random.normal(0, 1));
    }
    return createFeatureMatrix(['a', 'b', 'c'], Float64Array.from(values));
  }
  const dependencyLabels = Uint8Array.from({ length: 1000 }, (_, i) => (i >= 980 ? 1 : 0));

  it('finds rows whose values are each ordinary but break a correlation, ahead of the isolation forest', async () => {
    const matrix = dependencyMatrix();
    const { trainingScores } = await mahalanobisDetectorSpec.fit(matrix, mahalanobisDetectorSpec.paramsSchema.parse({}), { seed: 1 });
    const forest = await isolationForestDetectorSpec.fit(matrix, isolationForestDetectorSpec.paramsSchema.parse({}), { seed: 1 });
    const roc = rocAuc(trainingScores, dependencyLabels);
    expect(roc).toBeGreaterThan(0.99);
    expect(roc).toBeGreaterThan(rocAuc(forest.trainingScores, dependencyLabels));
  });

  it('puts the largest contribution on the feature that deviates alone', async () => {
    const { detector } = await mahalanobisDetectorSpec.fit(dependencyMatrix(), mahalanobisDetectorSpec.paramsSchema.parse({}), { seed: 1 });
    const parts = detector.featureContributions(Float64Array.from([0.5, 0.5, 6]));
    expect(parts.reduce((best, p) => (p.contribution > best.contribution ? p : best)).feature).toBe('c');
  });

  it('floors the variance of a direction the training rows never vary along, so scores stay finite', async () => {
    // c is constant: a deviation in it is far from anything seen, but a finite, ordered score
    const random = createSeededRandom(32);
    const values: number[] = [];
    for (let i = 0; i < 200; i++) values.push(random.normal(0, 1), random.normal(0, 1), 2);
    const { detector, trainingScores } = await mahalanobisDetectorSpec.fit(
      createFeatureMatrix(['a', 'b', 'c'], Float64Array.from(values)),
      mahalanobisDetectorSpec.paramsSchema.parse({}),
      { seed: 1 },
    );
    const state = detector.state as MahalanobisState;
    expect(state.variances[2]).toBeCloseTo((state.variances[0] as number) * 1e-6, 12);
    expect(Math.max(...trainingScores)).toBeLessThan(50);
    const [small, large] = detector.anomalyScores(createFeatureMatrix(['a', 'b', 'c'], Float64Array.from([0, 0, 2.01, 0, 0, 2.1])));
    expect(Number.isFinite(large)).toBe(true);
    expect(large as number).toBeGreaterThan(small as number);
    expect(small as number).toBeGreaterThan(Math.max(...trainingScores));
  });

  it('fits a table with no variance at all, scoring every training row 0', async () => {
    const { trainingScores } = await mahalanobisDetectorSpec.fit(
      createFeatureMatrix(['a', 'b'], new Float64Array(20).fill(3)),
      mahalanobisDetectorSpec.paramsSchema.parse({}),
      { seed: 1 },
    );
    expect(Array.from(trainingScores)).toEqual(new Array(10).fill(0));
  });

  it('refuses a saved state whose sizes do not match its features', async () => {
    const { detector } = await mahalanobisDetectorSpec.fit(dependencyMatrix(), mahalanobisDetectorSpec.paramsSchema.parse({}), { seed: 1 });
    const artifact = await detector.toArtifact();
    const state = detector.state as MahalanobisState;
    await expect(mahalanobisDetectorSpec.restore({ ...artifact, state: { ...state, variances: state.variances.slice(1) } })).rejects.toThrow(
      /does not match its 3 features/,
    );
    await expect(mahalanobisDetectorSpec.restore({ ...artifact, state: { ...state, variances: [0, 1, 1] } })).rejects.toThrow(/variances/);
  });

  it('decomposes a symmetric matrix into orthonormal eigenvectors that rebuild it', () => {
    const d = 5;
    const random = createSeededRandom(33);
    const m = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) m[i * d + j] = m[j * d + i] = random.normal(0, 1);
    const { values, vectors } = symmetricEigen(m, d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let rebuilt = 0;
        let gram = 0;
        for (let k = 0; k < d; k++) {
          rebuilt += (vectors[i * d + k] as number) * (values[k] as number) * (vectors[j * d + k] as number);
          gram += (vectors[k * d + i] as number) * (vectors[k * d + j] as number);
        }
        expect(rebuilt).toBeCloseTo(m[i * d + j] as number, 10);
        expect(gram).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });
});

describe('autoencoder artifact', () => {
  it('loads in tfjs and predicts what the typed-array forward pass computes', async () => {
    const { matrix } = plantedMatrix();
    const { detector } = await autoencoderDetectorSpec.fit(matrix, autoencoderDetectorSpec.paramsSchema.parse({ epochs: 5 }), { seed: 2 });
    const artifact = await detector.toArtifact();
    expect(Object.keys(artifact.files).sort()).toEqual(['model.json', 'weights.bin']);
    const backend = await chooseTfjsBackend();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend.backend);
    const { model } = await tfjsFilesToLayers(artifact.files);
    const rows = matrix.values.slice(0, 8 * 4);
    const predicted = (model.predict(tf.tensor2d(Float32Array.from(rows), [8, 4])) as tf.Tensor).dataSync();
    model.dispose();
    for (let i = 0; i < 8; i++) {
      const row = matrixRow(matrix, i);
      let tfjsError = 0;
      for (let j = 0; j < 4; j++)
        tfjsError +=
          ((predicted[i * 4 + j] as number) - (row[j] as number)) ** 2 /
          ((detector.state as { feature_error_scale: number[] }).feature_error_scale[j] as number);
      expect(detector.anomalyScores(createFeatureMatrix(matrix.featureNames, Float64Array.from(row)))[0]).toBeCloseTo(tfjsError / 4, 4);
    }
  });
});

describe('autoencoder batch scoring', () => {
  it('scores a large batch (through tfjs on wasm or native) within float rounding of each row alone', async () => {
    const { matrix } = plantedMatrix();
    const { detector } = await autoencoderDetectorSpec.fit(matrix, autoencoderDetectorSpec.paramsSchema.parse({ epochs: 5 }), { seed: 3 });
    const d = matrix.featureNames.length;
    const rows = TFJS_BATCH_MIN_ROWS + 123;
    const values = new Float64Array(rows * d);
    for (let k = 0; k < values.length; k++) values[k] = matrix.values[k % matrix.values.length] as number;
    const batch = detector.anomalyScores(createFeatureMatrix(matrix.featureNames, values));
    const single = detector.anomalyScores(createFeatureMatrix(matrix.featureNames, values.slice(0, d)))[0] as number;
    for (let i = 0; i < rows; i += 97) {
      const alone = detector.anomalyScores(createFeatureMatrix(matrix.featureNames, values.slice(i * d, (i + 1) * d)))[0] as number;
      expect(Math.abs((batch[i] as number) - alone)).toBeLessThanOrEqual(1e-5 * Math.max(1, alone));
    }
    expect(batch[0]).toBeCloseTo(single, 5);
    detector.dispose();
  });
});

describe('fitRobustScaler', () => {
  it('centres on the median, scales by the IQR and survives a constant column', () => {
    const values = Float64Array.from([1, 5, 2, 5, 3, 5, 4, 5, 5, 5]);
    const scaler = fitRobustScaler(createFeatureMatrix(['x', 'constant'], values));
    expect(scaler.state.center).toEqual([3, 5]);
    expect(scaler.state.scale[0]).toBeCloseTo(2, 6);
    expect(scaler.state.scale[1]).toBe(1);
    expect(Array.from(scaler.transformRow(Float64Array.from([5, 5])))).toEqual([1, 0]);
  });
});
