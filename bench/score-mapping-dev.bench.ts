// Chooses a score-mapping threshold on development marketplaces, never on the benchmark seeds (1001-1004): trains on
// each development seed with each candidate and prints held-out precision and recall by action. The rule: the
// smallest candidate whose precision, pooled over the development seeds, is at least the target with 95% confidence
// (Wilson's one-sided lower bound). Requiring the target on every seed instead chose values at the edge: with a couple
// of hundred flagged accounts a seed, a precision's standard error is near two points, so the smallest value that
// clears 90% on every seed may clear it by luck.
// - z_at_50, the robust z that becomes a risk score of 50 (FLAG_FOR_REVIEW): precision of FLAG_FOR_REVIEW or higher;
// - z_per_25, the z units from 50 to 75 (BLOCK_ACCOUNT), with z_at_50 at its default: precision of BLOCK_ACCOUNT.
// Usage: npm run bench:build && node dist-bench/bench/score-mapping-dev.bench.js [accounts=20000] [seeds=2002,2003,2004,2005]
//        [candidates=5,5.5,...,11] [target=0.9] [field=z_at_50|z_per_25]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelMetrics } from '../training/evaluation/evaluate-model.js';
import { TrainConfigSchema } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { generateInChild } from './bench-process.js';

/** Held-out accounts given the field's actions, and how many of them are fraud. */
function countsOf(m: ModelMetrics, actions: readonly string[]): { accounts: number; fraud: number } {
  const byAction = m.precision_by_action;
  if (!byAction) throw new Error('metrics without precision_by_action');
  const entries = actions.map((a) => byAction[a] ?? { accounts: 0, fraud: 0 });
  return { accounts: entries.reduce((t, e) => t + e.accounts, 0), fraud: entries.reduce((t, e) => t + e.fraud, 0) };
}

const FIELDS = {
  z_at_50: { action: 'FLAG_FOR_REVIEW or higher', actions: ['FLAG_FOR_REVIEW', 'BLOCK_ACCOUNT'] },
  z_per_25: { action: 'BLOCK_ACCOUNT', actions: ['BLOCK_ACCOUNT'] },
} as const;

/** Wilson score interval's lower end, one-sided 95%. */
function wilsonLowerBound(successes: number, trials: number): number {
  if (trials === 0) return 0;
  const z = 1.6449;
  const p = successes / trials;
  const centre = p + (z * z) / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
  return (centre - margin) / (1 + (z * z) / trials);
}

const accounts = Number(process.argv[2] ?? 20_000);
const seeds = (process.argv[3] ?? '2002,2003,2004,2005').split(',').map(Number);
const candidates = (process.argv[4] ?? '5,5.5,6,6.5,7,7.5,8,8.5,9,9.5,10,10.5,11').split(',').map(Number);
const target = Number(process.argv[5] ?? 0.9);
const field = (process.argv[6] ?? 'z_at_50') as keyof typeof FIELDS;
/** A usage mistake: one line and exit 2, as the other benches' arguments. */
function refuse(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}
if (!(field in FIELDS)) refuse(`field (argument 5) must be one of ${Object.keys(FIELDS).join(', ')}, got ${field}`);
if (seeds.some((s) => s >= 1001 && s <= 1004)) refuse('seeds 1001-1004 are the benchmark marketplaces: choose on others');

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)}%`);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-mapping-'));
try {
  const pooled: Record<number, { accounts: number; fraud: number }> = {};
  const rows: string[] = [];
  for (const seed of seeds) {
    const dataDir = path.join(root, `data-${seed}`);
    generateInChild(dataDir, accounts, seed);
    for (const value of candidates) {
      const config = TrainConfigSchema.parse({ score_mapping: { [field]: value } });
      const result = await trainModel({ dataDir, modelsRoot: path.join(root, `models-${seed}-${value}`), name: 'dev', seed: 1, config });
      const m = result.metrics;
      if (!m) throw new Error(`seed ${seed}: the generated marketplace has no labels`);
      const counts = countsOf(m, FIELDS[field].actions);
      const total = (pooled[value] ??= { accounts: 0, fraud: 0 });
      total.accounts += counts.accounts;
      total.fraud += counts.fraud;
      const block = m.precision_by_action?.['BLOCK_ACCOUNT'];
      rows.push(
        `| ${seed} | ${value} | ${pct(m.flagged_precision)} | ${pct(m.flagged_recall)} | ${pct(block?.precision)} | ${block?.accounts ?? '-'} | ${m.roc_auc['risk_score']?.toFixed(3)} / ${m.pr_auc['risk_score']?.toFixed(3)} |`,
      );
      console.error(`seed ${seed}, ${field} ${value}: ${FIELDS[field].action} precision ${pct(counts.fraud / counts.accounts)}`);
    }
  }
  const bound = (value: number) => wilsonLowerBound(pooled[value]?.fraud ?? 0, pooled[value]?.accounts ?? 0);
  const chosen = candidates.find((value) => bound(value) >= target);
  const pooledRows = candidates.map((value) => {
    const t = pooled[value] ?? { accounts: 0, fraud: 0 };
    return `| ${value} | ${t.fraud} of ${t.accounts} | ${pct(t.fraud / t.accounts)} | ${pct(bound(value))} |`;
  });
  console.log(
    [
      `Command: \`node dist-bench/bench/score-mapping-dev.bench.js ${accounts} ${seeds.join(',')} ${candidates.join(',')} ${target} ${field}\` (held-out 30% of each development marketplace)`,
      '',
      `| seed | ${field} | FLAG+ precision | FLAG+ recall | BLOCK precision | BLOCK accounts | risk score ROC / PR |`,
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Pooled over the seeds (${FIELDS[field].action}):`,
      '',
      `| ${field} | fraud of accounts | precision | 95% lower bound |`,
      '|---:|---:|---:|---:|',
      ...pooledRows,
      '',
      chosen === undefined
        ? `No candidate's pooled ${FIELDS[field].action} precision reaches ${pct(target)} at its 95% lower bound.`
        : `Smallest ${field} whose pooled ${FIELDS[field].action} precision reaches ${pct(target)} at its 95% lower bound: **${chosen}**`,
    ].join('\n'),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
