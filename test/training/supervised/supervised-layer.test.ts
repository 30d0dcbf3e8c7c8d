import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { BoostedTreesSchema, BoostingParamsSchema, boostedTreesProbability, fitBoostedTrees } from '../../../training/supervised/boosted-trees.js';
import { propensityWeights } from '../../../training/supervised/label-weights.js';
import { clopperPearsonLower, thresholdForPrecision } from '../../../training/supervised/precision-thresholds.js';
import { LAYER_INPUT_NAMES } from '../../../training/supervised/layer-inputs.js';
import {
  fitSupervisedLayer,
  restoreSupervisedLayer,
  SupervisedLayerSchema,
  SupervisedParamsSchema,
  supervisedRisk,
} from '../../../training/supervised/supervised-layer.js';

/** Rows of two inputs in [0,1); label 1 when exactly one of them is above 0.5 (an interaction no linear layer fits). */
function xorRows(n: number, seed: number): { rows: Float64Array[]; labels: Uint8Array } {
  const random = createSeededRandom(seed);
  const rows = Array.from({ length: n }, () => Float64Array.from([random.next(), random.next(), random.next()]));
  return { rows, labels: Uint8Array.from(rows, (r) => Number((r[0] as number) > 0.5 !== (r[1] as number) > 0.5)) };
}

describe('fitBoostedTrees', () => {
  const params = BoostingParamsSchema.parse({ trees: 80, learning_rate: 0.2, max_depth: 3, input_sample: 1 });

  it('learns an interaction of two inputs and ignores the third', () => {
    const train = xorRows(600, 1);
    const model = fitBoostedTrees(train.rows, train.labels, new Float64Array(600).fill(1), params, 7);
    const test = xorRows(300, 2);
    const correct = test.rows.filter((row, i) => Number(boostedTreesProbability(model, row) > 0.5) === test.labels[i]).length;
    expect(correct / 300).toBeGreaterThan(0.9);
  });

  it('gives the same trees for the same seed, and the same probabilities after a JSON round trip', () => {
    const { rows, labels } = xorRows(200, 3);
    const weights = new Float64Array(200).fill(1);
    const a = fitBoostedTrees(rows, labels, weights, params, 5);
    expect(fitBoostedTrees(rows, labels, weights, params, 5)).toEqual(a);
    const restored = BoostedTreesSchema.parse(JSON.parse(JSON.stringify(a)));
    for (const row of rows.slice(0, 20)) expect(boostedTreesProbability(restored, row)).toBe(boostedTreesProbability(a, row));
  });

  it('follows the sample weights: rows weighted up pull the probability toward their label', () => {
    const rows = Array.from({ length: 100 }, (_, i) => Float64Array.from([i % 2]));
    const labels = Uint8Array.from(rows, (_, i) => Number(i % 4 === 0)); // half of the x=0 rows are fraud, none of x=1
    const even = fitBoostedTrees(rows, labels, new Float64Array(100).fill(1), params, 1);
    const fraudHeavy = fitBoostedTrees(
      rows,
      labels,
      Float64Array.from(labels, (y) => (y ? 5 : 1)),
      params,
      1,
    );
    expect(boostedTreesProbability(even, [0])).toBeCloseTo(0.5, 1);
    expect(boostedTreesProbability(fraudHeavy, [0])).toBeGreaterThan(0.75);
  });
});

describe('clopperPearsonLower / thresholdForPrecision', () => {
  it('matches the exact one-sided bound of 9 successes in 10 at 95% (0.6058)', () => {
    expect(clopperPearsonLower(9, 10, 0.95)).toBeCloseTo(0.6058, 3);
    expect(clopperPearsonLower(0, 10, 0.95)).toBe(0);
  });

  it("sets a threshold where the precision's lower bound, not its estimate, reaches the target: 59 fraud in a row reach 0.95 at 95%, 58 do not", () => {
    // probabilities fall with the index; the top `run` accounts are fraud, the rest honest
    const threshold = (run: number, target: number) =>
      thresholdForPrecision(
        Float64Array.from({ length: 100 }, (_, i) => 1 - i / 100),
        Uint8Array.from({ length: 100 }, (_, i) => Number(i < run)),
        new Float64Array(100).fill(1),
        target,
        0.95,
      );
    // n fraud of n: the bound is 0.05^(1/n), 0.9497 for 58 and 0.9505 for 59
    const short = threshold(58, 0.95);
    expect(short.reached).toBe(false);
    expect(short.precision).toBe(1);
    expect(short.lower_bound).toBeCloseTo(0.05 ** (1 / 58), 6);
    const enough = threshold(59, 0.95);
    expect(enough.reached).toBe(true);
    expect(enough.labelled_above).toBe(59);
    expect(enough.probability).toBeCloseTo(1 - 58 / 100, 9);
    expect(enough.lower_bound).toBeCloseTo(0.05 ** (1 / 59), 6);
    // a lower target goes lower, past a few honest accounts, while its bound holds: FLAG is never above BLOCK
    const flag = threshold(59, 0.9);
    expect(flag.reached).toBe(true);
    expect(flag.labelled_above).toBeGreaterThan(59);
    expect(flag.lower_bound).toBeGreaterThanOrEqual(0.9);
    expect(clopperPearsonLower(59, flag.labelled_above + 1, 0.95)).toBeLessThan(0.9);
    expect(flag.probability).toBeLessThan(enough.probability);
  });

  it('bounds a weighted precision on its effective sample size: one heavy label weighs like few', () => {
    // 60 fraud of weight 1 above one honest label of weight 50 (a random-sample label standing for 50 accounts)
    const probability = Float64Array.from({ length: 61 }, (_, i) => 1 - i / 61);
    const labels = Uint8Array.from({ length: 61 }, (_, i) => Number(i < 60));
    const weights = Float64Array.from({ length: 61 }, (_, i) => (i < 60 ? 1 : 50));
    const t = thresholdForPrecision(probability, labels, weights, 0.9, 0.95);
    expect(t.labelled_above).toBe(60);
    expect(t.effective_n).toBeCloseTo(60, 9);
  });

  it('counts every unlabelled account at or above a threshold against it: a census of 100 fraud vouches for 11 more at 0.90, not 12', () => {
    // 100 labels from a band reviewed in full (weight 1), all fraud; no sampled label above the threshold, so an
    // unlabelled account there counts as possibly honest (the bound of a fraud share seen in no sampled label is 0)
    const probability = Float64Array.from({ length: 100 }, (_, i) => 1 - i / 200);
    const labels = new Uint8Array(100).fill(1);
    const census = new Float64Array(100).fill(1);
    const withUnlabelled = (count: number) => thresholdForPrecision(probability, labels, census, 0.9, 0.95, (t) => (t <= 0.6 ? count : 0));
    const eleven = withUnlabelled(11);
    expect(eleven.reached).toBe(true);
    expect(eleven.probability).toBeCloseTo(1 - 99 / 200, 9);
    expect(eleven.unlabelled_above).toBe(11);
    expect(eleven.lower_bound).toBeCloseTo(100 / 111, 9);
    const twelve = withUnlabelled(12);
    expect(twelve.reached).toBe(true);
    // the lowest threshold whose bound holds is now above the unlabelled accounts
    expect(twelve.probability).toBeGreaterThan(0.6);
    expect(twelve.unlabelled_above).toBe(0);
  });

  it('bounds the unlabelled accounts at the fraud share of the sampled labels beside them', () => {
    // 50 census fraud, then 10 sampled labels (weight 100) all fraud, with 40 unlabelled accounts among them
    const probability = Float64Array.from({ length: 60 }, (_, i) => 1 - i / 100);
    const labels = new Uint8Array(60).fill(1);
    const weights = Float64Array.from({ length: 60 }, (_, i) => (i < 50 ? 1 : 100));
    const t = thresholdForPrecision(probability, labels, weights, 0.8, 0.95, (p) => (p <= 0.5 ? 40 : 0));
    const share = clopperPearsonLower(10, 10, 0.95);
    expect(t.reached).toBe(true);
    expect(t.labelled_above).toBe(60);
    expect(t.lower_bound).toBeCloseTo((50 + share * 50) / 100, 9);
    expect(t.precision).toBe(1);
  });

  it('says when no threshold reaches the target', () => {
    const t = thresholdForPrecision(
      Float64Array.from({ length: 30 }, (_, i) => i / 30),
      Uint8Array.from({ length: 30 }, (_, i) => i % 2),
      new Float64Array(30).fill(1),
      0.99,
      0.95,
    );
    expect(t.reached).toBe(false);
  });
});

describe('propensityWeights', () => {
  it('weighs a fully reviewed top band 1 and a random sample by the accounts each label stands for', () => {
    const risk = Float64Array.from({ length: 20_000 }, (_, i) => 20_000 - i);
    const top = Array.from({ length: 300 }, (_, i) => i);
    const sampled = Array.from({ length: 100 }, (_, i) => 300 + i * 197);
    const { weights, populationWeights } = propensityWeights(risk, Uint32Array.from([...top, ...sampled]), 20);
    expect(weights[0]).toBe(1);
    expect(weights[299]).toBe(1);
    expect(Math.max(...populationWeights.slice(300))).toBeGreaterThan(100);
    expect(Math.max(...weights)).toBe(20);
  });
});

describe('fitSupervisedLayer / supervisedRisk', () => {
  it('stays unfitted with too few labels or one class only', () => {
    const rows = xorRows(100, 4);
    const params = SupervisedParamsSchema.parse({ inputs: 'all' });
    const ones = new Float64Array(100).fill(1);
    expect(
      fitSupervisedLayer(
        { inputs: rows.rows, labels: new Uint8Array(100), kinds: [], weights: ones, populationWeights: ones },
        ['a', 'b', 'c'],
        params,
        1,
      ),
    ).toBeNull();
    expect(
      fitSupervisedLayer(
        {
          inputs: rows.rows.slice(0, 10),
          labels: rows.labels.slice(0, 10),
          kinds: [],
          weights: ones.slice(0, 10),
          populationWeights: ones.slice(0, 10),
        },
        ['a', 'b', 'c'],
        params,
        1,
      ),
    ).toBeNull();
  });

  it('maps the label-set thresholds onto the policy lines, monotonically', () => {
    const rows = xorRows(400, 5);
    const ones = new Float64Array(400).fill(1);
    const state = fitSupervisedLayer(
      { inputs: rows.rows, labels: rows.labels, kinds: rows.rows.map(() => 'bot'), weights: ones, populationWeights: ones },
      ['a', 'b', 'c'],
      SupervisedParamsSchema.parse({ inputs: 'all', flag_precision: 0.8, block_precision: 0.9 }),
      1,
    );
    expect(state).not.toBeNull();
    const layer = SupervisedLayerSchema.parse(JSON.parse(JSON.stringify(state)));
    const policy = { flag_above: 50, block_above: 75 };
    expect(supervisedRisk(layer, layer.flag.probability, policy)).toBeGreaterThan(50);
    expect(supervisedRisk(layer, layer.flag.probability - 1e-3, policy)).toBeLessThanOrEqual(50);
    expect(supervisedRisk(layer, Math.max(layer.block.probability, layer.flag.probability + 1e-6), policy)).toBeGreaterThan(75);
    const grid = Array.from({ length: 101 }, (_, i) => supervisedRisk(layer, i / 100, policy));
    grid.slice(1).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(grid[i] as number));
    expect(layer.labels.kinds).toEqual({ bot: rows.labels.reduce((a, b) => a + b, 0) });
  });

  it('never reaches BLOCK when the BLOCK threshold fell short of its target', () => {
    const estimate = { target_precision: 0.9, precision: 1, lower_bound: 0.95, confidence: 0.95, labelled_above: 60, effective_n: 60 };
    const flag = { ...estimate, probability: 0.4, reached: true };
    const policy = { flag_above: 50, block_above: 75 };
    const unreached = { flag, block: { ...estimate, probability: 0.8, target_precision: 0.97, reached: false } };
    expect(supervisedRisk(unreached, 0.4, policy)).toBeGreaterThan(50);
    for (const p of [0.8, 0.99, 1]) expect(supervisedRisk(unreached, p, policy)).toBeLessThanOrEqual(75);
    expect(supervisedRisk({ ...unreached, block: { ...unreached.block, reached: true } }, 0.8, policy)).toBeGreaterThan(75);
  });

  it('reads the scaled features only by default, fits the unlabelled accounts as honest and counts them against its thresholds', () => {
    // layer-input rows: fraud has a high first feature; 60 labelled (40 fraud), 2,000 unlabelled (100 fraud-like)
    const random = createSeededRandom(9);
    const row = (fraud: boolean) => Float64Array.from(LAYER_INPUT_NAMES, (_, j) => (j === 0 ? (fraud ? 3 : 0) + random.next() : random.next()));
    const labels = Uint8Array.from({ length: 60 }, (_, i) => Number(i < 40));
    const inputs = Array.from(labels, (y) => row(y === 1));
    const unlabelled = Array.from({ length: 2000 }, (_, i) => row(i < 100));
    const ones = new Float64Array(60).fill(1);
    const params = SupervisedParamsSchema.parse({ flag_precision: 0.5, block_precision: 0.6 });
    const state = fitSupervisedLayer(
      { inputs, labels, kinds: [], weights: ones, populationWeights: ones, unlabelled: { inputs: unlabelled, total: 4000 } },
      LAYER_INPUT_NAMES,
      params,
      3,
    );
    expect(state).not.toBeNull();
    expect(state!.input_names.every((name) => name.startsWith('feature:'))).toBe(true);
    expect(state!.input_names.length).toBeLessThan(LAYER_INPUT_NAMES.length);
    // a sample of 2,000 standing for 4,000 unlabelled accounts: counts come in pairs
    expect(state!.flag.unlabelled_above).toBeDefined();
    expect(state!.flag.unlabelled_above! % 2).toBe(0);
    const layer = restoreSupervisedLayer(SupervisedLayerSchema.parse(JSON.parse(JSON.stringify(state))));
    expect(layer.select(unlabelled[0]!)).toHaveLength(state!.input_names.length);
    expect(layer.probability(row(true))).toBeGreaterThan(layer.probability(row(false)));
    expect(() => restoreSupervisedLayer({ ...state!, input_names: ['feature:no_such_feature'] })).toThrow(/does not compute/);
  });

  it('refuses a BLOCK target that is not stricter than the FLAG target', () => {
    expect(() => SupervisedParamsSchema.parse({ flag_precision: 0.95, block_precision: 0.9 })).toThrow(
      /block_precision must be above flag_precision/,
    );
  });
});
