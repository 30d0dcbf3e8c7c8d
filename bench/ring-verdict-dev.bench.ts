// How much evidence a ring verdict should carry in the risk score, on development worlds only (issue 19, recall at
// top-k of ring members): train on one world, score unseen folders with `ringfence score`'s code (scoreDataset: the
// model's index plus the folder), then recompute every account's risk score from its parts (anomaly, rules, and
// whether it is in a ring) under each candidate ring weight, and print per folder recall at top-k of ring members
// (k = true ring members), PR-AUC, ROC-AUC and honest accounts in the top k; and the precision the choice rests on:
// the fraud share of accounts in rings beside that of accounts outside rings at the top of the anomaly + rules scale.
//
// Development seeds only (2001-2009); the reported seeds (1001-1003) and the hold-out world (1004) are never run here.
// Usage: npm run bench:build && node dist-bench/bench/ring-verdict-dev.bench.js [--accounts 5000]
//        [--setups baseline:2001=household-heavy:2002,agency-heavy:2003;household-heavy:2007=agency-heavy:2008]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../data/load-dataset.js';
import { readTrueRings } from '../data/true-rings.js';
import { averagePrecision, precisionAtK, rocAuc } from '../training/evaluation/metrics.js';
import { type LiveAssessment, LiveAssessmentSchema } from '../training/identity/live-assessment.js';
import { loadScoringParts } from '../training/model-files.js';
import { combineEvidence } from '../training/scoring/rules.js';
import { scoreDataset } from '../training/scoring/score-dataset.js';
import { trainModel } from '../training/train-model.js';
import { generateInChild } from './bench-process.js';

const DEV_SEEDS = new Set([2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009]);
const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '5000' },
    setups: {
      type: 'string',
      default:
        'baseline:2001=household-heavy:2002,agency-heavy:2003,baseline:2004,household-heavy:2005,agency-heavy:2006;household-heavy:2007=agency-heavy:2008,baseline:2009',
    },
  },
});
const accounts = Number(args.accounts);
const HASH_SECRET = 'ring-verdict-dev-bench';
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '-');

/** world:seed, refused unless the seed is a development seed */
function worldSeed(text: string): { world: string; seed: number } {
  const [world, seed] = text.split(':') as [string, string];
  if (!DEV_SEEDS.has(Number(seed))) throw new Error(`${text}: development seeds only (${[...DEV_SEEDS].join(', ')})`);
  return { world, seed: Number(seed) };
}
const setups = args.setups.split(';').map((setup) => {
  const [train, streams] = setup.split('=') as [string, string];
  return { train: worldSeed(train), streams: streams.split(',').map(worldSeed) };
});

interface Parts {
  readonly anomaly: number;
  readonly rules: number;
  readonly ring: boolean;
}

const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-ring-verdict-'));
try {
  for (const { train, streams } of setups) {
    const trainDir = path.join(root, `train-${train.world}-${train.seed}`);
    generateInChild(trainDir, accounts, train.seed, ['--world', train.world]);
    const modelsRoot = path.join(root, `models-${train.seed}`);
    const trained = await trainModel({ dataDir: trainDir, modelsRoot, name: 'dev', seed: 1, hashSecret: HASH_SECRET });
    const { parts } = await loadScoringParts(modelsRoot, trained.name, trained.version, { hashSecret: HASH_SECRET });
    const weights = parts.config.weights;
    const ceiling = combineEvidence([weights.anomaly, weights.rules]);
    const risk = (p: Parts, ringWeight: number) =>
      100 * combineEvidence([(weights.anomaly * p.anomaly) / 100, p.ring ? ringWeight : 0, (weights.rules * p.rules) / 100]);
    const variants: { name: string; score: (p: Parts) => number }[] = [
      { name: 'ring part 0.90 (before)', score: (p) => risk(p, 0.9) },
      { name: `ring part ${ceiling.toFixed(2)} (= noisy-OR of the anomaly and rules weights)`, score: (p) => risk(p, ceiling) },
      { name: 'ring part 1.00 (members at 100)', score: (p) => risk(p, 1) },
      { name: 'ring members first, then risk (order only)', score: (p) => (p.ring ? 100 : 0) + risk(p, 0.9) },
    ];
    console.log(`\n### Trained on ${train.world} seed ${train.seed} (${accounts} accounts); weights ${JSON.stringify(weights)}\n`);
    console.log('| folder | ring weight | recall at top-k of ring members | honest in top k | PR-AUC | ROC-AUC |');
    console.log('|---|---|---:|---:|---:|---:|');
    const precisionRows: string[] = [];
    for (const stream of streams) {
      const dir = path.join(root, `stream-${stream.world}-${stream.seed}`);
      generateInChild(dir, accounts, stream.seed, ['--world', stream.world]);
      const out = path.join(root, `scores-${train.seed}-${stream.seed}.jsonl`);
      await scoreDataset(dir, parts, out, { formatLine: (a) => `${JSON.stringify(a)}\n` });
      const scored: LiveAssessment[] = (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => LiveAssessmentSchema.parse(JSON.parse(line)));
      const labels = (await loadDataset(dir)).labels;
      if (!labels) throw new Error(`${dir} has no labels`);
      const ringMembers = new Set(((await readTrueRings(dir)) ?? []).flatMap((r) => [...r.members]));
      const y = Uint8Array.from(scored, (a) => labels.get(a.account_id)?.label ?? 0);
      const isRingMember = Uint8Array.from(scored, (a) => (ringMembers.has(a.account_id) ? 1 : 0));
      const k = ringMembers.size;
      const accountParts: Parts[] = scored.map((a) => ({ anomaly: a.components.anomaly, rules: a.components.rules, ring: a.ring_id !== null }));
      // the recomputation matches the scores given (up to the rounding of the parts) before any variant is read
      const drift = Math.max(...scored.map((a, i) => Math.abs(risk(accountParts[i] as Parts, 0.9) - a.risk_score)));
      const folder = `${stream.world} ${stream.seed}`;
      for (const variant of variants) {
        const scores = Float64Array.from(accountParts, variant.score);
        const order = Array.from(scores, (s, i) => ({ s, i }))
          .sort((a, b) => b.s - a.s)
          .slice(0, k);
        const honestTop = order.filter(({ i }) => y[i] === 0).length;
        console.log(
          `| ${folder} | ${variant.name} | ${f3(precisionAtK(scores, isRingMember, k))} | ${honestTop} | ${f3(averagePrecision(scores, y))} | ${f3(rocAuc(scores, y))} |`,
        );
      }
      // fraud share of accounts in rings, and of accounts outside rings by their anomaly + rules score (ring weight 0)
      const share = (keep: (p: Parts, i: number) => boolean) => {
        let n = 0;
        let fraud = 0;
        accountParts.forEach((p, i) => {
          if (!keep(p, i)) return;
          n++;
          fraud += y[i] as number;
        });
        return `${n === 0 ? '-' : f3(fraud / n)} (${n})`;
      };
      const outside = (low: number, high = Infinity) => share((p) => !p.ring && risk(p, 0) >= low && risk(p, 0) < high);
      precisionRows.push(
        `| ${folder} | ${share((p) => p.ring)} | ${outside(95)} | ${outside(90, 95)} | ${outside(75, 90)} | ${k} | ${share((p, i) => p.ring && isRingMember[i] === 1)} | ${drift.toFixed(3)} |`,
      );
    }
    console.log('\nFraud share (accounts) of accounts in rings, and of accounts outside rings by their anomaly + rules score:\n');
    console.log(
      '| folder | in rings | outside, >= 95 | outside, 90-95 | outside, 75-90 | true ring members | true members in rings | max drift of recomputed scores |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of precisionRows) console.log(row);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
