// fit / transform / state for per-feature centring and scaling (median / IQR, safe for constant columns)
import { z } from 'zod';
import { assertFinite, assertSameFeatures, type FeatureMatrix } from '../detectors/detector.js';
import { quantileOfSorted } from '../statistics.js';

export const ScalerStateSchema = z.object({
  kind: z.literal('robust-scaler'),
  feature_names: z.array(z.string()),
  center: z.array(z.number()).describe('per-feature median'),
  scale: z.array(z.number().positive()).describe('per-feature IQR (or a fallback spread for near-constant features)'),
});
export type ScalerState = z.infer<typeof ScalerStateSchema>;

export interface FittedScaler {
  readonly state: ScalerState;
  transform(matrix: FeatureMatrix): FeatureMatrix;
  transformRow(row: Float64Array, out?: Float64Array): Float64Array;
}

/** Fits on training rows only; a feature with zero IQR falls back to its mean absolute deviation, then to 1. */
export function fitRobustScaler(matrix: FeatureMatrix): FittedScaler {
  assertFinite(matrix, 'robust scaler');
  if (matrix.rowCount < 2) throw new RangeError(`robust scaler needs at least 2 rows, got ${matrix.rowCount}`);
  const d = matrix.featureNames.length;
  const center: number[] = [];
  const scale: number[] = [];
  const column = new Float64Array(matrix.rowCount);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < matrix.rowCount; i++) column[i] = matrix.values[i * d + j] as number;
    column.sort();
    const median = quantileOfSorted(column, 0.5);
    let spread = quantileOfSorted(column, 0.75) - quantileOfSorted(column, 0.25);
    if (!(spread > 1e-12)) {
      let mad = 0;
      for (let i = 0; i < column.length; i++) mad += Math.abs((column[i] as number) - median);
      mad /= column.length;
      // rare-event features (mostly zero) keep a spread that puts one event at a distance of a few units
      spread = mad > 1e-12 ? mad * 4 : 1;
    }
    center.push(median);
    scale.push(spread);
  }
  return restoreRobustScaler({ kind: 'robust-scaler', feature_names: [...matrix.featureNames], center, scale });
}

export function restoreRobustScaler(state: ScalerState): FittedScaler {
  const parsed = ScalerStateSchema.parse(state);
  const d = parsed.feature_names.length;
  const center = Float64Array.from(parsed.center);
  const inverse = Float64Array.from(parsed.scale, (s) => 1 / s);
  const transformRow = (row: Float64Array, out = new Float64Array(d)) => {
    for (let j = 0; j < d; j++) out[j] = ((row[j] as number) - (center[j] as number)) * (inverse[j] as number);
    return out;
  };
  return {
    state: parsed,
    transformRow,
    transform(matrix) {
      assertSameFeatures(parsed.feature_names, matrix.featureNames, 'robust scaler');
      const out = new Float64Array(matrix.values.length);
      for (let i = 0; i < matrix.rowCount; i++) transformRow(matrix.values.subarray(i * d, (i + 1) * d), out.subarray(i * d, (i + 1) * d));
      return { featureNames: matrix.featureNames, rowCount: matrix.rowCount, values: out };
    },
  };
}
