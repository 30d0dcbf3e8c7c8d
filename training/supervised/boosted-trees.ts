// Gradient-boosted trees with sample weights (logistic loss, histogram splits, seeded row and input subsampling): fit, JSON state, predict.
//
// Written here because no maintained package fits (measured: bench/feedback-dev.bench.ts's notes and bench/RESULTS.md).
// The registry has no maintained GBDT for JS; mljs ml-random-forest takes no sample weights and its ml-cart trees
// took 18.6 s for 10 trees on 1,000 rows × 100 inputs (about 30 minutes for the forests the layer fits), and
// ml-logistic-regression has neither weights nor regularisation. This follows LightGBM/XGBoost's second-order
// boosting: per tree, gradients g = w(p - y) and hessians h = w p(1 - p); a split's gain is
// G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ); a leaf's value is -G/(H+λ), shrunk by the learning rate.
import { z } from 'zod';
import { createSeededRandom, type SeededRandom } from '../../data/seeded-random.js';

export const BoostingParamsSchema = z.strictObject({
  trees: z.number().int().min(1).max(2000).default(200),
  learning_rate: z.number().gt(0).max(1).default(0.05),
  max_depth: z.number().int().min(1).max(12).default(3),
  min_child_weight: z.number().nonnegative().default(1).describe('least hessian (weighted p(1-p)) in a leaf'),
  lambda: z.number().nonnegative().default(1).describe('L2 penalty of leaf values'),
  row_sample: z.number().gt(0).max(1).default(0.8),
  input_sample: z.number().gt(0).max(1).default(0.5),
  bins: z.number().int().min(4).max(255).default(32).describe('candidate split points per input (quantiles of the training rows)'),
});
export type BoostingParams = z.infer<typeof BoostingParamsSchema>;

/** A tree as flat arrays: node k splits on input[k] at threshold[k] (value <= threshold goes left); input -1 is a leaf. */
const TreeSchema = z.object({
  input: z.array(z.number().int()),
  threshold: z.array(z.number()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  value: z.array(z.number()),
});
type Tree = z.infer<typeof TreeSchema>;

/** The starting margin: a constant, or a logistic calibration (Platt scaling) of one input the trees then correct. */
const OffsetSchema = z.object({ input: z.number().int().nonnegative(), intercept: z.number(), slope: z.number() });
export type MarginOffset = z.infer<typeof OffsetSchema>;

export const BoostedTreesSchema = z.object({ base_logit: z.number(), offset: OffsetSchema.nullable(), trees: z.array(TreeSchema) });
export type BoostedTrees = z.infer<typeof BoostedTreesSchema>;

interface Binned {
  /** per input: the split points (ascending) */
  readonly edges: Float64Array[];
  /** row-major bin index of every row and input */
  readonly bins: Uint8Array;
}

function binInputs(rows: readonly Float64Array[], d: number, maxBins: number): Binned {
  const edges: Float64Array[] = [];
  const bins = new Uint8Array(rows.length * d);
  for (let j = 0; j < d; j++) {
    const sorted = Float64Array.from(rows, (row) => row[j] as number).sort();
    const cuts = new Set<number>();
    for (let b = 1; b < maxBins; b++) {
      const k = Math.floor((b / maxBins) * sorted.length);
      const lower = sorted[k - 1] as number;
      const upper = sorted[k] as number;
      if (upper > lower) cuts.add((lower + upper) / 2);
    }
    const e = Float64Array.from([...cuts].sort((a, b) => a - b));
    edges.push(e);
    rows.forEach((row, i) => {
      let b = 0;
      while (b < e.length && (row[j] as number) > (e[b] as number)) b++;
      bins[i * d + j] = b;
    });
  }
  return { edges, bins };
}

interface Split {
  readonly input: number;
  readonly bin: number;
  readonly gain: number;
}

/** The best split of `rows` over `inputs` by second-order gain, or null when none beats the leaf. */
function bestSplit(
  binned: Binned,
  d: number,
  rows: readonly number[],
  inputs: readonly number[],
  g: Float64Array,
  h: Float64Array,
  params: BoostingParams,
): Split | null {
  let G = 0;
  let H = 0;
  for (const i of rows) {
    G += g[i] as number;
    H += h[i] as number;
  }
  const parent = (G * G) / (H + params.lambda);
  let best: Split | null = null;
  for (const j of inputs) {
    const count = (binned.edges[j] as Float64Array).length + 1;
    if (count < 2) continue;
    const gHist = new Float64Array(count);
    const hHist = new Float64Array(count);
    for (const i of rows) {
      const b = binned.bins[i * d + j] as number;
      gHist[b]! += g[i] as number;
      hHist[b]! += h[i] as number;
    }
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < count - 1; b++) {
      gl += gHist[b] as number;
      hl += hHist[b] as number;
      const hr = H - hl;
      if (hl < params.min_child_weight || hr < params.min_child_weight) continue;
      const gain = (gl * gl) / (hl + params.lambda) + ((G - gl) * (G - gl)) / (hr + params.lambda) - parent;
      if (gain > 1e-12 && (!best || gain > best.gain)) best = { input: j, bin: b, gain };
    }
  }
  return best;
}

function growTree(binned: Binned, d: number, rows: number[], g: Float64Array, h: Float64Array, params: BoostingParams, random: SeededRandom): Tree {
  const tree: Tree = { input: [], threshold: [], left: [], right: [], value: [] };
  const inputs = random.shuffle(Array.from({ length: d }, (_, j) => j)).slice(0, Math.max(1, Math.round(params.input_sample * d)));
  const grow = (nodeRows: number[], depth: number): number => {
    const node = tree.input.length;
    tree.input.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    let G = 0;
    let H = 0;
    for (const i of nodeRows) {
      G += g[i] as number;
      H += h[i] as number;
    }
    tree.value.push((-G / (H + params.lambda)) * params.learning_rate);
    const split = depth < params.max_depth ? bestSplit(binned, d, nodeRows, inputs, g, h, params) : null;
    if (!split) return node;
    tree.input[node] = split.input;
    tree.threshold[node] = (binned.edges[split.input] as Float64Array)[split.bin] as number;
    tree.left[node] = grow(
      nodeRows.filter((i) => (binned.bins[i * d + split.input] as number) <= split.bin),
      depth + 1,
    );
    tree.right[node] = grow(
      nodeRows.filter((i) => (binned.bins[i * d + split.input] as number) > split.bin),
      depth + 1,
    );
    return node;
  };
  grow(rows, 0);
  return tree;
}

function treeValue(tree: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while ((tree.input[node] as number) >= 0)
    node =
      (row[tree.input[node] as number] as number) <= (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
  return tree.value[node] as number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Platt scaling of one input: intercept and slope of a weighted logistic regression of `labels` on it (Newton steps,
 * with a small ridge so a perfectly separating input still gives finite values).
 */
export function fitMarginOffset(rows: readonly Float64Array[], labels: Uint8Array, weights: Float64Array, input: number): MarginOffset {
  let a = 0;
  let b = 0;
  const ridge = 1e-3 * weights.reduce((s, w) => s + w, 0);
  for (let step = 0; step < 50; step++) {
    let ga = 0,
      gb = 0,
      haa = ridge,
      hab = 0,
      hbb = ridge;
    rows.forEach((row, i) => {
      const x = row[input] as number;
      const w = weights[i] as number;
      const p = sigmoid(a + b * x);
      const r = w * ((labels[i] as number) - p);
      const v = w * p * (1 - p);
      ga += r;
      gb += r * x;
      haa += v;
      hab += v * x;
      hbb += v * x * x;
    });
    gb -= ridge * b;
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { input, intercept: a, slope: b };
}

function startingMargin(model: Pick<BoostedTrees, 'base_logit' | 'offset'>, row: ArrayLike<number>): number {
  return model.offset ? model.offset.intercept + model.offset.slope * (row[model.offset.input] as number) : model.base_logit;
}

/**
 * Fits the trees to 0/1 `labels` with per-row `weights`, starting from `offset` (else the weighted log odds); seeded,
 * so the same input gives the same trees.
 */
export function fitBoostedTrees(
  rows: readonly Float64Array[],
  labels: Uint8Array,
  weights: Float64Array,
  params: BoostingParams,
  seed: number,
  offset: MarginOffset | null = null,
): BoostedTrees {
  if (rows.length === 0) throw new RangeError('boosting needs at least one row');
  const d = (rows[0] as Float64Array).length;
  const binned = binInputs(rows, d, params.bins);
  const random = createSeededRandom(seed);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const positive = labels.reduce((a, y, i) => a + y * (weights[i] as number), 0);
  const mean = Math.min(1 - 1e-6, Math.max(1e-6, positive / totalWeight));
  const baseLogit = Math.log(mean / (1 - mean));
  // weights rescaled to mean 1, so min_child_weight and lambda mean the same whatever the weighting
  const w = Float64Array.from(weights, (v) => (v * rows.length) / totalWeight);
  const margin = Float64Array.from(rows, (row) => startingMargin({ base_logit: baseLogit, offset }, row));
  const g = new Float64Array(rows.length);
  const h = new Float64Array(rows.length);
  const trees: Tree[] = [];
  for (let t = 0; t < params.trees; t++) {
    for (let i = 0; i < rows.length; i++) {
      const p = sigmoid(margin[i] as number);
      g[i] = (w[i] as number) * (p - (labels[i] as number));
      h[i] = (w[i] as number) * Math.max(1e-6, p * (1 - p));
    }
    const sample = Array.from({ length: rows.length }, (_, i) => i).filter(() => params.row_sample >= 1 || random.chance(params.row_sample));
    const tree = growTree(binned, d, sample, g, h, params, random);
    trees.push(tree);
    rows.forEach((row, i) => (margin[i] = (margin[i] as number) + treeValue(tree, row)));
  }
  return { base_logit: baseLogit, offset, trees };
}

/** Probability of label 1 for one row of inputs. */
export function boostedTreesProbability(model: BoostedTrees, row: ArrayLike<number>): number {
  let margin = startingMargin(model, row);
  for (const tree of model.trees) margin += treeValue(tree, row);
  return sigmoid(margin);
}
