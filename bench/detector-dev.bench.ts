// The detectors on the development sets (bench/dev-anomaly-sets.ts), with the protocol of the ODDS benchmark: fit on
// all rows without labels, score all rows, labels only for ROC-AUC / PR-AUC. This is where the default configuration
// is chosen; bench/odds-accuracy.bench.ts then measures it on the five test sets.
// Usage: npm run bench:build && node dist-bench/bench/detector-dev.bench.js [seeds=3] ['{"autoencoder": {...}}']
import { evaluateDetectors } from '../training/evaluation/evaluate-detectors.js';
import { developmentSets } from './dev-anomaly-sets.js';
import { ensembleParamsArgument } from './ensemble-params-argument.js';

const seeds = Number(process.argv[2] ?? 3);
const params = ensembleParamsArgument(process.argv[3], 2);
const sets = await developmentSets();
const totals: Record<string, { roc: number; pr: number }> = {};
const rows: string[] = [];
for (const set of sets) {
  const report = await evaluateDetectors(set.name, set.table, { seeds, holdout: null, params });
  const anomalies = set.table.labels.reduce((a, b) => a + b, 0);
  const cells = Object.entries(report.detectors).map(([detector, r]) => {
    const t = (totals[detector] ??= { roc: 0, pr: 0 });
    t.roc += r.roc_auc_mean / sets.length;
    t.pr += r.pr_auc_mean / sets.length;
    return `${r.roc_auc_mean.toFixed(3)} / ${r.pr_auc_mean.toFixed(3)}`;
  });
  rows.push(
    `| ${set.name} | ${set.table.rowCount} × ${set.table.featureNames.length}, ${((100 * anomalies) / set.table.rowCount).toFixed(1)}% | ${cells.join(' | ')} |`,
  );
  console.error(`${set.name} done`);
}
const detectors = Object.keys(totals);
console.log(
  [
    `Command: \`node dist-bench/bench/detector-dev.bench.js ${seeds}${process.argv[3] ? ` '${process.argv[3]}'` : ''}\`. Cells: ROC-AUC / PR-AUC, mean over ${seeds} seeds.`,
    '',
    `| set | rows × dims, anomalies | ${detectors.join(' | ')} |`,
    `|---|---:|${detectors.map(() => '---:').join('|')}|`,
    ...rows,
    `| **mean** | | ${detectors.map((d) => `${totals[d]!.roc.toFixed(3)} / ${totals[d]!.pr.toFixed(3)}`).join(' | ')} |`,
  ].join('\n'),
);
