// Load test of POST /v1/predict against the real server with a trained model, beside a bare Express route that
// parses and returns a body of the same size, measured in the same run (loopback only, bounded in time).
// Usage: npx tsx bench/predict-load.bench.ts [secondsPerRun=5]
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import express from 'express';
import { pino } from 'pino';
import { loadDataset } from '../data/load-dataset.js';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { loadServeConfig } from '../serving/config.js';
import { startService } from '../serving/main.js';
import { trainModel } from '../training/train-model.js';

const seconds = Number(process.argv[2] ?? 5);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-predict-'));

function toRecord(a: Awaited<ReturnType<typeof loadDataset>>['accounts'][number]) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    account_id: a.account_id,
    created_at: iso(a.created_at),
    country: a.country,
    has_2fa: a.has_2fa,
    logins: a.logins.map((l) => ({ ...l, ts: iso(l.ts) })),
    proposals: a.proposals.map((p) => ({ ...p, ts: iso(p.ts), job_posted_at: iso(p.job_posted_at) })),
    tests: a.tests.map((t) => ({ ...t, started_at: iso(t.started_at) })),
    payouts: a.payouts.map((p) => ({ ...p, added_at: iso(p.added_at) })),
  };
}

async function load(url: string, body: string, connections: number) {
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

try {
  const dataDir = path.join(root, 'data');
  await generateMarketplace(dataDir, { accounts: 5000, seed: 21 });
  await trainModel({ dataDir, modelsRoot: path.join(root, 'models'), name: 'bench', seed: 1 });
  const dataset = await loadDataset(dataDir);
  // a realistic history: the first account with 50-200 events
  const eventsOf = (a: (typeof dataset.accounts)[number]) => a.logins.length + a.proposals.length + a.tests.length + a.payouts.length;
  const account = dataset.accounts.find((a) => eventsOf(a) >= 50 && eventsOf(a) <= 200) ?? dataset.accounts[0]!;
  const single = JSON.stringify({ accounts: [toRecord(account)] });
  const batch = JSON.stringify({ accounts: dataset.accounts.slice(0, 100).map(toRecord) });

  const service = await startService(loadServeConfig({}, { models_root: path.join(root, 'models'), model_name: 'bench', port: 0, log_level: 'silent', rate_limit_per_minute: 100_000_000 }), { logger: pino({ level: 'silent' }) });
  const bare = express();
  bare.use(express.json({ limit: '2mb' }));
  bare.post('/echo', (req, res) => {
    res.json(req.body);
  });
  const bareServer = bare.listen(0, '127.0.0.1');
  await new Promise((r) => bareServer.once('listening', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/echo`;

  console.log(`\n## Scoring service load test (issue 7)\n\nCommand: \`npx tsx bench/predict-load.bench.ts ${seconds}\` — one account with ${eventsOf(account)} events (${single.length} bytes), ${seconds} s per run, autocannon on loopback, the same machine.\n`);
  console.log('| connections | predict req/s | p50 ms | p99 ms | bare Express req/s | p50 ms | p99 ms | predict / bare | errors |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const connections of [1, 16, 64]) {
    const p = await load(`${service.url}/v1/predict`, single, connections);
    const b = await load(bareUrl, single, connections);
    console.log(`| ${connections} | ${p.rps.toFixed(0)} | ${p.p50} | ${p.p99} | ${b.rps.toFixed(0)} | ${b.p50} | ${b.p99} | ${(p.rps / b.rps).toFixed(2)} | ${p.errors + b.errors} |`);
  }
  const timings: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const res = await fetch(`${service.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`batch request answered ${res.status}`);
    timings.push(performance.now() - t);
  }
  timings.sort((a, b) => a - b);
  console.log(`\nBatch of 100 accounts (${(batch.length / 1024).toFixed(0)} KiB) in one request: median ${timings[10]!.toFixed(1)} ms, max ${timings[19]!.toFixed(1)} ms over 20 requests.`);
  await service.close();
  await new Promise((r) => bareServer.close(r));
} finally {
  await rm(root, { recursive: true, force: true });
}
