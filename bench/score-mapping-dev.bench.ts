// Chooses a score-mapping threshold on development marketplaces, never on the benchmark seeds (1001-1004): trains on
// each development seed with each candidate and prints held-out precision and recall by action. The rule: the
// smallest candidate whose precision is at least the target on every development seed (recall falls as it rises).
// - z_at_50, the robust z that becomes a risk score of 50 (FLAG_FOR_REVIEW): precision of FLAG_FOR_REVIEW or higher;
// - z_per_25, the z units from 50 to 75 (BLOCK_ACCOUNT), with z_at_50 at its default: precision of BLOCK_ACCOUNT.
// Usage: npm run bench:build && node dist-bench/bench/score-mapping-dev.bench.js [accounts=20000] [seeds=2002,2003]
//        [candidates=5,5.5,...,11] [target=0.9] [field=z_at_50|z_per_25]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelMetrics } from '../training/evaluation/evaluate-model.js';
import { TrainConfigSchema } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { generateInChild } from './bench-process.js';

const FIELDS = {
  z_at_50: { action: 'FLAG_FOR_REVIEW or higher', precision: (m: ModelMetrics) => m.flagged_precision },
  z_per_25: { action: 'BLOCK_ACCOUNT', precision: (m: ModelMetrics) => m.precision_by_action?.['BLOCK_ACCOUNT']?.precision ?? 0 },
} as const;

const accounts = Number(process.argv[2] ?? 20_000);
const seeds = (process.argv[3] ?? '2002,2003').split(',').map(Number);
const candidates = (process.argv[4] ?? '5,5.5,6,6.5,7,7.5,8,8.5,9,9.5,10,10.5,11').split(',').map(Number);
const target = Number(process.argv[5] ?? 0.9);
const field = (process.argv[6] ?? 'z_at_50') as keyof typeof FIELDS;
if (!(field in FIELDS)) throw new Error(`field must be one of ${Object.keys(FIELDS).join(', ')}, got ${field}`);
if (seeds.some((s) => s >= 1001 && s <= 1004)) throw new Error('seeds 1001-1004 are the benchmark marketplaces: choose on others');

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)}%`);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-mapping-'));
try {
  const precision: Record<number, number[]> = {};
  const rows: string[] = [];
  for (const seed of seeds) {
    const dataDir = path.join(root, `data-${seed}`);
    generateInChild(dataDir, accounts, seed);
    for (const value of candidates) {
      const config = TrainConfigSchema.parse({ score_mapping: { [field]: value } });
      const result = await trainModel({ dataDir, modelsRoot: path.join(root, `models-${seed}-${value}`), name: 'dev', seed: 1, config });
      const m = result.metrics;
      if (!m) throw new Error(`seed ${seed}: the generated marketplace has no labels`);
      (precision[value] ??= []).push(FIELDS[field].precision(m));
      const block = m.precision_by_action?.['BLOCK_ACCOUNT'];
      rows.push(
        `| ${seed} | ${value} | ${pct(m.flagged_precision)} | ${pct(m.flagged_recall)} | ${pct(block?.precision)} | ${block?.accounts ?? '-'} | ${m.roc_auc['risk_score']?.toFixed(3)} / ${m.pr_auc['risk_score']?.toFixed(3)} |`,
      );
      console.error(`seed ${seed}, ${field} ${value}: ${FIELDS[field].action} precision ${pct(FIELDS[field].precision(m))}`);
    }
  }
  const chosen = candidates.find((value) => (precision[value] ?? []).every((p) => p >= target));
  console.log(
    [
      `Command: \`node dist-bench/bench/score-mapping-dev.bench.js ${accounts} ${seeds.join(',')} ${candidates.join(',')} ${target} ${field}\` (held-out 30% of each development marketplace)`,
      '',
      `| seed | ${field} | FLAG+ precision | FLAG+ recall | BLOCK precision | BLOCK accounts | risk score ROC / PR |`,
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      chosen === undefined
        ? `No candidate reaches ${pct(target)} ${FIELDS[field].action} precision on every seed.`
        : `Smallest ${field} with ${FIELDS[field].action} precision ≥ ${pct(target)} on every seed: **${chosen}**`,
    ].join('\n'),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
