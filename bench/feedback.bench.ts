// Learning from analyst feedback (issue 20), end to end through trainModel: per world, train unsupervised; simulate an
// analyst who truthfully labels the 300 highest-ranked accounts plus a random 200 of the rest; retrain with that
// feedback file; rescore every account with each saved version (`ringfence score`'s code, scoreDataset); report on the
// accounts nobody reviewed: PR-AUC, FLAG-or-higher precision and recall, BLOCK precision, recall per fraud kind.
// Also: the same with every label of one kind withheld (a kind nobody labelled must not get worse), and, with two
// worlds, the second world scored by the first world's model (train on one world, score another).
// Settings are chosen on development seeds (3, 4); the reported seeds are 1001-1002.
// Usage: npm run bench:build && node dist-bench/bench/feedback.bench.js [accounts=20000] [seeds=1001,1002] [withheld kind=bid_abuse]
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { averagePrecision } from '../training/evaluation/metrics.js';
import { TrainConfigSchema } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { FEEDBACK_SECRET as SECRET, reviewedRows, scoresOf as scoresUnder, type World, worldOf as worldUnder } from './feedback-world.js';

const [accountsArg, seedsArg, withheldArg] = process.argv.slice(2);
const accounts = Number(accountsArg ?? 20_000);
const seeds = (seedsArg ?? '1001,1002').split(',').map(Number);
const withheldKind = withheldArg ?? 'bid_abuse';
const root = path.join(os.tmpdir(), 'ringfence-feedback-bench');
const policy = TrainConfigSchema.parse({}).policy;

const worldOf = (seed: number) => worldUnder(root, accounts, seed);
const scoresOf = (world: World, name: string) => scoresUnder(root, path.join(root, 'models'), world, name);

function measure(world: World, scores: Float64Array, rows: readonly number[]) {
  const count = (above: number) => {
    let flagged = 0,
      fraud = 0,
      positives = 0;
    for (const i of rows) {
      positives += world.labels[i]!;
      if (scores[i]! > above) {
        flagged++;
        fraud += world.labels[i]!;
      }
    }
    return { precision: flagged ? fraud / flagged : 0, recall: positives ? fraud / positives : 0, flagged };
  };
  const kinds = [...new Set(rows.map((i) => world.kinds[i]!).filter(Boolean))].sort();
  const recallByKind = Object.fromEntries(
    kinds.map((k) => {
      const of = rows.filter((i) => world.kinds[i] === k);
      return [k, of.filter((i) => scores[i]! > policy.flag_above).length / of.length];
    }),
  );
  return {
    prAuc: averagePrecision(
      Float64Array.from(rows, (i) => scores[i]!),
      Uint8Array.from(rows, (i) => world.labels[i]!),
    ),
    flag: count(policy.flag_above),
    block: count(policy.block_above),
    recallByKind,
  };
}

function show(label: string, m: ReturnType<typeof measure>): string {
  return `${label.padEnd(34)} PR-AUC ${m.prAuc.toFixed(3)} | FLAG+ precision ${m.flag.precision.toFixed(3)} recall ${m.flag.recall.toFixed(3)} (${m.flag.flagged}) | BLOCK precision ${m.block.precision.toFixed(3)} (${m.block.flagged}) | recall by kind ${Object.entries(
    m.recallByKind,
  )
    .map(([k, r]) => `${k} ${r.toFixed(2)}`)
    .join(', ')}`;
}

async function feedbackFile(world: World, rows: readonly number[], name: string): Promise<string> {
  const file = path.join(root, `${name}.csv`);
  const lines = rows.map((i) => `${world.ids[i]},${world.labels[i]},${world.labels[i] ? world.kinds[i] : ''}`);
  await writeFile(file, `account_id,label,kind\n${lines.join('\n')}\n`);
  return file;
}

await mkdir(root, { recursive: true });
const worlds: World[] = [];
for (const seed of seeds) {
  const world = await worldOf(seed);
  worlds.push(world);
  const models = path.join(root, 'models');
  const base = `unsup-${accounts}-${seed}`;
  let started = performance.now();
  await trainModel({ dataDir: world.dir, modelsRoot: models, name: base, seed: 42, hashSecret: SECRET });
  const trainSeconds = (performance.now() - started) / 1000;
  const before = await scoresOf(world, base);
  const reviewed = reviewedRows(world, before);
  const isReviewed = new Set(reviewed);
  const unreviewed = [...world.ids.keys()].filter((i) => !isReviewed.has(i));
  const reviewedFraud = reviewed.filter((i) => world.labels[i]).length;
  console.log(
    `\nworld ${seed}: ${world.ids.length} accounts, ${world.labels.reduce((a, b) => a + b, 0)} fraud; reviewed ${reviewed.length} (${reviewedFraud} fraud); measured on ${unreviewed.length} unreviewed`,
  );
  console.log(show('unsupervised', measure(world, before, unreviewed)));

  started = performance.now();
  const learnt = await trainModel({
    dataDir: world.dir,
    modelsRoot: models,
    name: `fb-${accounts}-${seed}`,
    seed: 42,
    hashSecret: SECRET,
    labelSource: { feedbackFile: await feedbackFile(world, reviewed, `fb-${seed}`) },
  });
  const feedbackSeconds = (performance.now() - started) / 1000;
  const after = await scoresOf(world, `fb-${accounts}-${seed}`);
  console.log(show('with feedback', measure(world, after, unreviewed)));
  const t = learnt.feedback;
  console.log(
    `  thresholds from labels: FLAG p>=${t?.flag?.probability.toFixed(3)} est. precision ${t?.flag?.precision.toFixed(3)} (lower bound ${t?.flag?.lower_bound.toFixed(3)}); BLOCK p>=${t?.block?.probability.toFixed(3)} est. ${t?.block?.precision.toFixed(3)} (lower bound ${t?.block?.lower_bound.toFixed(3)}); train ${trainSeconds.toFixed(0)}s unsupervised, ${feedbackSeconds.toFixed(0)}s with feedback`,
  );

  const keptRows = reviewed.filter((i) => world.kinds[i] !== withheldKind);
  await trainModel({
    dataDir: world.dir,
    modelsRoot: models,
    name: `fb-no-${withheldKind}-${accounts}-${seed}`,
    seed: 42,
    hashSecret: SECRET,
    labelSource: { feedbackFile: await feedbackFile(world, keptRows, `fb-no-${withheldKind}-${seed}`) },
  });
  const withheld = await scoresOf(world, `fb-no-${withheldKind}-${accounts}-${seed}`);
  console.log(show(`feedback without ${withheldKind} labels`, measure(world, withheld, unreviewed)));
}
if (worlds.length >= 2) {
  const [first, second] = worlds as [World, World];
  const all = [...second.ids.keys()];
  console.log(`\nworld ${second.seed} scored by the models of world ${first.seed} (all accounts; none of them was reviewed):`);
  console.log(show('unsupervised', measure(second, await scoresOf(second, `unsup-${accounts}-${first.seed}`), all)));
  console.log(show('with feedback', measure(second, await scoresOf(second, `fb-${accounts}-${first.seed}`), all)));
}
