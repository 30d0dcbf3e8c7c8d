// DetectorSpec / FittedDetector / DetectorArtifact types, and the feature matrix they work on
import { z } from 'zod';

/** Row-major numeric matrix with named columns; maps directly onto tf.tensor2d(values, [rowCount, d]). */
export interface FeatureMatrix {
  readonly featureNames: readonly string[];
  readonly rowCount: number;
  readonly values: Float64Array;
}

export function createFeatureMatrix(featureNames: readonly string[], values: Float64Array): FeatureMatrix {
  const d = featureNames.length;
  if (d === 0) throw new RangeError('a feature matrix needs at least one feature');
  if (values.length % d !== 0) throw new RangeError(`values length ${values.length} is not a multiple of ${d} features`);
  return { featureNames, rowCount: values.length / d, values };
}

/** Row i of a matrix as a view (no copy). */
export function matrixRow(matrix: FeatureMatrix, i: number): Float64Array {
  const d = matrix.featureNames.length;
  return matrix.values.subarray(i * d, (i + 1) * d);
}

export class FeatureMismatchError extends Error {
  override readonly name = 'FeatureMismatchError';
  constructor(
    readonly missing: readonly string[],
    readonly extra: readonly string[],
    readonly context: string,
  ) {
    super(
      `${context}: the features differ from the ones it was fitted on` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (extra.length ? `; unexpected: ${extra.join(', ')}` : '') +
        (!missing.length && !extra.length ? '; same names in another order' : ''),
    );
  }
}

export function assertSameFeatures(expected: readonly string[], actual: readonly string[], context: string): void {
  if (expected.length === actual.length && expected.every((name, i) => name === actual[i])) return;
  const have = new Set(actual);
  const want = new Set(expected);
  throw new FeatureMismatchError(
    expected.filter((n) => !have.has(n)),
    actual.filter((n) => !want.has(n)),
    context,
  );
}

/** The given rows of a matrix, in that order (a copy). */
export function subsetRows(matrix: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  const d = matrix.featureNames.length;
  const values = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    values.set(matrix.values.subarray(r * d, (r + 1) * d), i * d);
  }
  return createFeatureMatrix(matrix.featureNames, values);
}

/** featureContributions from a RowExplanation's parts: each feature's name beside its part. */
export function namedContributions(featureNames: readonly string[], explanation: RowExplanation): FeatureContribution[] {
  return featureNames.map((feature, j) => ({ feature, contribution: explanation.contributions[j] as number }));
}

/** assertFinite of one row: the same check and message (row 0) without building a matrix. */
export function assertFiniteRow(featureNames: readonly string[], row: Float64Array, context: string): void {
  assertFinite({ featureNames, rowCount: 1, values: row }, context);
}

/** Refuses NaN/Infinity, naming the first offending row and feature. */
export function assertFinite(matrix: FeatureMatrix, context: string): void {
  const d = matrix.featureNames.length;
  for (let k = 0; k < matrix.values.length; k++) {
    if (!Number.isFinite(matrix.values[k] as number)) {
      throw new RangeError(
        `${context}: row ${Math.floor(k / d)}, feature ${matrix.featureNames[k % d]} is ${matrix.values[k]} (every value must be finite)`,
      );
    }
  }
}

export const DetectorArtifactSchema = z.object({
  kind: z.string(),
  format_version: z.number().int(),
  feature_names: z.array(z.string()),
  params: z.record(z.string(), z.unknown()),
  state: z.unknown(),
});
/** On-disk envelope of a fitted detector; `files` holds extra binary files (autoencoder weights). */
export type DetectorArtifact = z.infer<typeof DetectorArtifactSchema> & { files: Record<string, Uint8Array> };

export interface FitOptions {
  readonly seed: number;
  readonly onProgress?: (event: { step: string; done: number; total: number; detail?: string }) => void;
}

export interface FeatureContribution {
  readonly feature: string;
  readonly contribution: number;
}

/**
 * One row's raw score and each feature's part of it, from one pass over the detector: `score` equals
 * anomalyScores of a matrix of that row alone, and `contributions[j]` featureContributions(row)[j].contribution.
 * The service scores accounts one at a time and explains each: one pass instead of two (issue 21).
 */
export interface RowExplanation {
  readonly score: number;
  readonly contributions: Float64Array;
}

export interface FittedDetector<State = unknown> {
  readonly kind: string;
  readonly params: Record<string, unknown>;
  readonly featureNames: readonly string[];
  readonly state: State;
  /** higher = more anomalous; row i depends only on row i */
  anomalyScores(matrix: FeatureMatrix): Float64Array;
  /** per-feature parts of one row's raw score, summing to it */
  featureContributions(row: Float64Array): FeatureContribution[];
  /** the row's score and its parts at once (RowExplanation); refuses a non-finite row as anomalyScores does */
  explainRow(row: Float64Array): RowExplanation;
  toArtifact(): Promise<DetectorArtifact>;
  dispose(): void;
}

export interface FitResult<State> {
  readonly detector: FittedDetector<State>;
  /** anomaly scores of the training rows (PyOD's decision_scores_) */
  readonly trainingScores: Float64Array;
}

export interface DetectorSpec<Params extends Record<string, unknown>, State> {
  readonly kind: string;
  readonly formatVersion: number;
  readonly paramsSchema: z.ZodType<Params>;
  fit(matrix: FeatureMatrix, params: Params, options: FitOptions): Promise<FitResult<State>>;
  restore(artifact: DetectorArtifact): Promise<FittedDetector<State>>;
}

/** Checks an artifact's kind, version and feature names before a spec restores it. */
export function checkArtifactHeader(artifact: DetectorArtifact, kind: string, formatVersion: number): void {
  if (artifact.kind !== kind) throw new RangeError(`artifact is a ${JSON.stringify(artifact.kind)} detector, expected ${JSON.stringify(kind)}`);
  if (artifact.format_version !== formatVersion) {
    throw new RangeError(`${kind} artifact has format_version ${artifact.format_version}; this version reads ${formatVersion}`);
  }
}
