// Train on a synthetic marketplace (seeds >= 1000, never used while developing), evaluate on held-out labels,
// then score a marketplace of another seed with the saved model (blind generalisation). Prints time, peak RSS
// and the quality table. Usage: npm run bench:build && node dist-bench/bench/train-pipeline.bench.js [accounts=20000] [trainSeed=1001] [blindSeed=1002]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDataset } from '../data/load-dataset.js';
import { generateInChild, peakRssMiB } from './bench-process.js';
import { evaluateModel, type ModelMetrics } from '../training/evaluation/evaluate-model.js';
import { loadScoringParts } from '../training/model-files.js';
import { assessAccount } from '../training/scoring/risk-score.js';
import { trainModel } from '../training/train-model.js';
import { buildIdentityIndex } from '../training/identity/identity-graph.js';

const accounts = Number(process.argv[2] ?? 20_000);
const trainSeed = Number(process.argv[3] ?? 1001);
const blindSeed = Number(process.argv[4] ?? 1002);

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function row(label: string, m: ModelMetrics): string {
  return `| ${label} | ${m.roc_auc['risk_score']?.toFixed(3)} | ${m.pr_auc['risk_score']?.toFixed(3)} | ${pct(m.flagged_precision)} | ${pct(m.flagged_recall)} | ${pct(m.precision_by_action?.['BLOCK_ACCOUNT']?.precision ?? NaN)} | ${m.rings ? `${pct(m.rings.precision)} / ${pct(m.rings.recall)}` : '-'} |`;
}

const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-train-'));
try {
  const trainDir = path.join(root, 'train');
  const blindDir = path.join(root, 'blind');
  let t = performance.now();
  generateInChild(trainDir, accounts, trainSeed);
  generateInChild(blindDir, Math.max(2000, Math.round(accounts / 2)), blindSeed);
  const generateSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const result = await trainModel({
    dataDir: trainDir,
    modelsRoot: path.join(root, 'models'),
    name: 'bench',
    seed: 1,
    onStage: (m) => console.error(m),
  });
  const trainSeconds = (performance.now() - t) / 1000;
  const trainPeak = peakRssMiB();
  if (!result.metrics) throw new Error('no labels: cannot evaluate');
  const m = result.metrics;
  // blind: the saved model (loaded from disk) scores another seed's marketplace; every account is unseen
  const { parts } = await loadScoringParts(path.join(root, 'models'), 'bench', result.version);
  const blind = await loadDataset(blindDir);
  t = performance.now();
  const blindAssessments = blind.accounts.map((a) => assessAccount(parts, a));
  const scoreSeconds = (performance.now() - t) / 1000;
  const blindRings = buildIdentityIndex(blind.accounts, { config: parts.identityIndex.config, hashKey: parts.identityIndex.hashKey });
  const { readFile } = await import('node:fs/promises');
  const trueRings = new Map<string, string[]>();
  for (const line of (await readFile(path.join(blindDir, 'rings.csv'), 'utf8')).trim().split('\n').slice(1)) {
    const [ring, account] = line.split(',') as [string, string];
    trueRings.set(ring, [...(trueRings.get(ring) ?? []), account]);
  }
  const blindMetrics = evaluateModel({
    assessments: blindAssessments,
    labels: blind.labels as NonNullable<typeof blind.labels>,
    split: { seed: blindSeed, holdout: 1, train_accounts: 0, test_accounts: blind.accounts.length },
    reviewCapacity: parts.config.policy.review_capacity,
    predictedRings: [...blindRings.rings.values()].map((r) => r.members),
    trueRings: [...trueRings.values()],
    allLabels: blind.labels as NonNullable<typeof blind.labels>,
  });
  console.log(`\n## Training pipeline (issue 6): ${accounts} accounts, train seed ${trainSeed}, blind seed ${blindSeed}\n`);
  console.log(`Command: \`npm run bench:build && node dist-bench/bench/train-pipeline.bench.js ${accounts} ${trainSeed} ${blindSeed}\``);
  console.log(
    `\n- generate: ${generateSeconds.toFixed(1)} s; train (load → features → graph → detectors → scoring → report): ${trainSeconds.toFixed(1)} s; peak RSS of training ${trainPeak.toFixed(0)} MiB (generation ran in child processes)`,
  );
  console.log(
    `- blind scoring: ${blind.accounts.length} accounts in ${scoreSeconds.toFixed(1)} s (${(blind.accounts.length / scoreSeconds).toFixed(0)} accounts/s, one account at a time)\n`,
  );
  console.log('| data | ROC-AUC | PR-AUC | FLAG+ precision | FLAG+ recall | BLOCK precision | ring precision / recall |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  console.log(row(`held-out 30% of seed ${trainSeed}`, m));
  console.log(row(`blind: all of seed ${blindSeed}`, blindMetrics));
  console.log('\n| score (held-out) | ROC-AUC | PR-AUC |\n|---|---:|---:|');
  for (const k of Object.keys(m.roc_auc)) console.log(`| ${k} | ${m.roc_auc[k]?.toFixed(3)} | ${m.pr_auc[k]?.toFixed(3)} |`);
  console.log('\n| fraud kind / difficulty (held-out) | accounts | flagged | recall | blind recall |\n|---|---:|---:|---:|---:|');
  const blindRecall = { ...blindMetrics.recall_by_kind, ...blindMetrics.recall_by_difficulty };
  for (const [k, v] of [...Object.entries(m.recall_by_kind), ...Object.entries(m.recall_by_difficulty)])
    console.log(`| ${k} | ${v.accounts} | ${v.caught} | ${pct(v.recall)} | ${blindRecall[k] ? pct(blindRecall[k].recall) : '-'} |`);
} finally {
  await rm(root, { recursive: true, force: true });
}
