// How far could a supervised layer go on issue 20's benchmark? (development worlds only)
//
// Per world: train unsupervised, score every account (`ringfence score`'s code), let the analyst of feedback.bench.ts
// choose its 500 accounts (top 300 + random 200), and dump every account's supervised-layer inputs (scaled features,
// detector z scores, identity / rule / risk parts), its raw feature values and its truth. Then fit boosted trees
// (training/supervised/boosted-trees.ts, the layer's own) to different label sets and measure each on the accounts
// nobody labelled (the analyst's 19,500 unreviewed, less the set's own labelled accounts):
//   analyst   the analyst's 500 (top 300 + random 200): what the layer has
//   random    500 / 2,000 accounts drawn at random: labels without the selection bias
//   oracle    every account's truth, 5 folds (out-of-fold predictions): what these inputs can reach at all
// with three input sets: the layer's inputs (today), those plus the link features, and the raw features alone.
// Also: per fraud kind and difficulty, where the reviewed accounts come from and which raw features separate the
// kind from honest accounts (ROC AUC of the feature alone).
// Usage: npm run bench:build && node dist-bench/bench/feedback-ceiling.bench.js [accounts=20000] [seeds=3] [dump folder]
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSeededRandom } from '../data/seeded-random.js';
import { averagePrecision, rocAuc } from '../training/evaluation/metrics.js';
import { FEATURE_NAMES, FEATURES } from '../training/features/feature-registry.js';
import { loadScoringParts } from '../training/model-files.js';
import { assessUnsupervised } from '../training/scoring/risk-score.js';
import {
  type BoostingParams,
  BoostingParamsSchema,
  boostedTreesProbability,
  fitBoostedTrees,
  fitMarginOffset,
} from '../training/supervised/boosted-trees.js';
import { propensityWeights } from '../training/supervised/label-weights.js';
import { LAYER_INPUT_NAMES } from '../training/supervised/layer-inputs.js';
import { TrainConfigSchema } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { FEEDBACK_SECRET, reviewedRows, scoresOf, type World, worldOf } from './feedback-world.js';

const [accountsArg, seedsArg, dumpArg] = process.argv.slice(2);
const accounts = Number(accountsArg ?? 20_000);
const seeds = (seedsArg ?? '3').split(',').map(Number);
const root = path.join(os.tmpdir(), 'ringfence-feedback-bench');
const models = path.join(root, 'models');
const dumpDir = dumpArg ?? path.join(root, 'ceiling');
const policy = TrainConfigSchema.parse({}).policy;
if (seeds.some((s) => s >= 1000))
  throw new RangeError('seeds from 1000 up are the reported worlds: the ceiling study runs on development seeds only');

/** What the study reads: one world's accounts, truth, unsupervised risk, the analyst's review and the layer's inputs. */
interface Dumped extends Pick<World, 'seed' | 'ids' | 'labels' | 'kinds' | 'difficulty'> {
  /** unsupervised risk of every account (scoreDataset) */
  readonly risk: Float64Array;
  /** rows the analyst reviewed */
  readonly reviewed: readonly number[];
  /** per account: the layer's inputs (LAYER_INPUT_NAMES) */
  readonly layer: readonly Float64Array[];
  /** per account: raw feature values (FEATURE_NAMES) */
  readonly raw: readonly Float64Array[];
}

const dumpFile = (seed: number) => path.join(dumpDir, `layer-inputs-${accounts}-${seed}.csv`);

/** Trains the unsupervised model of world `seed`, scores it, lets the analyst choose, and writes the dump. */
async function dump(seed: number): Promise<void> {
  const world: World = await worldOf(root, accounts, seed);
  const name = `unsup-${accounts}-${seed}`;
  await trainModel({ dataDir: world.dir, modelsRoot: models, name, seed: 42, hashSecret: FEEDBACK_SECRET });
  const risk = await scoresOf(root, models, world, name);
  const reviewed = new Set(reviewedRows(world, risk));
  const { parts } = await loadScoringParts(models, name, undefined, { hashSecret: FEEDBACK_SECRET });
  let largestGap = 0;
  const header = ['account_id', 'label', 'kind', 'difficulty', 'reviewed', 'risk', ...LAYER_INPUT_NAMES, ...FEATURE_NAMES.map((n) => `raw:${n}`)];
  const lines = world.ids.map((id, i) => {
    const { assessment, layerInputs } = assessUnsupervised(parts, id, world.data.features[i]!);
    largestGap = Math.max(largestGap, Math.abs(assessment.risk_score - risk[i]!));
    return [
      id,
      world.labels[i],
      world.kinds[i],
      world.difficulty[i],
      reviewed.has(i) ? 1 : 0,
      risk[i],
      ...Array.from(layerInputs(), (v) => Number(v.toFixed(6))),
      ...Array.from(world.data.features[i]!.values, (v) => Number(v.toFixed(6))),
    ].join(',');
  });
  console.log(`world ${seed}: largest |training-path risk - scored risk| ${largestGap.toFixed(3)} (the layer inputs are the training path's)`);
  await mkdir(dumpDir, { recursive: true });
  await writeFile(dumpFile(seed), `${header.join(',')}\n${lines.join('\n')}\n`);
  console.log(`  dumped ${world.ids.length} accounts' layer inputs, raw features and truth to ${dumpFile(seed)}`);
}

async function readDump(seed: number): Promise<Dumped> {
  if (!existsSync(dumpFile(seed))) await dump(seed);
  const [header, ...lines] = (await readFile(dumpFile(seed), 'utf8')).trim().split('\n');
  const names = (header as string).split(',');
  const layerAt = names.indexOf(LAYER_INPUT_NAMES[0] as string);
  const rawAt = names.indexOf(`raw:${FEATURE_NAMES[0]}`);
  if (names.length !== rawAt + FEATURE_NAMES.length || rawAt - layerAt !== LAYER_INPUT_NAMES.length)
    throw new Error(`${dumpFile(seed)} was dumped with other layer inputs or features: delete it to dump again`);
  const cells = lines.map((line) => line.split(','));
  return {
    seed,
    ids: cells.map((c) => c[0] as string),
    labels: Uint8Array.from(cells, (c) => Number(c[1])),
    kinds: cells.map((c) => c[2] as string),
    difficulty: cells.map((c) => c[3] as string),
    risk: Float64Array.from(cells, (c) => Number(c[5])),
    reviewed: cells.flatMap((c, i) => (c[4] === '1' ? [i] : [])),
    layer: cells.map((c) => Float64Array.from(c.slice(layerAt, rawAt), Number)),
    raw: cells.map((c) => Float64Array.from(c.slice(rawAt), Number)),
  };
}

/** Input sets: the layer's inputs, those plus the link features, the raw features alone. */
function inputSets(d: Dumped): Record<string, readonly Float64Array[]> {
  const link = FEATURES.flatMap((f, j) => (f.family === 'link' ? [j] : []));
  return {
    layer: d.layer,
    'layer+link': d.layer.map((row, i) => Float64Array.from([...row, ...link.map((j) => d.raw[i]![j]!)])),
    'raw features': d.raw,
  };
}

interface Scored {
  readonly prAuc: number;
  readonly reference: number;
  /** the highest recall at precision >= 0.90 over every threshold (an oracle threshold: a ceiling) */
  readonly recallAt90: number;
  readonly byKind: Record<string, number>;
  readonly evaluated: number;
}

function kindKey(d: Dumped, i: number): string {
  const kind = d.kinds[i]!;
  return kind === 'takeover' || kind === 'bot' || kind === 'test_cheat' || kind === 'bid_abuse' ? `${kind}:${d.difficulty[i]}` : kind;
}

function evaluate(d: Dumped, scores: ArrayLike<number>, rows: readonly number[]): Scored {
  const labels = Uint8Array.from(rows, (i) => d.labels[i]!);
  const s = Float64Array.from(rows, (i) => scores[i]!);
  const positives = labels.reduce((a, b) => a + b, 0);
  const order = [...rows.keys()].sort((a, b) => s[b]! - s[a]!);
  let tp = 0;
  let best = 0;
  let bestAt = Infinity;
  for (let k = 0; k < order.length; k++) {
    tp += labels[order[k]!]!;
    const next = order[k + 1];
    if (next !== undefined && s[next] === s[order[k]!]) continue;
    if (tp / (k + 1) >= 0.9 && tp / positives > best) {
      best = tp / positives;
      bestAt = s[order[k]!]!;
    }
  }
  const byKind: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const i of rows) {
    if (!d.labels[i]) continue;
    const key = kindKey(d, i);
    counts[key] = (counts[key] ?? 0) + 1;
    byKind[key] = (byKind[key] ?? 0) + ((scores[i] as number) >= bestAt ? 1 : 0);
  }
  for (const key of Object.keys(byKind)) byKind[key] = byKind[key]! / counts[key]!;
  return {
    prAuc: averagePrecision(s, labels),
    reference: averagePrecision(
      Float64Array.from(rows, (i) => d.risk[i]!),
      labels,
    ),
    recallAt90: best,
    byKind,
    evaluated: rows.length,
  };
}

interface Fit {
  readonly weights?: 'none' | 'propensity';
  /** start from the Platt-scaled part:risk (the layer's default before round 3) */
  readonly fromRisk?: boolean;
  readonly params?: Partial<BoostingParams>;
}

function fitPredict(
  d: Dumped,
  inputs: readonly Float64Array[],
  train: readonly number[],
  predict: readonly number[],
  fit: Fit,
  seed: number,
): Map<number, number> {
  const rows = train.map((i) => inputs[i]!);
  const labels = Uint8Array.from(train, (i) => d.labels[i]!);
  const weights =
    fit.weights === 'propensity' ? propensityWeights(d.risk, Uint32Array.from(train), 20).weights : new Float64Array(train.length).fill(1);
  const riskInput = LAYER_INPUT_NAMES.indexOf('part:risk');
  const offset = fit.fromRisk ? fitMarginOffset(rows, labels, weights, riskInput) : null;
  const trees = fitBoostedTrees(rows, labels, weights, BoostingParamsSchema.parse(fit.params ?? {}), seed, offset);
  return new Map(predict.map((i) => [i, boostedTreesProbability(trees, inputs[i]!)]));
}

function show(label: string, r: Scored): void {
  const kinds = Object.entries(r.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  console.log(
    `  ${label.padEnd(52)} PR-AUC ${r.prAuc.toFixed(3)} (unsupervised ${r.reference.toFixed(3)}, ${(r.prAuc - r.reference >= 0 ? '+' : '') + (r.prAuc - r.reference).toFixed(3)}) | best recall at precision>=0.90 ${r.recallAt90.toFixed(3)} | ${kinds} | on ${r.evaluated}`,
  );
}

function study(d: Dumped): void {
  const w = d;
  const n = w.ids.length;
  const reviewed = new Set(d.reviewed);
  const unreviewed = [...w.ids.keys()].filter((i) => !reviewed.has(i));
  const random = createSeededRandom(w.seed).fork('ceiling');
  const shuffled = random.shuffle([...w.ids.keys()]);
  // where the fraud kinds sit: the analyst's top, the analyst's random sample, unreviewed
  const top = new Set([...w.ids.keys()].sort((a, b) => d.risk[b]! - d.risk[a]! || a - b).slice(0, 300));
  const where: Record<string, [number, number, number]> = {};
  for (let i = 0; i < n; i++) {
    if (!w.labels[i]) continue;
    const key = kindKey(d, i);
    const at = (where[key] ??= [0, 0, 0]);
    at[top.has(i) ? 0 : reviewed.has(i) ? 1 : 2]! += 1;
  }
  console.log(
    `\nworld ${w.seed}: fraud by kind in the analyst's top 300 / random 200 / unreviewed (and unsupervised recall at FLAG+, risk > ${policy.flag_above}, on the unreviewed):`,
  );
  for (const [key, [t, r, u]] of Object.entries(where).sort(([a], [b]) => a.localeCompare(b))) {
    const rows = unreviewed.filter((i) => w.labels[i] && kindKey(d, i) === key);
    const caught = rows.filter((i) => d.risk[i]! > policy.flag_above).length;
    console.log(`  ${key.padEnd(18)} ${t} / ${r} / ${u}  (unreviewed flagged ${caught}/${rows.length})`);
  }

  const sets = inputSets(d);
  show('unsupervised risk (reference)', evaluate(d, d.risk, unreviewed));
  const labelSets: [string, readonly number[]][] = [
    ['analyst 500 (top 300 + random 200)', d.reviewed],
    ['random 500', shuffled.slice(0, 500)],
    ['random 2000', shuffled.slice(0, 2000)],
  ];
  console.log(`\nworld ${w.seed}: trees fitted to each label set, measured on the analyst's unreviewed accounts less the set's own`);
  for (const [setName, inputs] of Object.entries(sets)) {
    for (const [labelName, train] of labelSets) {
      const inTrain = new Set(train);
      const rows = unreviewed.filter((i) => !inTrain.has(i));
      const fits: [string, Fit][] =
        setName === 'layer' && labelName.startsWith('analyst')
          ? [
              ['the layer today (from risk, propensity weights)', { weights: 'propensity', fromRisk: true }],
              ['unweighted, from risk', { fromRisk: true }],
              ['unweighted, from the base rate', {}],
              ['unweighted, depth 2, 100 trees', { params: { max_depth: 2, trees: 100 } }],
            ]
          : [['unweighted, from the base rate', {}]];
      for (const [fitName, fit] of fits) {
        const p = fitPredict(d, inputs, train, rows, fit, 7);
        const scores = new Float64Array(n);
        for (const [i, v] of p) scores[i] = v;
        show(`${setName} | ${labelName} | ${fitName}`, evaluate(d, scores, rows));
      }
    }
    // oracle: every account's truth, 5 folds; measured on the analyst's unreviewed (out of fold)
    const fold = Uint8Array.from(random.fork(`folds:${setName}`).shuffle(Array.from({ length: n }, (_, i) => i % 5)));
    const oof = new Float64Array(n);
    for (let f = 0; f < 5; f++) {
      const train = [...w.ids.keys()].filter((i) => fold[i] !== f);
      const test = [...w.ids.keys()].filter((i) => fold[i] === f);
      for (const [i, v] of fitPredict(d, inputs, train, test, {}, 11 + f)) oof[i] = v;
    }
    show(`${setName} | oracle: all labels, 5 folds`, evaluate(d, oof, unreviewed));
  }

  // which raw features tell each missed kind from honest accounts (unreviewed accounts only)
  const honest = unreviewed.filter((i) => !w.labels[i]);
  const kinds = [...new Set(unreviewed.filter((i) => w.labels[i]).map((i) => kindKey(d, i)))].sort();
  console.log(
    `\nworld ${w.seed}: per kind, the raw features that best tell it from the ${honest.length} unreviewed honest accounts (ROC AUC of the feature alone; <0.5: lower than honest)`,
  );
  for (const key of kinds) {
    const of = unreviewed.filter((i) => w.labels[i] && kindKey(d, i) === key);
    const rows = [...of, ...honest];
    const labels = Uint8Array.from(rows, (i) => (w.labels[i] ? 1 : 0));
    const aucs = FEATURE_NAMES.map((name, j) => ({
      name,
      auc: rocAuc(
        Float64Array.from(rows, (i) => d.raw[i]![j]!),
        labels,
      ),
    }));
    aucs.sort((a, b) => Math.abs(b.auc - 0.5) - Math.abs(a.auc - 0.5));
    const riskAuc = rocAuc(
      Float64Array.from(rows, (i) => d.risk[i]!),
      labels,
    );
    console.log(
      `  ${key.padEnd(18)} (${of.length}) risk ${riskAuc.toFixed(2)}; ${aucs
        .slice(0, 6)
        .map((a) => `${a.name} ${a.auc.toFixed(2)}`)
        .join(', ')}`,
    );
  }
}

for (const seed of seeds) study(await readDump(seed));
