// Other ways to combine the detectors' robust z scores, beside the default mean, on the development sets
// (bench/dev-anomaly-sets.ts): each detector is fitted once per seed and every rule scores the same z values.
// Usage: npm run bench:build && node dist-bench/bench/combination-dev.bench.js [seeds=3] ['{"autoencoder": {...}}']
import { DETECTOR_NAMES, fitAnomalyEnsemble } from '../training/detectors/anomaly-ensemble.js';
import { createFeatureMatrix } from '../training/detectors/detector.js';
import { averagePrecision, rocAuc } from '../training/evaluation/metrics.js';
import { fitRobustScaler } from '../training/scaling/robust-scaler.js';
import { combineRobustZ, robustZ } from '../training/scoring/calibration.js';
import { developmentSets } from './dev-anomaly-sets.js';
import { ensembleParamsArgument } from './ensemble-params-argument.js';

const seeds = Number(process.argv[2] ?? 3);
const params = ensembleParamsArgument(process.argv[3], 2);

const at = (name: (typeof DETECTOR_NAMES)[number]) => DETECTOR_NAMES.indexOf(name);
const mean = (values: readonly number[]) => values.reduce((a, v) => a + v, 0) / values.length;

/** z of one row, in DETECTOR_NAMES order → combined score */
const RULES: Record<string, (z: readonly number[]) => number> = {
  'mean (default)': combineRobustZ,
  median: (z) => {
    const sorted = [...z].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  },
  'mean of the top two': (z) => {
    const sorted = [...z].sort((a, b) => b - a);
    return (sorted[0]! + sorted[1]!) / 2;
  },
  maximum: (z) => Math.max(...z),
  'mean of positive parts': (z) => mean(z.map((v) => Math.max(0, v))),
  'isolation forest weighted ½': (z) => 0.5 * z[at('isolation-forest')]! + 0.5 * mean(z.filter((_, i) => i !== at('isolation-forest'))),
  'k-means and isolation forest': (z) => (z[at('kmeans')]! + z[at('isolation-forest')]!) / 2,
  'without the Mahalanobis distance': (z) => mean(z.filter((_, i) => i !== at('mahalanobis'))),
  // both learn the structure of the same inlier rows, so they share one vote
  'autoencoder and Mahalanobis as one vote': (z) =>
    (z[at('kmeans')]! + z[at('isolation-forest')]! + (z[at('autoencoder')]! + z[at('mahalanobis')]!) / 2) / 3,
};

/** Each score's rank among the rows, 0..1 (ties in index order: scores here are continuous). */
function ranks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((i, j) => values[i]! - values[j]!);
  const out = new Float64Array(values.length);
  order.forEach((row, k) => (out[row] = k / Math.max(1, values.length - 1)));
  return out;
}

const sets = await developmentSets();
const names = [...Object.keys(RULES), 'rank mean'];
const totals = Object.fromEntries(names.map((n) => [n, { roc: 0, pr: 0 }]));
const lines: string[] = [];
for (const set of sets) {
  const matrix = createFeatureMatrix(set.table.featureNames, set.table.values);
  const cells = Object.fromEntries(names.map((n) => [n, { roc: 0, pr: 0 }]));
  for (let seed = 0; seed < seeds; seed++) {
    const scaled = fitRobustScaler(matrix).transform(matrix);
    const { ensemble, trainingScores } = await fitAnomalyEnsemble(scaled, params, { seed });
    const z = DETECTOR_NAMES.map((name) => Float64Array.from(trainingScores[name], (v) => robustZ(ensemble.calibrations[name], v)));
    const scores: Record<string, Float64Array> = {};
    for (const [rule, combine] of Object.entries(RULES)) scores[rule] = Float64Array.from(z[0]!, (_, i) => combine(z.map((zs) => zs[i]!)));
    const r = z.map(ranks);
    scores['rank mean'] = Float64Array.from(r[0]!, (_, i) => mean(r.map((ranked) => ranked[i]!)));
    for (const name of names) {
      cells[name]!.roc += rocAuc(scores[name]!, set.table.labels) / seeds;
      cells[name]!.pr += averagePrecision(scores[name]!, set.table.labels) / seeds;
    }
  }
  for (const name of names) {
    totals[name]!.roc += cells[name]!.roc / sets.length;
    totals[name]!.pr += cells[name]!.pr / sets.length;
  }
  lines.push(`| ${set.name} | ${names.map((n) => `${cells[n]!.roc.toFixed(3)} / ${cells[n]!.pr.toFixed(3)}`).join(' | ')} |`);
  console.error(`${set.name} done`);
}
console.log(
  [
    `Command: \`node dist-bench/bench/combination-dev.bench.js ${seeds}${process.argv[3] ? ` '${process.argv[3]}'` : ''}\`. Cells: ROC-AUC / PR-AUC, mean over ${seeds} seeds.`,
    '',
    `| set | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
    ...lines,
    `| **mean** | ${names.map((n) => `${totals[n]!.roc.toFixed(3)} / ${totals[n]!.pr.toFixed(3)}`).join(' | ')} |`,
  ].join('\n'),
);
