// Features + identity graph over a generated marketplace: accounts/s and peak RSS, beside DuckDB SQL doing the
// per-account aggregations of the same files in the same run; ring precision / recall against the true rings.
// Usage: npm run bench:build && node dist-bench/bench/features-graph.bench.js [accounts=100000] [seed=1003] [shardInputMib=1024]
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { matchRings } from '../training/evaluation/ring-metrics.js';
import { DEFAULT_SHARD_INPUT_MIB } from '../data/dataset-shards.js';
import { featuriseDataset } from '../training/features/featurise-dataset.js';
import { IdentityConfigSchema } from '../training/identity/identity-index.js';
import { generateInChild, peakRssMiB } from './bench-process.js';

const accounts = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1003);
const shardInputMib = Number(process.argv[4] ?? DEFAULT_SHARD_INPUT_MIB);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-features-'));
const dir = path.join(root, 'data');
try {
  generateInChild(dir, accounts, seed);
  const t0 = performance.now();
  const result = await featuriseDataset(dir, { identity: IdentityConfigSchema.parse({}), hashKey: 'bench', shardInputMib: shardInputMib });
  const wallSeconds = (performance.now() - t0) / 1000;
  const { seconds } = result;
  const events = Object.entries(result.summary.tables)
    .filter(([k]) => k !== 'accounts' && k !== 'labels')
    .reduce((a, [, v]) => a + v.rows, 0);
  let checksum = 0;
  for (const f of result.features) checksum += f.values[0] as number;
  const peak = peakRssMiB();

  // reference: the same kind of per-account aggregations, in DuckDB SQL over the same CSV files
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const t = performance.now();
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
  const honest = new Set([...(result.labels?.values() ?? [])].filter((l) => l.label === 0).map((l) => l.account_id));
  const rings = matchRings(
    [...result.identityIndex.rings.values()].map((r) => r.members),
    [...truth.values()],
    honest,
  );
  const featureSeconds = seconds.summarise + seconds.complete;
  const total = seconds.graph + featureSeconds;
  console.log(`\n## Features and identity graph (issue 4): ${accounts} accounts, seed ${seed}\n`);
  console.log(
    `Command: \`npm run bench:build && node dist-bench/bench/features-graph.bench.js ${accounts} ${seed} ${shardInputMib}\` (\`featuriseDataset\`, as \`ringfence train\` runs it: ${result.shards} shard${result.shards > 1 ? 's' : ''} of about ${shardInputMib} MiB input; checksum ${checksum.toFixed(0)})\n`,
  );
  console.log('| step | seconds | accounts/s |\n|---|---:|---:|');
  console.log(`| load + validate (${events} events, every shard) | ${seconds.load.toFixed(1)} | ${(accounts / seconds.load).toFixed(0)} |`);
  console.log(
    `| own-event features (logins, proposals, tests, payouts) and hashed identifiers | ${seconds.summarise.toFixed(1)} | ${(accounts / seconds.summarise).toFixed(0)} |`,
  );
  console.log(`| identity graph | ${seconds.graph.toFixed(1)} | ${(accounts / seconds.graph).toFixed(0)} |`);
  console.log(`| link and age features | ${seconds.complete.toFixed(1)} | ${(accounts / seconds.complete).toFixed(0)} |`);
  console.log(`| **features + graph** | ${total.toFixed(1)} | ${(accounts / total).toFixed(0)} |`);
  console.log(`| **all, from the files (wall clock)** | ${wallSeconds.toFixed(1)} | ${(accounts / wallSeconds).toFixed(0)} |`);
  console.log(
    `| reference: DuckDB SQL per-account aggregations from the CSVs | ${duckSeconds.toFixed(1)} | ${(accounts / duckSeconds).toFixed(0)} |`,
  );
  console.log(
    `\nPeak RSS ${peak.toFixed(0)} MiB (load, features and graph; generation ran in a child process; one shard of events in memory at a time). Rings: ${rings.predictedRings} predicted / ${rings.trueRings} true, precision ${(rings.precision * 100).toFixed(1)}%, recall ${(rings.recall * 100).toFixed(1)}%, honest accounts in rings ${(rings.honestInRingsShare * 100).toFixed(2)}%.`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
