// Features + identity graph over a generated marketplace: accounts/s and peak RSS, beside DuckDB SQL doing the
// per-account aggregations of the same files in the same run; ring precision / recall against the true rings.
// Usage: npm run bench:build && node dist-bench/bench/features-graph.bench.js [accounts=100000] [seed=1003]
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadDataset } from '../data/load-dataset.js';
import { computeAccountFeatures } from '../training/features/account-features.js';
import { matchRings } from '../training/evaluation/ring-metrics.js';
import { buildIdentityIndex } from '../training/identity/identity-graph.js';
import { IdentityConfigSchema } from '../training/identity/identity-index.js';
import { generateInChild, peakRssMiB } from './bench-process.js';

const accounts = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1003);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-features-'));
const dir = path.join(root, 'data');
try {
  generateInChild(dir, accounts, seed);
  let t = performance.now();
  const dataset = await loadDataset(dir);
  const loadSeconds = (performance.now() - t) / 1000;
  const events = Object.entries(dataset.summary.tables).filter(([k]) => k !== 'accounts' && k !== 'labels').reduce((a, [, v]) => a + v.rows, 0);
  t = performance.now();
  const index = buildIdentityIndex(dataset.accounts, { config: IdentityConfigSchema.parse({}), hashKey: 'bench' });
  const graphSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const referenceTime = Date.parse(dataset.summary.time_range.to ?? '2026-06-30T00:00:00Z');
  let checksum = 0;
  for (const account of dataset.accounts) checksum += computeAccountFeatures(account, { referenceTime, identityIndex: index }).values[0] as number;
  const featureSeconds = (performance.now() - t) / 1000;
  const peak = peakRssMiB();

  // reference: the same kind of per-account aggregations, in DuckDB SQL over the same CSV files
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  t = performance.now();
  const sql = `
    WITH l AS (SELECT account_id, count(*) n, count(DISTINCT country) c, count(DISTINCT ip) i, count(DISTINCT device_id) d FROM read_csv('${dir}/logins.csv') GROUP BY 1),
         p AS (SELECT account_id, count(*) n, median(bid_amount / job_budget) r, median(epoch(ts) - epoch(job_posted_at)) s FROM read_csv('${dir}/proposals.csv') GROUP BY 1),
         s AS (SELECT account_id, min(duration_s / typical_duration_s) f, avg(score) m FROM read_csv('${dir}/tests.csv') GROUP BY 1),
         b AS (SELECT bank_hash, count(DISTINCT account_id) k FROM read_csv('${dir}/payouts.csv') GROUP BY 1)
    SELECT count(*)::INTEGER FROM read_csv('${dir}/accounts.csv') a LEFT JOIN l USING (account_id) LEFT JOIN p USING (account_id) LEFT JOIN s USING (account_id)`;
  await duck.runAndReadAll(sql);
  const duckSeconds = (performance.now() - t) / 1000;

  const truth = new Map<string, string[]>();
  for (const line of (await readFile(path.join(dir, 'rings.csv'), 'utf8')).trim().split('\n').slice(1)) {
    const [ring, account] = line.split(',') as [string, string];
    truth.set(ring, [...(truth.get(ring) ?? []), account]);
  }
  const honest = new Set([...(dataset.labels?.values() ?? [])].filter((l) => l.label === 0).map((l) => l.account_id));
  const rings = matchRings([...index.rings.values()].map((r) => r.members), [...truth.values()], honest);
  const total = graphSeconds + featureSeconds;
  console.log(`\n## Features and identity graph (issue 4): ${accounts} accounts, seed ${seed}\n`);
  console.log(`Command: \`npm run bench:build && node dist-bench/bench/features-graph.bench.js ${accounts} ${seed}\` (checksum ${checksum.toFixed(0)})\n`);
  console.log('| step | seconds | accounts/s |\n|---|---:|---:|');
  console.log(`| load + validate (${events} events) | ${loadSeconds.toFixed(1)} | ${(accounts / loadSeconds).toFixed(0)} |`);
  console.log(`| identity graph | ${graphSeconds.toFixed(1)} | ${(accounts / graphSeconds).toFixed(0)} |`);
  console.log(`| features (29 per account) | ${featureSeconds.toFixed(1)} | ${(accounts / featureSeconds).toFixed(0)} |`);
  console.log(`| **features + graph** | ${total.toFixed(1)} | ${(accounts / total).toFixed(0)} |`);
  console.log(`| reference: DuckDB SQL per-account aggregations from the CSVs | ${duckSeconds.toFixed(1)} | ${(accounts / duckSeconds).toFixed(0)} |`);
  console.log(`\nPeak RSS ${peak.toFixed(0)} MiB (load, graph and features; generation ran in a child process; every event is held in memory while featurising). Rings: ${rings.predictedRings} predicted / ${rings.trueRings} true, precision ${(rings.precision * 100).toFixed(1)}%, recall ${(rings.recall * 100).toFixed(1)}%, honest accounts in rings ${(rings.honestInRingsShare * 100).toFixed(2)}%.`);
} finally {
  await rm(root, { recursive: true, force: true });
}
