// ml-kmeans fit; score = distance to nearest large centroid ÷ that cluster's training distance quantile (floored at all rows')
//
// Small clusters are anomalous groups, not normal behaviour (a tight group of fraudulent accounts forms its own
// cluster): which clusters are small follows CBLOF (He, Xu and Deng 2003), rows in them are scored against the
// nearest large cluster.
//
// ml-kmeans (number[][]) is ~11x slower than scikit-learn on large inputs, so it seeds k-means++ and converges on
// a sample; Lloyd refinement and every assignment over the full matrix run on typed arrays.
import { kmeans } from 'ml-kmeans';
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
import { sampleRowIndices } from './sample-rows.js';
import { median, quantileOfSorted } from '../statistics.js';

/** 2: small clusters by CBLOF's rule (`is_small`); 1 had a fixed share (`is_tiny`). */
const FORMAT_VERSION = 2;

export const KMeansParamsSchema = z.strictObject({
  k: z
    .union([z.literal('auto'), z.number().int().min(1).max(64)])
    .default('auto')
    .describe("number of clusters, or 'auto' (silhouette on a sample)"),
  k_min: z.number().int().min(2).default(2),
  k_max: z.number().int().min(2).max(64).default(10),
  sample_size: z.number().int().min(100).default(20_000).describe('rows ml-kmeans fits on'),
  silhouette_sample: z.number().int().min(50).default(1500),
  refine_iterations: z.number().int().min(0).default(10).describe('at most this many Lloyd iterations over all rows after the sample fit'),
  refine_tolerance: z
    .number()
    .min(0)
    .default(1e-4)
    .describe("refinement stops when the centroids' total squared shift is at most this times the mean feature variance (scikit-learn's rule)"),
  distance_quantile: z
    .number()
    .min(0.5)
    .max(0.999)
    .default(0.9)
    .describe("a row's distance is divided by this quantile of its cluster's training distances"),
  large_cluster_share: z
    .number()
    .min(0.5)
    .max(1)
    .default(0.9)
    .describe('CBLOF alpha: the largest clusters that together hold this share of rows are large'),
  small_cluster_ratio: z
    .number()
    .min(1)
    .default(5)
    .describe('CBLOF beta: or the clusters before the first size drop by this factor, whichever comes first; the rest are small'),
  scale_floor: z
    .enum(['all-rows', 'none'])
    .default('all-rows')
    .describe(
      "'all-rows': no cluster's scale is below the distance_quantile of every training row's distance, so a cluster tighter than the data as a whole cannot turn small deviations into large scores; 'none': each cluster's own quantile",
    ),
});
export type KMeansParams = z.infer<typeof KMeansParamsSchema>;

export const KMeansStateSchema = z.object({
  k: z.number().int(),
  centroids: z.array(z.array(z.number())).describe('in the scaled feature space, feature order'),
  cluster_sizes: z.array(z.number().int()),
  distance_scale: z
    .array(z.number().positive())
    .describe("per cluster: the distance_quantile of its training distances (at least that of all rows', with scale_floor 'all-rows')"),
  is_small: z.array(z.boolean()).describe('small clusters (CBLOF): their rows are scored against the nearest large cluster'),
  iterations: z.number().int(),
  silhouette: z.number().nullable(),
});
export type KMeansState = z.infer<typeof KMeansStateSchema>;

/** Index of the centroid nearest to the row at `offset`; its squared distance goes to `squared[slot]` (no allocation). */
function nearestCentroid(
  values: Float64Array,
  offset: number,
  d: number,
  centroids: Float64Array,
  k: number,
  squared: Float64Array,
  slot: number,
): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0, base = 0; c < k; c++, base += d) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const diff = (values[offset + j] as number) - (centroids[base + j] as number);
      sum += diff * diff;
    }
    if (sum < bestDistance) {
      bestDistance = sum;
      best = c;
    }
  }
  squared[slot] = bestDistance;
  return best;
}

function silhouette(points: number[][], labels: number[], k: number): number {
  const n = points.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = new Float64Array(k);
    const counts = new Float64Array(k);
    const p = points[i] as number[];
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const q = points[j] as number[];
      let s = 0;
      for (let t = 0; t < p.length; t++) s += ((p[t] as number) - (q[t] as number)) ** 2;
      const label = labels[j] as number;
      sums[label] = (sums[label] as number) + Math.sqrt(s);
      counts[label] = (counts[label] as number) + 1;
    }
    const own = labels[i] as number;
    if ((counts[own] as number) === 0) continue;
    const a = (sums[own] as number) / (counts[own] as number);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && (counts[c] as number) > 0) b = Math.min(b, (sums[c] as number) / (counts[c] as number));
    if (Number.isFinite(b)) total += (b - a) / Math.max(a, b, 1e-12);
  }
  return total / n;
}

/** Mean over features of their variance: the scale scikit-learn's tolerance is relative to. */
function meanFeatureVariance(matrix: FeatureMatrix): number {
  const d = matrix.featureNames.length;
  const n = matrix.rowCount;
  const mean = new Float64Array(d);
  const meanSquare = new Float64Array(d);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < d; j++, k++) {
      const v = matrix.values[k] as number;
      mean[j] = (mean[j] as number) + v;
      meanSquare[j] = (meanSquare[j] as number) + v * v;
    }
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += Math.max(0, (meanSquare[j] as number) / n - ((mean[j] as number) / n) ** 2);
  return total / d;
}

/**
 * One Lloyd assignment pass over every row, without allocating per row: writes each row's nearest centroid and
 * squared distance, and returns how many assignments changed with the per-cluster sums and counts.
 */
function assignToNearest(
  matrix: FeatureMatrix,
  centroids: Float64Array,
  k: number,
  assignment: Int32Array,
  squared: Float64Array,
): { changed: number; sums: Float64Array; counts: Float64Array } {
  const d = matrix.featureNames.length;
  const values = matrix.values;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let changed = 0;
  for (let i = 0, offset = 0; i < matrix.rowCount; i++, offset += d) {
    const best = nearestCentroid(values, offset, d, centroids, k, squared, i);
    if (assignment[i] !== best) changed++;
    assignment[i] = best;
    counts[best] = (counts[best] as number) + 1;
    for (let j = 0, b = best * d; j < d; j++) sums[b + j] = (sums[b + j] as number) + (values[offset + j] as number);
  }
  return { changed, sums, counts };
}

function rowsOf(matrix: FeatureMatrix, indices: Uint32Array): number[][] {
  const d = matrix.featureNames.length;
  return Array.from(indices, (i) => Array.from(matrix.values.subarray(i * d, (i + 1) * d)));
}

function createFittedKMeans(featureNames: readonly string[], params: KMeansParams, state: KMeansState): FittedDetector<KMeansState> {
  const d = featureNames.length;
  const k = state.k;
  const centroids = Float64Array.from(state.centroids.flat());
  const scale = Float64Array.from(state.distance_scale);
  const normal = state.is_small.map((small, c) => (small ? -1 : c)).filter((c) => c >= 0);
  const normalClusters = normal.length > 0 ? normal : Array.from({ length: k }, (_, c) => c);

  /** The cluster a row is scored against (nearest normal cluster, by relative distance) and its score. */
  const scoreRow = (values: Float64Array, offset: number): { cluster: number; score: number } => {
    let best = -1;
    let bestScore = Infinity;
    for (const c of normalClusters) {
      let sum = 0;
      const base = c * d;
      for (let j = 0; j < d; j++) {
        const diff = (values[offset + j] as number) - (centroids[base + j] as number);
        sum += diff * diff;
      }
      const relative = Math.sqrt(sum) / (scale[c] as number);
      if (relative < bestScore) {
        bestScore = relative;
        best = c;
      }
    }
    return { cluster: best, score: bestScore };
  };

  const explainRow = (row: Float64Array): RowExplanation => {
    assertFiniteRow(featureNames, row, 'k-means detector');
    const { cluster, score } = scoreRow(row, 0);
    const parts = new Float64Array(d);
    let total = 0;
    for (let j = 0; j < d; j++) {
      parts[j] = ((row[j] as number) - (centroids[cluster * d + j] as number)) ** 2;
      total += parts[j] as number;
    }
    total ||= 1;
    for (let j = 0; j < d; j++) parts[j] = (score * (parts[j] as number)) / total;
    return { score, contributions: parts };
  };
  return {
    kind: 'kmeans',
    params,
    featureNames,
    state,
    anomalyScores(matrix) {
      assertSameFeatures(featureNames, matrix.featureNames, 'k-means detector');
      assertFinite(matrix, 'k-means detector');
      const out = new Float64Array(matrix.rowCount);
      for (let i = 0; i < matrix.rowCount; i++) out[i] = scoreRow(matrix.values, i * d).score;
      return out;
    },
    explainRow,
    featureContributions: (row) => namedContributions(featureNames, explainRow(row)),
    async toArtifact(): Promise<DetectorArtifact> {
      return { kind: 'kmeans', format_version: FORMAT_VERSION, feature_names: [...featureNames], params, state, files: {} };
    },
    dispose() {},
  };
}

/**
 * CBLOF's split: clusters by size, largest first; the large ones end where together they hold `large_cluster_share`
 * of the rows or where the next one is `small_cluster_ratio` times smaller, whichever comes first.
 */
function smallClusters(sizes: readonly number[], params: KMeansParams): boolean[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const order = sizes.map((_, c) => c).sort((a, b) => (sizes[b] as number) - (sizes[a] as number));
  let lastLarge = order.length - 1;
  let held = 0;
  for (let i = 0; i < order.length - 1; i++) {
    const size = sizes[order[i] as number] as number;
    held += size;
    if (held >= params.large_cluster_share * n || size >= params.small_cluster_ratio * (sizes[order[i + 1] as number] as number)) {
      lastLarge = i;
      break;
    }
  }
  const small = new Array<boolean>(sizes.length).fill(false);
  for (let i = lastLarge + 1; i < order.length; i++) small[order[i] as number] = true;
  return small;
}

/** Nearest cluster of every row (any cluster, small ones included): the analysts' cluster assignment. */
const flatCentroids = new WeakMap<KMeansState, Float64Array>();

export function assignClusters(state: KMeansState, matrix: FeatureMatrix): Int32Array {
  const d = matrix.featureNames.length;
  // serving assigns one account per call: flatten a model's centroids once, not per account
  let centroids = flatCentroids.get(state);
  if (!centroids) flatCentroids.set(state, (centroids = Float64Array.from(state.centroids.flat())));
  const out = new Int32Array(matrix.rowCount);
  const squared = new Float64Array(1);
  for (let i = 0; i < matrix.rowCount; i++) out[i] = nearestCentroid(matrix.values, i * d, d, centroids, state.k, squared, 0);
  return out;
}

export const kmeansDetectorSpec: DetectorSpec<KMeansParams, KMeansState> = {
  kind: 'kmeans',
  formatVersion: FORMAT_VERSION,
  paramsSchema: KMeansParamsSchema,
  async fit(matrix, rawParams, options) {
    const params = KMeansParamsSchema.parse(rawParams);
    assertFinite(matrix, 'k-means detector');
    if (matrix.rowCount < 10) throw new RangeError(`k-means detector needs at least 10 rows, got ${matrix.rowCount}`);
    const d = matrix.featureNames.length;
    const n = matrix.rowCount;
    const sample = rowsOf(matrix, sampleRowIndices(n, params.sample_size, options.seed));
    let k = params.k === 'auto' ? 0 : Math.min(params.k, sample.length);
    let bestSilhouette: number | null = null;
    if (k === 0) {
      const small = rowsOf(matrix, sampleRowIndices(n, params.silhouette_sample, options.seed + 1));
      const kMax = Math.min(params.k_max, Math.floor(small.length / 5));
      for (let candidate = params.k_min; candidate <= kMax; candidate++) {
        const result = kmeans(small, candidate, { seed: options.seed, initialization: 'kmeans++', maxIterations: 50 });
        const value = silhouette(small, result.clusters, candidate);
        options.onProgress?.({
          step: 'choose k',
          done: candidate - params.k_min + 1,
          total: kMax - params.k_min + 1,
          detail: `k=${candidate} silhouette ${value.toFixed(3)}`,
        });
        if (bestSilhouette === null || value > bestSilhouette + 1e-9) {
          bestSilhouette = value;
          k = candidate;
        }
      }
      if (k === 0) k = Math.min(params.k_min, sample.length);
      // the line left on screen is the last event: name the k chosen, not the last candidate tried
      const tried = Math.max(0, kMax - params.k_min + 1);
      options.onProgress?.({
        step: 'choose k',
        done: tried,
        total: tried,
        detail: `chose k=${k}${bestSilhouette === null ? '' : ` (silhouette ${bestSilhouette.toFixed(3)})`}`,
      });
    }
    const fitted = kmeans(sample, k, { seed: options.seed, initialization: 'kmeans++', maxIterations: 100 });
    const centroids = Float64Array.from(fitted.centroids.flat());
    const assignment = new Int32Array(n).fill(-1);
    const squared = new Float64Array(n);
    const tolerance = params.refine_tolerance * meanFeatureVariance(matrix);
    let iterations = fitted.iterations;
    for (let iteration = 0; ; iteration++) {
      const { changed, sums, counts } = assignToNearest(matrix, centroids, k, assignment, squared);
      if (iteration === params.refine_iterations || (iteration > 0 && changed === 0)) break;
      let shift = 0;
      for (let c = 0; c < k; c++) {
        const count = counts[c] as number;
        if (count === 0) continue;
        for (let j = c * d; j < (c + 1) * d; j++) {
          const moved = (sums[j] as number) / count;
          shift += (moved - (centroids[j] as number)) ** 2;
          centroids[j] = moved;
        }
      }
      iterations++;
      if (shift <= tolerance) {
        // the centroids moved: assignments and distances must describe the final ones
        assignToNearest(matrix, centroids, k, assignment, squared);
        break;
      }
    }
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) sizes[assignment[i] as number] = (sizes[assignment[i] as number] as number) + 1;
    const distances = Float64Array.from(squared, Math.sqrt);
    const perCluster = sizes.map((size) => new Float64Array(size));
    const filled = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i] as number;
      const slot = filled[c] as number;
      (perCluster[c] as Float64Array)[slot] = distances[i] as number;
      filled[c] = slot + 1;
    }
    /** the distance_quantile of some distances (sorts them in place) */
    const quantileOf = (values: Float64Array) => quantileOfSorted(values.sort(), params.distance_quantile);
    const rawScales = perCluster.map((clusterDistances) => (clusterDistances.length === 0 ? 0 : quantileOf(clusterDistances)));
    const positive = rawScales.filter((s) => s > 0);
    // Real tables hold clusters far tighter than the data (near-duplicate rows, a value many rows share): measured
    // against their own spread, any small deviation from them scores as extreme (development sets, bench/RESULTS.md)
    const allRows = params.scale_floor === 'all-rows' ? quantileOf(distances) : 0;
    const floor = Math.max(allRows, positive.length > 0 ? median(positive) * 0.1 : 1);
    const state: KMeansState = {
      k,
      centroids: Array.from({ length: k }, (_, c) => Array.from(centroids.subarray(c * d, (c + 1) * d))),
      cluster_sizes: sizes,
      distance_scale: rawScales.map((s) => Math.max(s, floor, 1e-9)),
      is_small: smallClusters(sizes, params),
      iterations,
      silhouette: bestSilhouette,
    };
    const detector = createFittedKMeans(matrix.featureNames, params, state);
    return { detector, trainingScores: detector.anomalyScores(matrix) };
  },
  async restore(artifact) {
    checkArtifactHeader(artifact, 'kmeans', FORMAT_VERSION);
    // versions saved before scale_floor existed measured each cluster by its own spread; say so, not the new default
    const params = KMeansParamsSchema.parse({ scale_floor: 'none', ...artifact.params });
    const state = KMeansStateSchema.parse(artifact.state);
    if (state.centroids.some((c) => c.length !== artifact.feature_names.length))
      throw new RangeError('k-means artifact: centroid length differs from its feature names');
    return createFittedKMeans(artifact.feature_names, params, state);
  },
};
