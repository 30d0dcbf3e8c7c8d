// The live identity state (issue 19): POST /v1/predict recording into the identity store vs "record": false, on the
// LMDB and the Redis store, measured in the same run; and recording many accounts into each store (time and size).
// The predict load repeats one body, so a recording request records the same account again each time (a replaced
// record: its old links are taken out and its new ones put in, plus one store transaction), not a new account.
// Usage: npm run bench:build && node dist-bench/bench/live-identity.bench.js [secondsPerRun=5] [accountsToRecord=20000]
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../data/load-dataset.js';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { accountEventsToRecord } from '../data/tables.js';
import { readHashSecret } from '../models/hash-secret.js';
import { loadScoringParts } from '../training/model-files.js';
import { LiveIdentityState, openIdentityStore } from '../training/identity/identity-store.js';
import type { LiveAccount } from '../training/identity/live-account.js';
import { trainModel } from '../training/train-model.js';
import { freePort, startBenchServe, startChild, stopChild } from './child-servers.js';
import { chooseLoadGenerator, type LoadResult } from './load-generator.js';
import { realisticAccountRecord } from './realistic-account.js';

const seconds = Number(process.argv[2] ?? 5);
const toRecord = Number(process.argv[3] ?? 20_000);
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-live-'));
const here = path.dirname(fileURLToPath(import.meta.url));
const running: ChildProcess[] = [];

async function startServer(name: string, command: string, args: string[], ready: RegExp, env: Record<string, string> = {}) {
  const started = await startChild({ logDir: root, cwd: path.join(here, '..', '..'), name, command, args }, ready, env, 120_000);
  running.push(started.child);
  return started;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

/** `count` distinct live accounts: new ids, identifiers drawn so that about one in five shares a bank with others. */
function syntheticLiveAccounts(count: number, template: LiveAccount): LiveAccount[] {
  const hex = (n: number, salt: number) => ((n * 2654435761 + salt) >>> 0).toString(16).padStart(8, '0').repeat(3);
  return Array.from({ length: count }, (_, i) => ({
    ...template,
    account_id: `live-${i}`,
    identifiers: {
      bank: i % 5 === 0 ? [hex(Math.floor(i / 20), 1)] : [hex(i, 2)],
      device: [hex(i, 3)],
      ip: [hex(i, 4), hex(i, 5), hex(Math.floor(i / 7), 6)],
    },
    recorded_at: Date.now(),
  }));
}

const generator = chooseLoadGenerator(root);
try {
  const dataDir = path.join(root, 'data');
  await generateMarketplace(dataDir, { accounts: 3000, seed: 21 });
  await trainModel({ dataDir, modelsRoot: path.join(root, 'models'), name: 'bench', seed: 1 });
  const dataset = await loadDataset(dataDir);
  const record = realisticAccountRecord(accountEventsToRecord(dataset.accounts[0]!));
  const recording = JSON.stringify({ accounts: [record] });
  const dry = JSON.stringify({ accounts: [record], record: false });
  const redisPort = await freePort();
  const redisDir = path.join(root, 'redis');
  await import('node:fs/promises').then((fs) => fs.mkdir(redisDir));
  const redis = await startServer(
    'redis',
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir],
    /(Ready to accept connections)/,
  );
  const stores: [string, string][] = [
    ['LMDB', path.join(root, 'identity-store')],
    ['Redis', `redis://127.0.0.1:${redisPort}/0`],
  ];
  console.log(
    `\n## Live identity state (issue 19)\n\nCommand: \`npm run bench:build && node dist-bench/bench/live-identity.bench.js ${seconds} ${toRecord}\` — \`ringfence serve\` (1 worker), one account of ${JSON.stringify(record).length} bytes per request, 16 connections, one warm-up run then record:false and recording alternated twice (${seconds} s each; figures are the means), load from ${generator.name}; ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)} before.\n`,
  );
  console.log('| store | record:false req/s | p50 ms | p99 ms | recording req/s | p50 ms | p99 ms | req/s ratio | p99 ratio | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [label, location] of stores) {
    const service = await startBenchServe(
      { logDir: root, name: `serve-${label}`, modelsRoot: path.join(root, 'models'), args: ['--identity-store', location] },
      { RINGFENCE_LOG_LEVEL: 'warn' },
      120_000,
    );
    running.push(service.child);
    // a warm-up run (not counted), then the two alternated twice, each figure the mean of its two runs
    await generator.run(`${service.url}/v1/predict`, dry, 16, seconds);
    const runs = { off: [] as LoadResult[], on: [] as LoadResult[] };
    for (let round = 0; round < 2; round++) {
      runs.off.push(await generator.run(`${service.url}/v1/predict`, dry, 16, seconds));
      runs.on.push(await generator.run(`${service.url}/v1/predict`, recording, 16, seconds));
    }
    const mean = (results: LoadResult[]): LoadResult => ({
      rps: (results[0]!.rps + results[1]!.rps) / 2,
      p50: (results[0]!.p50 + results[1]!.p50) / 2,
      p99: (results[0]!.p99 + results[1]!.p99) / 2,
      errors: results[0]!.errors + results[1]!.errors,
    });
    const off = mean(runs.off);
    const on = mean(runs.on);
    console.log(
      `| ${label} | ${off.rps.toFixed(0)} | ${off.p50.toFixed(1)} | ${off.p99.toFixed(1)} | ${on.rps.toFixed(0)} | ${on.p50.toFixed(1)} | ${on.p99.toFixed(1)} | ${(on.rps / off.rps).toFixed(2)} | ${(on.p99 / off.p99).toFixed(2)} | ${off.errors + on.errors} |`,
    );
    await stopChild(service.child);
  }

  // recording many distinct accounts, 25 per transaction as a request records them, with the state kept current
  const { parts } = await loadScoringParts(path.join(root, 'models'), 'bench');
  const secret = await readHashSecret(path.join(root, 'models'));
  const template: LiveAccount = {
    account_id: 'x',
    identifiers: { bank: [], device: [], ip: [] },
    created_at: Date.now(),
    recorded_at: Date.now(),
    template_signature: null,
  };
  const accounts = syntheticLiveAccounts(toRecord, template);
  console.log(
    `\nRecording ${toRecord} distinct accounts, 25 per transaction, each replayed into the process's state (groups kept current): one transaction at a time, and 16 in flight (as 16 connections of recording requests would have them; into a fresh store):\n`,
  );
  console.log(
    '| store | seconds | accounts/s | store size MiB | extrapolated to 1M: minutes | GiB | groups | 16 in flight: seconds | accounts/s | 1M: minutes |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  /** Records `accounts` into a fresh state over `location`, `inFlight` transactions at a time; seconds, and the state. */
  const recordAll = async (location: string, inFlight: number) => {
    const state = new LiveIdentityState(parts.identityIndex, await openIdentityStore(location, secret.fingerprint));
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (;;) {
          const i = next;
          next += 25;
          if (i >= accounts.length) return;
          await state.record(accounts.slice(i, i + 25));
        }
      }),
    );
    return { elapsed: (performance.now() - started) / 1000, state };
  };
  for (const [label, location, concurrentLocation] of [
    ['LMDB', path.join(root, 'record-store'), path.join(root, 'record-store-16')],
    ['Redis', `redis://127.0.0.1:${redisPort}/1`, `redis://127.0.0.1:${redisPort}/2`],
  ] as const) {
    const { elapsed, state } = await recordAll(location, 1);
    const bytes =
      label === 'LMDB'
        ? await directoryBytes(location)
        : Number(/used_memory:(\d+)/.exec(execFileSync('redis-cli', ['-p', String(redisPort), 'info', 'memory'], { encoding: 'utf8' }))?.[1] ?? NaN);
    const groups = [...state.graph.liveGroups()].length;
    await state.close();
    const concurrent = await recordAll(concurrentLocation, 16);
    const concurrentGroups = [...concurrent.state.graph.liveGroups()].length;
    await concurrent.state.close();
    if (concurrentGroups !== groups) throw new Error(`${label}: ${concurrentGroups} groups recorded 16 in flight, ${groups} one at a time`);
    const perMillion = 1e6 / toRecord;
    console.log(
      `| ${label} | ${elapsed.toFixed(1)} | ${(toRecord / elapsed).toFixed(0)} | ${(bytes / 2 ** 20).toFixed(1)} | ${((elapsed * perMillion) / 60).toFixed(1)} | ${((bytes * perMillion) / 2 ** 30).toFixed(2)} | ${groups} | ${concurrent.elapsed.toFixed(1)} | ${(toRecord / concurrent.elapsed).toFixed(0)} | ${((concurrent.elapsed * perMillion) / 60).toFixed(1)} |`,
    );
  }
  console.log(
    `\n(Redis size: the server's used_memory after the one-at-a-time run, both databases then in use. Load average after: ${os.loadavg()[0]!.toFixed(1)}.)`,
  );
  await stopChild(redis.child);
} finally {
  for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
  await rm(root, { recursive: true, force: true });
}
