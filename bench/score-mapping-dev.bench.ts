// Chooses the score mapping's z_at_50 (the robust z that becomes a risk score of 50, the FLAG_FOR_REVIEW threshold)
// on development marketplaces, never on the benchmark seeds (1001/1002): trains on each development seed with each
// candidate and prints held-out FLAG_FOR_REVIEW-or-higher precision and recall. The rule: the smallest candidate
// whose precision is at least the target on every development seed (recall falls as z_at_50 rises).
// Usage: npm run bench:build && node dist-bench/bench/score-mapping-dev.bench.js [accounts=20000] [seeds=2002,2003] [candidates=5,5.5,...,11] [target=0.9]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TrainConfigSchema } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { generateInChild } from './bench-process.js';

const accounts = Number(process.argv[2] ?? 20_000);
const seeds = (process.argv[3] ?? '2002,2003').split(',').map(Number);
const candidates = (process.argv[4] ?? '5,5.5,6,6.5,7,7.5,8,8.5,9,9.5,10,10.5,11').split(',').map(Number);
const target = Number(process.argv[5] ?? 0.9);
if (seeds.some((s) => s >= 1001 && s <= 1004)) throw new Error('seeds 1001-1004 are the benchmark marketplaces: choose on others');

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-mapping-'));
try {
  const precision: Record<number, number[]> = {};
  const rows: string[] = [];
  for (const seed of seeds) {
    const dataDir = path.join(root, `data-${seed}`);
    generateInChild(dataDir, accounts, seed);
    for (const z of candidates) {
      const config = TrainConfigSchema.parse({ score_mapping: { z_at_50: z } });
      const result = await trainModel({ dataDir, modelsRoot: path.join(root, `models-${seed}-${z}`), name: 'dev', seed: 1, config });
      const m = result.metrics;
      if (!m) throw new Error(`seed ${seed}: the generated marketplace has no labels`);
      (precision[z] ??= []).push(m.flagged_precision);
      rows.push(`| ${seed} | ${z} | ${pct(m.flagged_precision)} | ${pct(m.flagged_recall)} | ${m.roc_auc['risk_score']?.toFixed(3)} / ${m.pr_auc['risk_score']?.toFixed(3)} |`);
      console.error(`seed ${seed}, z_at_50 ${z}: precision ${pct(m.flagged_precision)}, recall ${pct(m.flagged_recall)}`);
    }
  }
  const chosen = candidates.find((z) => (precision[z] ?? []).every((p) => p >= target));
  console.log(
    [
      `Command: \`node dist-bench/bench/score-mapping-dev.bench.js ${accounts} ${seeds.join(',')} ${candidates.join(',')} ${target}\` (held-out 30% of each development marketplace)`,
      '',
      '| seed | z_at_50 | FLAG+ precision | FLAG+ recall | risk score ROC / PR |',
      '|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      chosen === undefined ? `No candidate reaches ${pct(target)} precision on every seed.` : `Smallest z_at_50 with FLAG+ precision ≥ ${pct(target)} on every seed: **${chosen}**`,
    ].join('\n'),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
