// Load test of POST /v1/predict against the real server (`ringfence serve` in its own processes, request logging
// on, stdout to a file) with a trained model, beside a bare Express route that parses and returns a body of the same
// size, each with 1 worker process and with 2 (node:cluster, the bare route too), measured in the same run. The
// load comes from wrk when installed (`bash scripts/install-system-deps.sh load`), else from autocannon in this
// process (loopback, bounded).
// Both servers get the same unmeasured warm-up first: the predict path's code takes ~5,000 requests to settle in the
// JIT (measured: its compiler threads cost 1.5 ms of CPU per request in the first 2 s window, 0.15 ms after 12 s), a
// cost a long-running service pays once, not per request.
// Each row is measured in several rounds, predict then bare in turn, and the ratios are summarised over the rounds: on
// a shared machine the speed of both servers drifts by a third within minutes, so one pair of runs can land anywhere.
// The rows "new accounts" send a new account in every request (new id and identifiers): one body repeated makes the
// service re-record the same account each time, a different path through the live identity state than a new sign-up.
// Usage: npm run bench:build && node dist-bench/bench/predict-load.bench.js [secondsPerRun=5] [warmUpSeconds=15] [rounds=3]
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../data/load-dataset.js';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { accountEventsToRecord, type AccountEventsInput } from '../data/tables.js';
import { freshAccountBodies, realisticAccountRecord } from './realistic-account.js';
import { trainModel } from '../training/train-model.js';
import { freePort, startBenchServe, startChild, stopChild } from './child-servers.js';
import { chooseLoadGenerator, type FreshAccountBodies, type LoadGenerator, type LoadResult } from './load-generator.js';
import { processTreeCpuMs } from './process-cpu.js';
import { wholeNumberArgument } from './whole-number-argument.js';

// wrk takes whole seconds
const seconds = wholeNumberArgument(2, 5, 1);
const warmUpSeconds = wholeNumberArgument(3, 15, 0);
const rounds = wholeNumberArgument(4, 3, 1);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-predict-'));
const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts a server process with its output in a log file under the bench folder; waits for the line naming its URL. */
const startServer = (name: string, args: string[], ready: RegExp, env: Record<string, string>) =>
  startChild({ logDir: root, cwd: path.join(here, '..', '..'), name, command: process.execPath, args }, ready, env);

/**
 * A bare Express route that parses the JSON body and returns it, in `workers` processes on one port like the
 * service: a script file (cluster workers run a file), importing this project's express by its resolved URL.
 */
async function bareScript(port: number, workers: number): Promise<string> {
  const file = path.join(root, `bare-${workers}.mjs`);
  await writeFile(
    file,
    `import cluster from 'node:cluster';
    import express from ${JSON.stringify(import.meta.resolve('express'))};
    if (${workers} > 1 && cluster.isPrimary) {
      let listening = 0;
      for (let i = 0; i < ${workers}; i++) cluster.fork().on('listening', () => { if (++listening === ${workers}) console.log('bare on http://127.0.0.1:${port}'); });
      process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM'); });
    } else {
      const app = express();
      app.use(express.json({ limit: '8mb' }));
      app.post('/echo', (req, res) => { res.json(req.body); });
      app.listen(${port}, '127.0.0.1', () => { if (${workers} === 1) console.log('bare on http://127.0.0.1:${port}'); });
    }`,
  );
  return file;
}

/** A load run, with the CPU the server's processes spent per request (null where /proc cannot tell). */
async function measure(
  generator: LoadGenerator,
  server: ChildProcess,
  url: string,
  body: string | FreshAccountBodies,
  connections: number,
): Promise<LoadResult & { cpuMsPerRequest: number | null }> {
  const before = processTreeCpuMs(server.pid!);
  const result = await generator.run(url, body, connections, seconds);
  const after = processTreeCpuMs(server.pid!);
  return { ...result, cpuMsPerRequest: before !== null && after !== null ? (after - before) / (result.rps * seconds) : null };
}

const cpuText = (ms: number | null) => (ms === null ? '-' : ms.toFixed(2));
/** The median and the range of a row's ratios over its rounds, e.g. "0.42 (0.29-0.49)". */
function ratioSummary(ratios: readonly number[]): string {
  const sorted = [...ratios].sort((a, b) => a - b);
  const middle = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return `${middle.toFixed(2)} (${sorted[0]!.toFixed(2)}-${sorted[sorted.length - 1]!.toFixed(2)})`;
}
const loadAverage = () => os.loadavg()[0]!.toFixed(2);
const generator = chooseLoadGenerator(root);
const running: ChildProcess[] = [];
try {
  const dataDir = path.join(root, 'data');
  await generateMarketplace(dataDir, { accounts: 5000, seed: 21 });
  await trainModel({ dataDir, modelsRoot: path.join(root, 'models'), name: 'bench', seed: 1 });
  const dataset = await loadDataset(dataDir);
  // a realistic account (issue 21): 150 events, 60 of them proposals with ~350-character cover letters, ~25 KB
  const record = realisticAccountRecord(accountEventsToRecord(dataset.accounts[0]!));
  const eventsOf = (r: AccountEventsInput) =>
    (r.logins?.length ?? 0) + (r.proposals?.length ?? 0) + (r.tests?.length ?? 0) + (r.payouts?.length ?? 0);
  const single = JSON.stringify({ accounts: [record] });
  // the same account with a new id and new identifiers in every request: new sign-ups, each one added to the live state
  const fresh = freshAccountBodies(record);
  const loads: { connections: number; label: string; body: string | FreshAccountBodies }[] = [
    { connections: 1, label: '1', body: single },
    { connections: 16, label: '16', body: single },
    { connections: 64, label: '64', body: single },
    // last: the accounts it adds grow the live state the later rows would be measured on
    { connections: 16, label: '16, new accounts', body: fresh },
  ];
  const batch = JSON.stringify({ accounts: dataset.accounts.slice(0, 100).map((a, i) => realisticAccountRecord(accountEventsToRecord(a), i)) });
  // the CLI of the same build as this script (compiled, or the sources under tsx)

  const generatorNote =
    generator.name === 'wrk'
      ? 'wrk (one thread, its own process; latency from when a request is written on its connection, so a request is not timed while it waits for a busy connection)'
      : 'autocannon in the bench process (it takes most of a core; `bash scripts/install-system-deps.sh load` installs wrk)';
  console.log(
    `\n## Scoring service load test (issues 7, 21)\n\nCommand: \`npm run bench:build && node dist-bench/bench/predict-load.bench.js ${seconds} ${warmUpSeconds} ${rounds}\` — one account with ${eventsOf(record)} events (${single.length} bytes), the same in every request (re-recorded in the live identity state each time) except in the rows "new accounts", where each request carries a new account id, IPs, device ids and bank hashes (a new sign-up added to the live state; the bare echo gets the same bodies), ${seconds} s per run, ${rounds} rounds of predict then bare per row, after a warm-up of ${warmUpSeconds} s at 16 connections (unmeasured, each server), \`ringfence serve --workers N\` (request logs on, to a file) and a bare Express echo in N processes likewise, load from ${generatorNote}; loopback, ${os.availableParallelism()} cores.\n`,
  );
  console.log(
    `Load average (1 min) before the runs: ${loadAverage()} on ${os.availableParallelism()} cores. CPU ms/req: user + system CPU of the server's processes (primary and workers) per request answered.\n`,
  );
  console.log(
    '| workers | connections | round | predict req/s | p50 ms | p99 ms | CPU ms/req | bare Express req/s | p50 ms | p99 ms | CPU ms/req | predict / bare req/s | errors |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const summaries: string[] = [];
  const batchLines: string[] = [];
  for (const workers of [1, 2]) {
    const service = await startBenchServe({
      logDir: root,
      name: `service-${workers}`,
      modelsRoot: path.join(root, 'models'),
      // its own identity store: the 2-worker rows start from the state the 1-worker rows started from, not from theirs
      args: ['--workers', String(workers), '--identity-store', path.join(root, `identity-${workers}`)],
    });
    running.push(service.child);
    const barePort = await freePort();
    const bare = await startServer(`bare-${workers}`, [await bareScript(barePort, workers)], /bare on (http:\/\/\S+)/, {});
    running.push(bare.child);
    if (warmUpSeconds > 0) {
      await generator.run(`${service.url}/v1/predict`, single, 16, warmUpSeconds);
      await generator.run(`${bare.url}/echo`, single, 16, warmUpSeconds);
    }
    for (const { connections, label, body } of loads) {
      const ratios = { rps: [] as number[], p99: [] as number[], cpu: [] as number[] };
      for (let round = 1; round <= rounds; round++) {
        const p = await measure(generator, service.child, `${service.url}/v1/predict`, body, connections);
        const b = await measure(generator, bare.child, `${bare.url}/echo`, body, connections);
        ratios.rps.push(p.rps / b.rps);
        ratios.p99.push(p.p99 / b.p99);
        if (p.cpuMsPerRequest !== null && b.cpuMsPerRequest !== null) ratios.cpu.push(p.cpuMsPerRequest / b.cpuMsPerRequest);
        console.log(
          `| ${workers} | ${label} | ${round} | ${p.rps.toFixed(0)} | ${p.p50.toFixed(1)} | ${p.p99.toFixed(1)} | ${cpuText(p.cpuMsPerRequest)} | ${b.rps.toFixed(0)} | ${b.p50.toFixed(1)} | ${b.p99.toFixed(1)} | ${cpuText(b.cpuMsPerRequest)} | ${(p.rps / b.rps).toFixed(2)} | ${p.errors + b.errors} |`,
        );
      }
      summaries.push(
        `| ${workers} | ${label} | ${ratioSummary(ratios.rps)} | ${ratioSummary(ratios.p99)} | ${ratios.cpu.length > 0 ? ratioSummary(ratios.cpu) : '-'} |`,
      );
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
    batchLines.push(
      `Batch of 100 accounts (${(batch.length / 1024).toFixed(0)} KiB) in one request, ${workers} worker${workers > 1 ? 's' : ''}: median ${timings[10]!.toFixed(1)} ms, max ${timings[19]!.toFixed(1)} ms over 20 requests.`,
    );
    await Promise.all([stopChild(service.child), stopChild(bare.child)]);
  }
  console.log(
    `\nOver the rounds, median (range): predict / bare throughput, p99 and CPU per request (issue 21's targets at 1 worker, 16 connections: throughput >= 0.5, p99 <= 2).\n`,
  );
  console.log('| workers | connections | predict / bare req/s | predict / bare p99 | predict / bare CPU ms/req |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const line of summaries) console.log(line);
  console.log(`\n${batchLines.join('\n')}\n\nLoad average (1 min) after the runs: ${loadAverage()}.`);
} finally {
  for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
  await rm(root, { recursive: true, force: true });
}
