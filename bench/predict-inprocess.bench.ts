// The predict route's own work without HTTP, as the service does it: JSON.parse of the body, validation
// (parsePredictBody), then scoreAccounts of the served model with recording into an LMDB identity store, from 16
// concurrent chains as 16 connections would drive it, after a warm-up long enough for the JIT to settle. Prints the
// CPU of the main thread and of the other threads per request, and the garbage collections: steadier than a load test
// on a shared machine, so that two builds can be compared (run it in each checkout, alternately).
// Usage: npm run bench:build && node dist-bench/bench/predict-inprocess.bench.js [requests=6000] [warmUp=5000] [chains=16]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type PerformanceEntry, PerformanceObserver, constants } from 'node:perf_hooks';
import { loadDataset } from '../data/load-dataset.js';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { accountEventsToRecord } from '../data/tables.js';
import { createModelLoader } from '../serving/model-holder.js';
import { parsePredictBody } from '../serving/predict-body.js';
import { trainModel } from '../training/train-model.js';
import { ownThreadsCpuMs } from './process-cpu.js';
import { realisticAccountRecord } from './realistic-account.js';
import { wholeNumberArgument } from './whole-number-argument.js';

const requests = wholeNumberArgument(2, 6000, 1);
const warmUp = wholeNumberArgument(3, 5000, 1);
const chains = wholeNumberArgument(4, 16, 1);

const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-inprocess-'));
try {
  const dataDir = path.join(root, 'data');
  await generateMarketplace(dataDir, { accounts: 5000, seed: 21 });
  await trainModel({ dataDir, modelsRoot: path.join(root, 'models'), name: 'bench', seed: 1 });
  const dataset = await loadDataset(dataDir);
  // the load bench's account (issue 21): 150 events, 60 proposals of ~300 characters, ~29 KB of JSON
  const body = JSON.stringify({ accounts: [realisticAccountRecord(accountEventsToRecord(dataset.accounts[0]!))] });
  const model = await createModelLoader(path.join(root, 'models'), 'bench', { identityStore: path.join(root, 'store') })();
  const limits = { max_accounts_per_request: 100, max_events_per_account: 5000 };
  const predict = async () => {
    const results = await model.scoreAccounts(parsePredictBody(JSON.parse(body), limits), { record: true });
    return JSON.stringify(results).length;
  };
  const run = async (n: number) => {
    let started = 0;
    await Promise.all(
      Array.from({ length: chains }, async () => {
        while (started++ < n) await predict();
      }),
    );
  };
  await run(warmUp);
  const collections = { minor: 0, major: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) collections.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) collections.major++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const before = ownThreadsCpuMs();
  const started = performance.now();
  await run(requests);
  const seconds = (performance.now() - started) / 1000;
  const after = ownThreadsCpuMs();
  observer.disconnect();
  await model.close();
  const perRequest = (ms: number) => `${((ms * 1000) / requests).toFixed(0)} us`;
  console.log(
    `\n## Predict without HTTP (issue 21)\n\nCommand: \`npm run bench:build && node dist-bench/bench/predict-inprocess.bench.js ${requests} ${warmUp} ${chains}\`, load average ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} cores.\n`,
  );
  console.log(`${requests} requests from ${chains} concurrent chains after ${warmUp} to warm up, ${(requests / seconds).toFixed(0)} per second:`);
  console.log(
    before && after
      ? `- CPU per request: main thread ${perRequest(after.main - before.main)}, other threads ${perRequest(after.others - before.others)}`
      : '- CPU per request: not available (no /proc)',
  );
  console.log(`- garbage collections: ${collections.minor} minor, ${collections.major} major`);
} finally {
  await rm(root, { recursive: true, force: true });
}
