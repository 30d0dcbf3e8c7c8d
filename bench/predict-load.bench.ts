// Load test of POST /v1/predict against the real server (`ringfence serve` in its own process, request logging on,
// stdout to a file) with a trained model, beside a bare Express route in its own process that parses and returns a
// body of the same size, measured in the same run; autocannon drives both from this process (loopback, bounded).
// Usage: npm run bench:build && node dist-bench/bench/predict-load.bench.js [secondsPerRun=5]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadDataset } from '../data/load-dataset.js';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { accountEventsToRecord } from '../data/tables.js';
import { trainModel } from '../training/train-model.js';

const seconds = Number(process.argv[2] ?? 5);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-predict-'));
const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a server process with stdout to a file and waits for the line that names its URL. */
async function startChild(name: string, args: string[], ready: RegExp, env: Record<string, string>): Promise<string> {
  const logFile = path.join(root, `${name}.log`);
  const log = await open(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd: path.join(here, '..', '..'), env: { ...process.env, ...env }, stdio: ['ignore', log.fd, log.fd] });
  children.push(child);
  await log.close(); // the child holds its own copy of the descriptor
  for (let waited = 0; waited < 30_000; waited += 100) {
    const match = ready.exec(await readFile(logFile, 'utf8'));
    if (match) return match[1] as string;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start: ${(await readFile(logFile, 'utf8')).slice(-2000)}`);
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
  const single = JSON.stringify({ accounts: [accountEventsToRecord(account)] });
  const batch = JSON.stringify({ accounts: dataset.accounts.slice(0, 100).map(accountEventsToRecord) });

  // the CLI of the same build as this script (compiled, or the sources under tsx)
  const cli = path.join(here, `../cli/ringfence${path.extname(fileURLToPath(import.meta.url))}`);
  const serviceUrl = await startChild('service', [...process.execArgv, cli, 'serve', '--models', path.join(root, 'models'), '--name', 'bench', '--port', String(await freePort())], /serving on (http:\/\/\S+)/, {
    RINGFENCE_RATE_LIMIT: '100000000',
  });
  const barePort = await freePort();
  const bareSource = `import express from 'express';
    const app = express();
    app.use(express.json({ limit: '2mb' }));
    app.post('/echo', (req, res) => { res.json(req.body); });
    app.listen(${barePort}, '127.0.0.1', () => console.log('bare on http://127.0.0.1:${barePort}'));`;
  const bareUrl = `${await startChild('bare', ['--input-type=module', '-e', bareSource], /bare on (http:\/\/\S+)/, {})}/echo`;

  console.log(`\n## Scoring service load test (issue 7)\n\nCommand: \`npm run bench:build && node dist-bench/bench/predict-load.bench.js ${seconds}\` — one account with ${eventsOf(account)} events (${single.length} bytes), ${seconds} s per run, \`ringfence serve\` (request logs on) and a bare Express echo each in their own process, autocannon in this one, loopback, the same 2-core machine.\n`);
  console.log('| connections | predict req/s | p50 ms | p99 ms | bare Express req/s | p50 ms | p99 ms | predict / bare | errors |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const connections of [1, 16, 64]) {
    const p = await load(`${serviceUrl}/v1/predict`, single, connections);
    const b = await load(bareUrl, single, connections);
    console.log(`| ${connections} | ${p.rps.toFixed(0)} | ${p.p50} | ${p.p99} | ${b.rps.toFixed(0)} | ${b.p50} | ${b.p99} | ${(p.rps / b.rps).toFixed(2)} | ${p.errors + b.errors} |`);
  }
  const timings: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const res = await fetch(`${serviceUrl}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`batch request answered ${res.status}`);
    timings.push(performance.now() - t);
  }
  timings.sort((a, b) => a - b);
  console.log(`\nBatch of 100 accounts (${(batch.length / 1024).toFixed(0)} KiB) in one request: median ${timings[10]!.toFixed(1)} ms, max ${timings[19]!.toFixed(1)} ms over 20 requests.`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await rm(root, { recursive: true, force: true });
}
