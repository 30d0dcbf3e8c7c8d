// Our isolation forest beside scikit-learn's on the development sets (bench/dev-anomaly-sets.ts), same protocol as
// the ODDS table: fit on all rows without labels, score all rows, mean ROC-AUC / PR-AUC over seeds. A check that the
// forest is the standard algorithm, on data the configuration may be chosen on (the ODDS sets have their own baseline).
// Needs Debian's python3-sklearn (bash scripts/install-system-deps.sh peers) and the weka examples
// (bash scripts/fetch-weka-examples.sh). Usage: npm run bench:build && node dist-bench/bench/forest-fidelity-dev.bench.js [seeds=5]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFeatureMatrix } from '../training/detectors/detector.js';
import { isolationForestDetectorSpec } from '../training/detectors/isolation-forest-detector.js';
import { averagePrecision, rocAuc } from '../training/evaluation/metrics.js';
import { developmentSets } from './dev-anomaly-sets.js';

const seeds = Number(process.argv[2] ?? 5);
// scikit-learn's baseline recipe (../shared/datasets/BASELINES.md): 100 trees, random_state 0..seeds-1, -score_samples
const SKLEARN = `
import json, sys, numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score, average_precision_score
a = np.loadtxt(sys.argv[1], delimiter=','); X, y = a[:, :-1], a[:, -1]
roc, ap = [], []
for seed in range(int(sys.argv[2])):
    s = -IsolationForest(n_estimators=100, random_state=seed).fit(X).score_samples(X)
    roc.append(roc_auc_score(y, s)); ap.append(average_precision_score(y, s))
print(json.dumps({"roc": float(np.mean(roc)), "ap": float(np.mean(ap))}))
`;

const work = await mkdtemp(path.join(os.tmpdir(), 'ringfence-forest-fidelity-'));
try {
  const sets = await developmentSets();
  const rows: string[] = [];
  const total = { sk: { roc: 0, ap: 0 }, ours: { roc: 0, ap: 0 } };
  for (const set of sets) {
    const d = set.table.featureNames.length;
    const csv = path.join(work, `${set.name}.csv`);
    const lines: string[] = [];
    for (let i = 0; i < set.table.rowCount; i++) lines.push([...set.table.values.subarray(i * d, (i + 1) * d), set.table.labels[i]].join(','));
    await writeFile(csv, `${lines.join('\n')}\n`);
    const sk = JSON.parse(execFileSync('/usr/bin/python3', ['-c', SKLEARN, csv, String(seeds)], { encoding: 'utf8' })) as { roc: number; ap: number };
    const ours = { roc: 0, ap: 0 };
    const matrix = createFeatureMatrix(set.table.featureNames, set.table.values);
    for (let seed = 0; seed < seeds; seed++) {
      const { trainingScores } = await isolationForestDetectorSpec.fit(matrix, isolationForestDetectorSpec.paramsSchema.parse({}), { seed });
      ours.roc += rocAuc(trainingScores, set.table.labels) / seeds;
      ours.ap += averagePrecision(trainingScores, set.table.labels) / seeds;
    }
    for (const [key, r] of [
      ['sk', sk],
      ['ours', ours],
    ] as const) {
      total[key].roc += r.roc / sets.length;
      total[key].ap += r.ap / sets.length;
    }
    rows.push(
      `| ${set.name} | ${sk.roc.toFixed(3)} / ${sk.ap.toFixed(3)} | ${ours.roc.toFixed(3)} / ${ours.ap.toFixed(3)} | ${(ours.roc - sk.roc).toFixed(3)} |`,
    );
    console.error(`${set.name} done`);
  }
  console.log(
    [
      `Command: \`node dist-bench/bench/forest-fidelity-dev.bench.js ${seeds}\`. Cells: ROC-AUC / PR-AUC, mean over ${seeds} seeds.`,
      '',
      '| set | scikit-learn IsolationForest | ringfence isolation forest | ROC difference |',
      '|---|---:|---:|---:|',
      ...rows,
      `| **mean** | ${total.sk.roc.toFixed(3)} / ${total.sk.ap.toFixed(3)} | ${total.ours.roc.toFixed(3)} / ${total.ours.ap.toFixed(3)} | ${(total.ours.roc - total.sk.roc).toFixed(3)} |`,
    ].join('\n'),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
