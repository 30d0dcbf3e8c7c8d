// Isolation forest (Liu et al. 2008) on typed arrays: 256-row subsamples, random axis splits, path-length score.
//
// The npm packages grow each tree on the whole data set (not the standard algorithm) and are 10-25x slower.
import { z } from 'zod';
import { createSeededRandom } from '../../data/seeded-random.js';
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

export const IsolationForestParamsSchema = z.strictObject({
  trees: z.number().int().min(1).max(1000).default(100),
  subsample: z.number().int().min(2).default(256),
});
export type IsolationForestParams = z.infer<typeof IsolationForestParamsSchema>;

// A tree is stored flat: per node its split feature (-1 = leaf), threshold, children and leaf size.
const TreeSchema = z.object({
  feature: z.array(z.number().int()),
  threshold: z.array(z.number()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  size: z.array(z.number().int()),
});
export const IsolationForestStateSchema = z.object({ subsample: z.number().int(), trees: z.array(TreeSchema) });
export type IsolationForestState = z.infer<typeof IsolationForestStateSchema>;
type Tree = z.infer<typeof TreeSchema>;

/** Average path length of an unsuccessful BST search over n points: the normaliser c(n). */
function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

function growTree(matrix: FeatureMatrix, rows: number[], maxDepth: number, random: ReturnType<typeof createSeededRandom>): Tree {
  const d = matrix.featureNames.length;
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], size: [] };
  const features = Int32Array.from({ length: d }, (_, j) => j);
  const addNode = (nodeRows: number[], depth: number): number => {
    const id = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.size.push(nodeRows.length);
    if (depth >= maxDepth || nodeRows.length <= 1) return id;
    // a random feature that is not constant in this node, drawn without replacement so that the node becomes a leaf
    // only when every feature is constant in it (scikit-learn's rule; d draws with replacement missed the one varying
    // feature of a node about a third of the time)
    for (let remaining = d; remaining > 0; remaining--) {
      const pick = random.int(0, remaining - 1);
      const feature = features[pick] as number;
      features[pick] = features[remaining - 1] as number;
      features[remaining - 1] = feature;
      let min = Infinity;
      let max = -Infinity;
      for (const r of nodeRows) {
        const v = matrix.values[r * d + feature] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!(max > min)) continue;
      const threshold = min + random.next() * (max - min);
      const leftRows = nodeRows.filter((r) => (matrix.values[r * d + feature] as number) < threshold);
      const rightRows = nodeRows.filter((r) => (matrix.values[r * d + feature] as number) >= threshold);
      tree.feature[id] = feature;
      tree.threshold[id] = threshold;
      tree.left[id] = addNode(leftRows, depth + 1);
      tree.right[id] = addNode(rightRows, depth + 1);
      return id;
    }
    return id;
  };
  addNode(rows, 0);
  return tree;
}

/**
 * Every tree's nodes in one set of arrays (children as positions in them), with each leaf's path-length adjustment
 * computed once: a scored row walks 100 trees, and per-tree objects and a logarithm per leaf reached cost more than
 * the walk (issue 21). Same sums in the same order as walking the stored trees.
 */
function flatForest(trees: readonly Tree[]) {
  const total = trees.reduce((n, t) => n + t.feature.length, 0);
  const forest = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    leafPath: new Float64Array(total),
  };
  let base = 0;
  trees.forEach((tree, t) => {
    forest.roots[t] = base;
    for (let i = 0; i < tree.feature.length; i++) {
      const at = base + i;
      const split = tree.feature[i] as number;
      forest.feature[at] = split;
      forest.threshold[at] = tree.threshold[i] as number;
      forest.left[at] = base + (tree.left[i] as number);
      forest.right[at] = base + (tree.right[i] as number);
      forest.leafPath[at] = split < 0 ? averagePathLength(tree.size[i] as number) : 0;
    }
    base += tree.feature.length;
  });
  return forest;
}

function createFittedForest(
  featureNames: readonly string[],
  params: IsolationForestParams,
  state: IsolationForestState,
): FittedDetector<IsolationForestState> {
  const d = featureNames.length;
  const forest = flatForest(state.trees);
  const normaliser = averagePathLength(state.subsample);
  const treeCount = state.trees.length;
  const pathLengths = (values: Float64Array, offset: number, perFeature: Float64Array | null): number => {
    const { roots, feature, threshold, left, right, leafPath } = forest;
    let total = 0;
    for (let t = 0; t < treeCount; t++) {
      let node = roots[t] as number;
      let depth = 0;
      let split = feature[node] as number;
      while (split >= 0) {
        if (perFeature) perFeature[split] = (perFeature[split] as number) + 1;
        node = (values[offset + split] as number) < (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
        split = feature[node] as number;
        depth++;
      }
      total += depth + (leafPath[node] as number);
    }
    return total / treeCount;
  };
  const scoreOf = (meanPath: number) => 2 ** (-meanPath / normaliser);
  const explainRow = (row: Float64Array): RowExplanation => {
    assertFiniteRow(featureNames, row, 'isolation forest');
    // splits that isolate the row early point at the features that set it apart: share of splits per feature
    const splits = new Float64Array(d);
    const score = scoreOf(pathLengths(row, 0, splits));
    let total = 0;
    for (let j = 0; j < d; j++) total += splits[j] as number;
    total ||= 1;
    for (let j = 0; j < d; j++) splits[j] = (score * (splits[j] as number)) / total;
    return { score, contributions: splits };
  };
  return {
    kind: 'isolation-forest',
    params,
    featureNames,
    state,
    anomalyScores(matrix) {
      assertSameFeatures(featureNames, matrix.featureNames, 'isolation forest');
      assertFinite(matrix, 'isolation forest');
      const out = new Float64Array(matrix.rowCount);
      for (let i = 0; i < matrix.rowCount; i++) out[i] = scoreOf(pathLengths(matrix.values, i * d, null));
      return out;
    },
    explainRow,
    featureContributions: (row) => namedContributions(featureNames, explainRow(row)),
    async toArtifact(): Promise<DetectorArtifact> {
      return { kind: 'isolation-forest', format_version: 1, feature_names: [...featureNames], params, state, files: {} };
    },
    dispose() {},
  };
}

export const isolationForestDetectorSpec: DetectorSpec<IsolationForestParams, IsolationForestState> = {
  kind: 'isolation-forest',
  formatVersion: 1,
  paramsSchema: IsolationForestParamsSchema,
  async fit(matrix, rawParams, options) {
    const params = IsolationForestParamsSchema.parse(rawParams);
    assertFinite(matrix, 'isolation forest');
    if (matrix.rowCount < 2) throw new RangeError(`isolation forest needs at least 2 rows, got ${matrix.rowCount}`);
    const random = createSeededRandom(options.seed).fork('isolation-forest');
    const subsample = Math.min(params.subsample, matrix.rowCount);
    const maxDepth = Math.ceil(Math.log2(subsample));
    const all = Array.from({ length: matrix.rowCount }, (_, i) => i);
    const trees: Tree[] = [];
    for (let t = 0; t < params.trees; t++) {
      const rows = subsample === matrix.rowCount ? all : random.shuffle([...all]).slice(0, subsample);
      trees.push(growTree(matrix, rows, maxDepth, random));
    }
    const detector = createFittedForest(matrix.featureNames, params, { subsample, trees });
    return { detector, trainingScores: detector.anomalyScores(matrix) };
  },
  async restore(artifact) {
    checkArtifactHeader(artifact, 'isolation-forest', 1);
    return createFittedForest(
      artifact.feature_names,
      IsolationForestParamsSchema.parse(artifact.params),
      IsolationForestStateSchema.parse(artifact.state),
    );
  },
};
