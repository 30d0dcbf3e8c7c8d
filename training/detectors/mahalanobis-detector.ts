// Mahalanobis distance from the training mean: the squared length of a row's deviation along each principal axis of the
// training covariance, in units of that axis's variance (PyOD's weighted PCA with every component).
//
// k-means and the isolation forest look at each feature's range, the autoencoder at what it can rebuild; none is
// built to see a row whose values are each ordinary but break a correlation the training rows keep (ADBench's
// "dependency" anomalies). A deviation along a low-variance axis is exactly that, and here it weighs most.
import { z } from 'zod';
import {
  assertFinite,
  assertFiniteRow,
  assertSameFeatures,
  checkArtifactHeader,
  type DetectorArtifact,
  type DetectorSpec,
  type FeatureMatrix,
  type FittedDetector,
  namedContributions,
  type RowExplanation,
} from './detector.js';

const FORMAT_VERSION = 1;

export const MahalanobisParamsSchema = z.strictObject({
  variance_floor: z
    .number()
    .positive()
    .max(1)
    .default(1e-6)
    .describe(
      "an axis's variance is at least this share of the largest, so a direction the training rows (almost) never vary along does not turn rounding noise into anomalies",
    ),
});
export type MahalanobisParams = z.infer<typeof MahalanobisParamsSchema>;

export const MahalanobisStateSchema = z.object({
  mean: z.array(z.number()).describe('training mean, in the scaled feature space, feature order'),
  axes: z.array(z.array(z.number())).describe('principal axes of the training covariance (unit vectors, feature order), largest variance first'),
  variances: z.array(z.number().positive()).describe('training variance along each axis, after the floor'),
  training_rows: z.number().int(),
});
export type MahalanobisState = z.infer<typeof MahalanobisStateSchema>;

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major d × d) of a symmetric matrix: cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let total = 0;
  for (const x of a) total += x * x;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += (a[p * d + q] as number) ** 2;
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q] as number;
        if (apq === 0) continue;
        const theta = ((a[q * d + q] as number) - (a[p * d + p] as number)) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p] as number;
          const akq = a[k * d + q] as number;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k] as number;
          const aqk = a[q * d + k] as number;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p] as number;
          const vkq = v[k * d + q] as number;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => a[i * d + i] as number), vectors: v };
}

/** Mean and covariance (n − 1) of the given rows, two passes so large offsets do not cancel. */
function meanAndCovariance(matrix: FeatureMatrix): { mean: Float64Array; covariance: Float64Array } {
  const d = matrix.featureNames.length;
  const n = matrix.rowCount;
  const { values } = matrix;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (values[i * d + j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / n;
  const covariance = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) centred[j] = (values[i * d + j] as number) - (mean[j] as number);
    for (let j = 0; j < d; j++) {
      const cj = centred[j] as number;
      for (let k = j; k < d; k++) covariance[j * d + k] = (covariance[j * d + k] as number) + cj * (centred[k] as number);
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const c = (covariance[j * d + k] as number) / Math.max(1, n - 1);
      covariance[j * d + k] = c;
      covariance[k * d + j] = c;
    }
  }
  return { mean, covariance };
}

function fitState(matrix: FeatureMatrix, params: MahalanobisParams): MahalanobisState {
  const d = matrix.featureNames.length;
  const { mean, covariance } = meanAndCovariance(matrix);
  const { values, vectors } = symmetricEigen(covariance, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => (values[y] as number) - (values[x] as number));
  const largest = Math.max(0, values[order[0] as number] as number);
  // a table with no variance at all still gets a unit scale rather than a division by zero
  const floor = largest > 0 ? largest * params.variance_floor : 1;
  return {
    mean: Array.from(mean),
    axes: order.map((k) => Array.from({ length: d }, (_, j) => vectors[j * d + k] as number)),
    variances: order.map((k) => Math.max(values[k] as number, floor)),
    training_rows: matrix.rowCount,
  };
}

function createFittedMahalanobis(
  featureNames: readonly string[],
  params: MahalanobisParams,
  state: MahalanobisState,
): FittedDetector<MahalanobisState> {
  const d = featureNames.length;
  if (state.mean.length !== d || state.axes.length !== d || state.variances.length !== d || state.axes.some((axis) => axis.length !== d)) {
    throw new RangeError(`mahalanobis state does not match its ${d} features`);
  }
  const mean = Float64Array.from(state.mean);
  const axes = Float64Array.from(state.axes.flat());
  const inverseVariances = Float64Array.from(state.variances, (v) => 1 / v);
  const centred = new Float64Array(d);
  const projections = new Float64Array(d);
  const distanceAt = (values: Float64Array, offset: number): number => {
    for (let j = 0; j < d; j++) centred[j] = (values[offset + j] as number) - (mean[j] as number);
    let total = 0;
    for (let k = 0, base = 0; k < d; k++, base += d) {
      let p = 0;
      for (let j = 0; j < d; j++) p += (axes[base + j] as number) * (centred[j] as number);
      projections[k] = p;
      total += p * p * (inverseVariances[k] as number);
    }
    return total;
  };
  const explainRow = (row: Float64Array): RowExplanation => {
    assertFiniteRow(featureNames, row, 'mahalanobis');
    // distance = yᵀ S⁻¹ y = Σ_j y_j (S⁻¹ y)_j: feature j's part is its deviation times its row of S⁻¹ y. A part can be
    // negative (a deviation that follows a correlation the others break), and the parts sum to the distance.
    const score = distanceAt(row, 0);
    const weighted = new Float64Array(d);
    for (let k = 0, base = 0; k < d; k++, base += d) {
      const scale = (projections[k] as number) * (inverseVariances[k] as number);
      for (let j = 0; j < d; j++) weighted[j] = (weighted[j] as number) + (axes[base + j] as number) * scale;
    }
    for (let j = 0; j < d; j++) weighted[j] = (centred[j] as number) * (weighted[j] as number);
    return { score, contributions: weighted };
  };
  return {
    kind: 'mahalanobis',
    params,
    featureNames,
    state,
    anomalyScores(matrix) {
      assertSameFeatures(featureNames, matrix.featureNames, 'mahalanobis');
      assertFinite(matrix, 'mahalanobis');
      const out = new Float64Array(matrix.rowCount);
      for (let i = 0; i < matrix.rowCount; i++) out[i] = distanceAt(matrix.values, i * d);
      return out;
    },
    explainRow,
    featureContributions: (row) => namedContributions(featureNames, explainRow(row)),
    async toArtifact(): Promise<DetectorArtifact> {
      return { kind: 'mahalanobis', format_version: FORMAT_VERSION, feature_names: [...featureNames], params, state, files: {} };
    },
    dispose() {},
  };
}

export const mahalanobisDetectorSpec: DetectorSpec<MahalanobisParams, MahalanobisState> = {
  kind: 'mahalanobis',
  formatVersion: FORMAT_VERSION,
  paramsSchema: MahalanobisParamsSchema,
  async fit(matrix, rawParams) {
    const params = MahalanobisParamsSchema.parse(rawParams);
    assertFinite(matrix, 'mahalanobis');
    if (matrix.rowCount < 2) throw new RangeError(`mahalanobis needs at least 2 rows, got ${matrix.rowCount}`);
    const detector = createFittedMahalanobis(matrix.featureNames, params, fitState(matrix, params));
    return { detector, trainingScores: detector.anomalyScores(matrix) };
  },
  async restore(artifact) {
    checkArtifactHeader(artifact, 'mahalanobis', FORMAT_VERSION);
    return createFittedMahalanobis(
      artifact.feature_names,
      MahalanobisParamsSchema.parse(artifact.params),
      MahalanobisStateSchema.parse(artifact.state),
    );
  },
};
