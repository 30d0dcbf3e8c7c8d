// Runs the benchmark protocol of `ringfence evaluate` on the five ODDS sets beside the scikit-learn baselines
// (../shared/datasets/BASELINES.json), and writes the table of the default configuration to bench/odds-accuracy.md.
// Usage: npm run bench:build && node dist-bench/bench/odds-accuracy.bench.js [seeds=5, as BASELINES.md] [datasets folder=../shared/datasets] ['{"autoencoder": {...}}']
// (other parameters reproduce an earlier configuration's figures; that table is printed, not written)
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readNumericCsv } from '../data/read-numeric-csv.js';
import { COMBINED } from '../training/detectors/anomaly-ensemble.js';
import { evaluateDetectors } from '../training/evaluation/evaluate-detectors.js';
import { ensembleParamsArgument } from './ensemble-params-argument.js';

const seeds = Number(process.argv[2] ?? 5);
const folder = path.resolve(process.argv[3] ?? '../shared/datasets');
const paramsJson = process.argv[4];
const params = ensembleParamsArgument(paramsJson, 3);
const NAMES = ['cardio', 'mammography', 'satellite', 'shuttle', 'thyroid'];

const BaselinesSchema = z.array(
  z.object({
    name: z.string(),
    iforest: z.object({ roc_auc_mean: z.number(), ap_mean: z.number() }),
    kmeans: z.object({ roc_auc: z.number(), ap: z.number() }),
  }),
);
const baselines = BaselinesSchema.parse(JSON.parse(await readFile(path.join(folder, 'BASELINES.json'), 'utf8')));
function iforestOf(name: string): { roc: number; ap: number } {
  const entry = baselines.find((b) => b.name === name);
  if (!entry) throw new Error(`no baseline for ${name} in BASELINES.json`);
  return { roc: entry.iforest.roc_auc_mean, ap: entry.iforest.ap_mean };
}

const verdict = (met: boolean) => (met ? '(met)' : '(missed)');
const rows: string[] = [];
const totals: Record<string, { roc: number; pr: number }> = {};
let iforestRoc = 0;
let iforestAp = 0;
let worstGap = Infinity;
let worstSet = '';
let defaultRocVariance = 0;
for (const name of NAMES) {
  const table = await readNumericCsv(path.join(folder, `${name}.csv`), 'label');
  const report = await evaluateDetectors(name, table, { seeds, holdout: null, params });
  const base = iforestOf(name);
  iforestRoc += base.roc / NAMES.length;
  iforestAp += base.ap / NAMES.length;
  const cells = Object.entries(report.detectors).map(([detector, r]) => {
    const t = (totals[detector] ??= { roc: 0, pr: 0 });
    t.roc += r.roc_auc_mean / NAMES.length;
    t.pr += r.pr_auc_mean / NAMES.length;
    return `${r.roc_auc_mean.toFixed(3)} / ${r.pr_auc_mean.toFixed(3)}`;
  });
  const combined = report.detectors[report.default]!;
  const gap = combined.roc_auc_mean - base.roc;
  if (gap < worstGap) [worstGap, worstSet] = [gap, name];
  // variance of this set's mean over the seeds, for the spread of the five-set mean
  defaultRocVariance += combined.roc_auc_std ** 2 / seeds / NAMES.length ** 2;
  rows.push(
    `| ${name} | ${base.roc.toFixed(3)} / ${base.ap.toFixed(3)} | ${cells.join(' | ')} | ${combined.roc_auc_std.toFixed(3)} | ${gap.toFixed(3)} | ${combined.fit_seconds.toFixed(2)} |`,
  );
  console.error(`${name} done`);
}
const detectors = Object.keys(totals);
const md = [
  `## Detectors on the ODDS sets (issue 5)`,
  '',
  `Command: \`npm run bench:build && node dist-bench/bench/odds-accuracy.bench.js ${seeds}${paramsJson ? ` ../shared/datasets '${paramsJson}'` : ''}\`. Protocol of \`../shared/datasets/BASELINES.md\`: every detector fitted on all rows without labels, all rows scored, labels only for ROC-AUC / average precision; mean over ${seeds} seeds; one configuration for every set. Cells: ROC-AUC / PR-AUC.`,
  '',
  `| data set | sklearn IsolationForest | ${detectors.join(' | ')} | default ROC std over seeds | default − IForest ROC | fit s |`,
  `|---|---:|${detectors.map(() => '---:').join('|')}|---:|---:|---:|`,
  ...rows,
  `| **mean** | ${iforestRoc.toFixed(3)} / ${iforestAp.toFixed(3)} | ${detectors.map((d) => `${totals[d]!.roc.toFixed(3)} / ${totals[d]!.pr.toFixed(3)}`).join(' | ')} | ±${Math.sqrt(defaultRocVariance).toFixed(3)} (of the mean) | | |`,
  '',
  `Targets for the default detector (${COMBINED}): mean ROC-AUC ${totals[COMBINED]!.roc.toFixed(4)} ≥ 0.89 ${verdict(totals[COMBINED]!.roc >= 0.89)}; ` +
    `mean PR-AUC ${totals[COMBINED]!.pr.toFixed(4)} ≥ 0.58 ${verdict(totals[COMBINED]!.pr >= 0.58)}; ` +
    `worst set ${worstSet} ${worstGap.toFixed(4)} ROC-AUC against IsolationForest, limit −0.05 ${verdict(worstGap >= -0.05)}.`,
  '',
].join('\n');
if (!paramsJson) await writeFile(path.join('bench', 'odds-accuracy.md'), `${md}\n`);
console.log(md);
