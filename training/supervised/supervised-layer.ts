// The supervised layer: boosted trees over the layer inputs of labelled accounts, its label-set thresholds, and the risk it gives one account.
//
// Trees suit the task: what tells a ring from an agency is an interaction (shared bank AND templated texts AND new
// accounts), which a linear layer cannot express; why the trees are our own is said in boosted-trees.ts.
//
// By default the trees read the scaled features only and learn positive-unlabelled: every account nobody labelled is
// fitted as honest beside the labels. Analysts label the top of the ranking, so detector z scores and the risk part
// mostly teach "high risk is fraud", which the unsupervised score already says; the features alone, against the whole
// population, teach what labelled fraud looks like, and find it lower in the ranking (development worlds 3-5: account
// takeovers the unsupervised model ranks low; bench/RESULTS.md, issue 20, round 3).
import { z } from 'zod';
import { createSeededRandom } from '../../data/seeded-random.js';
import {
  type BoostedTrees,
  BoostedTreesSchema,
  BoostingParamsSchema,
  boostedTreesProbability,
  fitBoostedTrees,
  fitMarginOffset,
} from './boosted-trees.js';
import { LAYER_INPUT_NAMES } from './layer-inputs.js';
import { ThresholdEstimateSchema, thresholdForPrecision } from './precision-thresholds.js';
export const SupervisedParamsSchema = z
  .strictObject({
    min_labels: z.number().int().min(2).default(30).describe('fewer labelled accounts (or no label of one class) and the model stays unsupervised'),
    boosting: BoostingParamsSchema.prefault({}),
    inputs: z
      .enum(['features', 'all'])
      .default('features')
      .describe("what the trees read: the scaled features only, or also the detectors' z scores and the identity, rule and risk parts"),
    start_from: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'layer input the trees start from (calibrated to the labels by Platt scaling) and then correct, e.g. part:risk with inputs "all"; null: start from the base rate',
      ),
    max_weight: z
      .number()
      .min(1)
      .default(1)
      .describe(
        "cap of a label's inverse-propensity weight in the trees' fit (1: every label weighs the same; thresholds always use the uncapped weights)",
      ),
    unlabelled_weight: z
      .number()
      .nonnegative()
      .default(1)
      .describe('weight of each account nobody labelled, fitted as honest (positive-unlabelled learning); 0: the labelled accounts only'),
    max_unlabelled: z
      .number()
      .int()
      .positive()
      .default(50_000)
      .describe('at most this many accounts nobody labelled (a seeded sample) are fitted and counted against the thresholds'),
    folds: z.number().int().min(2).max(20).default(5).describe('folds of the out-of-fold predictions that set the thresholds'),
    flag_precision: z.number().gt(0).lt(1).default(0.9).describe('target precision of FLAG_FOR_REVIEW or higher'),
    block_precision: z.number().gt(0).lt(1).default(0.95).describe('target precision of BLOCK_ACCOUNT'),
    confidence: z
      .number()
      .gt(0.5)
      .lt(1)
      .default(0.95)
      .describe("confidence of the lower bounds: a threshold is set where its precision's lower bound reaches the target"),
    may_lower: z
      .boolean()
      .default(false)
      .describe(
        'whether the layer may lower an unsupervised score (default: it only raises one, where its thresholds vouch for FLAG or BLOCK; the labels of a top-of-ranking review say little about the accounts below it)',
      ),
    novelty_quantile: z
      .number()
      .gt(0)
      .max(1)
      .default(0.99)
      .describe(
        "an account farther from every labelled account than this quantile of the labelled accounts' own nearest-neighbour distances is novel: it keeps at least its unsupervised risk (a kind nobody labelled must not get worse)",
      ),
  })
  .refine((p) => p.block_precision > p.flag_precision, {
    message: 'block_precision must be above flag_precision (BLOCK is the stricter action)',
    path: ['block_precision'],
  })
  .prefault({});
export type SupervisedParams = z.infer<typeof SupervisedParamsSchema>;

export const SUPERVISED_LAYER_FORMAT = 1;

export const SupervisedLayerSchema = z.object({
  kind: z.literal('supervised-boosted-trees'),
  format_version: z.literal(SUPERVISED_LAYER_FORMAT),
  input_names: z.array(z.string()),
  params: z.record(z.string(), z.unknown()).describe('the SupervisedParams it was fitted with'),
  labels: z.object({ fraud: z.number().int(), honest: z.number().int(), kinds: z.record(z.string(), z.number().int()) }),
  trees: BoostedTreesSchema,
  flag: ThresholdEstimateSchema,
  block: ThresholdEstimateSchema,
  /** labelled accounts' inputs, row-major, for the novelty distance (features only, never identifiers) */
  labelled_inputs: z.array(z.number()),
  novelty_radius: z.number().nonnegative(),
  input_scale: z.array(z.number().positive()).describe('per input: spread used to put inputs on one scale in the novelty distance'),
});
export type SupervisedLayerState = z.infer<typeof SupervisedLayerSchema>;

export interface LabelledRows {
  /** layer inputs of the labelled accounts, one Float64Array per account */
  readonly inputs: readonly Float64Array[];
  readonly labels: Uint8Array;
  readonly kinds: readonly string[];
  /** inverse-propensity weights, capped: what the trees are fitted with */
  readonly weights: Float64Array;
  /** the same uncapped: what the thresholds' precision is estimated with (the labels standing for the population) */
  readonly populationWeights: Float64Array;
  /**
   * layer inputs of accounts nobody labelled (a sample of `total` such accounts), fitted as honest with
   * `unlabelled_weight` and counted against the thresholds; absent: the labels only
   */
  readonly unlabelled?: { readonly inputs: readonly Float64Array[]; readonly total: number };
}

/** Columns of the layer inputs the trees read (`inputs` param), by name. */
function selectedColumns(inputNames: readonly string[], inputs: SupervisedParams['inputs']): number[] {
  return inputNames.flatMap((name, j) => (inputs === 'all' || name.startsWith('feature:') ? [j] : []));
}

const selectColumns = (row: Float64Array, columns: readonly number[]) => Float64Array.from(columns, (j) => row[j] as number);

/** Trees fitted to some labelled rows, starting from the Platt-scaled `start_from` input when there is one. */
function fitLayerTrees(
  labelled: readonly Float64Array[],
  labelledLabels: Uint8Array,
  labelledWeights: Float64Array,
  unlabelled: readonly Float64Array[],
  startInput: number,
  params: SupervisedParams,
  seed: number,
): BoostedTrees {
  const withUnlabelled = params.unlabelled_weight > 0 ? unlabelled : [];
  const inputs = [...labelled, ...withUnlabelled];
  const labels = Uint8Array.from({ length: inputs.length }, (_, i) => (i < labelled.length ? (labelledLabels[i] as number) : 0));
  const weights = Float64Array.from({ length: inputs.length }, (_, i) =>
    i < labelled.length ? (labelledWeights[i] as number) : params.unlabelled_weight,
  );
  const offset = startInput >= 0 ? fitMarginOffset(inputs, labels, weights, startInput) : null;
  return fitBoostedTrees(inputs, labels, weights, params.boosting, seed, offset);
}

/** Out-of-fold probabilities: each labelled account predicted by trees that never saw its label (every fold fits the unlabelled accounts). */
function outOfFoldProbabilities(
  rows: LabelledRows,
  unlabelled: readonly Float64Array[],
  startInput: number,
  params: SupervisedParams,
  seed: number,
): Float64Array {
  const n = rows.labels.length;
  const fold = Uint8Array.from(
    createSeededRandom(seed)
      .fork('folds')
      .shuffle(Array.from({ length: n }, (_, i) => i % params.folds)),
  );
  const out = new Float64Array(n);
  for (let f = 0; f < params.folds; f++) {
    const train = [...fold.keys()].filter((i) => fold[i] !== f);
    const test = [...fold.keys()].filter((i) => fold[i] === f);
    const trees = fitLayerTrees(
      train.map((i) => rows.inputs[i] as Float64Array),
      Uint8Array.from(train, (i) => rows.labels[i] as number),
      Float64Array.from(train, (i) => rows.weights[i] as number),
      unlabelled,
      startInput,
      params,
      seed + 1 + f,
    );
    for (const i of test) out[i] = boostedTreesProbability(trees, rows.inputs[i] as Float64Array);
  }
  return out;
}

function inputScale(inputs: readonly Float64Array[], d: number): number[] {
  return Array.from({ length: d }, (_, j) => {
    const values = inputs.map((row) => row[j] as number);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return sd > 1e-9 ? sd : 1;
  });
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>, bOffset: number, scale: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < scale.length; j++) {
    const diff = ((a[j] as number) - (b[bOffset + j] as number)) / (scale[j] as number);
    sum += diff * diff;
  }
  return sum;
}

/** Distance from `row` to the nearest labelled account (scaled inputs); `skip` leaves one labelled row out. */
export function distanceToLabelled(layer: Pick<SupervisedLayerState, 'labelled_inputs' | 'input_scale'>, row: ArrayLike<number>, skip = -1): number {
  const d = layer.input_scale.length;
  let best = Infinity;
  for (let offset = 0, k = 0; offset < layer.labelled_inputs.length; offset += d, k++) {
    if (k === skip) continue;
    best = Math.min(best, squaredDistance(row, layer.labelled_inputs, offset, layer.input_scale));
  }
  return Math.sqrt(best);
}

/**
 * Fits the layer, or returns null when the labels cannot support one (too few, or one class only). `rows` hold every
 * layer input (`inputNames`); the layer keeps the columns its `inputs` param names.
 */
export function fitSupervisedLayer(
  rows: LabelledRows,
  inputNames: readonly string[],
  params: SupervisedParams,
  seed: number,
): SupervisedLayerState | null {
  const fraud = rows.labels.reduce((a, b) => a + b, 0);
  const honest = rows.labels.length - fraud;
  if (rows.labels.length < params.min_labels || fraud < 2 || honest < 2) return null;
  const columns = selectedColumns(inputNames, params.inputs);
  if (columns.length === 0) throw new RangeError(`no layer input is among the layer's inputs (${params.inputs})`);
  const names = columns.map((j) => inputNames[j] as string);
  const startInput = params.start_from === null ? -1 : names.indexOf(params.start_from);
  if (params.start_from !== null && startInput < 0)
    throw new RangeError(`start_from ${params.start_from} is not among the layer's inputs (${params.inputs})`);
  const labelled = { ...rows, inputs: rows.inputs.map((row) => selectColumns(row, columns)) };
  const unlabelled = (rows.unlabelled?.inputs ?? []).map((row) => selectColumns(row, columns));
  const oof = outOfFoldProbabilities(labelled, unlabelled, startInput, params, seed);
  const trees = fitLayerTrees(labelled.inputs, rows.labels, rows.weights, unlabelled, startInput, params, seed);
  const kinds: Record<string, number> = {};
  rows.kinds.forEach((kind, i) => {
    if (rows.labels[i] === 1) kinds[kind || 'fraud'] = (kinds[kind || 'fraud'] ?? 0) + 1;
  });
  const scale = inputScale(labelled.inputs, names.length);
  const labelledInputs = labelled.inputs.flatMap((row) => Array.from(row, (v) => Number(v.toFixed(5))));
  const layerForDistance = { labelled_inputs: labelledInputs, input_scale: scale };
  const nearest = Float64Array.from(labelled.inputs, (row, i) => distanceToLabelled(layerForDistance, row, i)).sort();
  const radius = nearest[Math.min(nearest.length - 1, Math.floor(params.novelty_quantile * (nearest.length - 1)))] as number;
  // the accounts nobody labelled, as the final trees score them: what the layer would act on beside the labels
  const unlabelledAbove = rows.unlabelled
    ? countAbove(
        unlabelled.map((row) => boostedTreesProbability(trees, row)),
        rows.unlabelled.total,
      )
    : undefined;
  const threshold = (target: number) => thresholdForPrecision(oof, rows.labels, rows.populationWeights, target, params.confidence, unlabelledAbove);
  return {
    kind: 'supervised-boosted-trees',
    format_version: SUPERVISED_LAYER_FORMAT,
    input_names: names,
    params: { ...params },
    labels: { fraud, honest, kinds },
    trees,
    flag: threshold(params.flag_precision),
    block: threshold(params.block_precision),
    labelled_inputs: labelledInputs,
    novelty_radius: Number.isFinite(radius) ? radius : 0,
    input_scale: scale,
  };
}

/** Count of a population's probabilities at or above a threshold, from a sample of them scaled to the population's `total`. */
function countAbove(sample: readonly number[], total: number): (threshold: number) => number {
  const sorted = Float64Array.from(sample).sort();
  const scale = sorted.length > 0 ? total / sorted.length : 0;
  return (threshold) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) >= threshold) hi = mid;
      else lo = mid + 1;
    }
    return Math.round((sorted.length - lo) * scale);
  };
}

/** A restored layer: pure, per account. */
export interface FittedSupervisedLayer {
  readonly state: SupervisedLayerState;
  /** the columns of one account's layer inputs (all of LAYER_INPUT_NAMES) this layer reads, in its input_names order */
  select(inputs: Float64Array): Float64Array;
  /** probability of fraud for one account's layer inputs (all of LAYER_INPUT_NAMES) */
  probability(inputs: Float64Array): number;
}

/** A layer from its saved state; its input names must be layer inputs of this build. */
export function restoreSupervisedLayer(state: SupervisedLayerState): FittedSupervisedLayer {
  const columns = state.input_names.map((name) => {
    const j = LAYER_INPUT_NAMES.indexOf(name);
    if (j < 0) throw new RangeError(`the supervised layer reads ${name}, which this build does not compute: train the model again`);
    return j;
  });
  const select = (inputs: Float64Array) => selectColumns(inputs, columns);
  return { state, select, probability: (inputs) => boostedTreesProbability(state.trees, select(inputs)) };
}

/**
 * Supervised probability → 0-100 on the policy's scale: the label-set thresholds land on the policy's FLAG and BLOCK
 * lines (piecewise linear between), so the policy bands keep their meaning and their precision comes from the labels.
 * A BLOCK threshold whose lower bound did not reach its target is not used: the layer then never reaches BLOCK.
 */
export function supervisedRisk(
  state: Pick<SupervisedLayerState, 'flag' | 'block'>,
  probability: number,
  policy: { flag_above: number; block_above: number },
): number {
  const flagAt = state.flag.probability;
  // thresholds are "at or above"; the policy is "strictly above": a hair above the line
  const epsilon = 1e-6;
  if (!state.block.reached) {
    // FLAG's band runs from its threshold to probability 1, which lands on the BLOCK line without crossing it
    if (probability < flagAt) return (probability / Math.max(1e-9, flagAt)) * policy.flag_above;
    const along = (probability - flagAt) / Math.max(1e-9, 1 - flagAt);
    return Math.min(policy.block_above, policy.flag_above + epsilon + along * (policy.block_above - policy.flag_above - epsilon));
  }
  const blockAt = Math.max(state.block.probability, flagAt + 1e-6);
  if (probability >= blockAt)
    return Math.min(
      100,
      policy.block_above + epsilon + ((probability - blockAt) / Math.max(1e-9, 1 - blockAt)) * (100 - policy.block_above - epsilon),
    );
  if (probability >= flagAt)
    return policy.flag_above + epsilon + ((probability - flagAt) / (blockAt - flagAt)) * (policy.block_above - policy.flag_above);
  return (probability / Math.max(1e-9, flagAt)) * policy.flag_above;
}
