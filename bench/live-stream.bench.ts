// Issue 19's must-show protocol: train on one generated world; start `ringfence serve` (a real process) with an empty
// identity store; stream every account of another world (another seed, another preset) through POST /v1/predict in
// created_at order, 25 per request (recording); restart the service; rescore every account with "record": false.
// Prints ROC-AUC and PR-AUC of the scores given at arrival; ring precision / recall with rings taken from ring_id on
// the final rescoring; FLAG-or-higher precision; and, for `ringfence score` on the unseen folder (a child process),
// recall at top-k of ring members (k = the number of true ring members), with how many of its assessments equal the
// service's final rescoring.
// Usage: npm run bench:build && node dist-bench/bench/live-stream.bench.js [--train-accounts 4000] [--train-world baseline]
//        [--train-seed 1001] [--stream-accounts 4000] [--stream-world household-heavy] [--stream-seed 1002] [--store DIR|redis://...]
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { loadDataset } from '../data/load-dataset.js';
import { accountEventsToRecord, type AccountEvents } from '../data/tables.js';
import { readTrueRings } from '../data/true-rings.js';
import { PredictResponseSchema, type PredictResult } from '../serving/api-schemas.js';
import { averagePrecision, precisionAtK, rocAuc } from '../training/evaluation/metrics.js';
import { matchRings } from '../training/evaluation/ring-metrics.js';
import { type LiveAssessment, LiveAssessmentSchema, signUpOrder } from '../training/identity/live-assessment.js';
import { trainModel } from '../training/train-model.js';
import { generateInChild } from './bench-process.js';
import { BENCH_CLI, startBenchServe, stopChild } from './child-servers.js';

const { values: args } = parseArgs({
  options: {
    'train-accounts': { type: 'string', default: '4000' },
    'train-world': { type: 'string', default: 'baseline' },
    'train-seed': { type: 'string', default: '1001' },
    'stream-accounts': { type: 'string', default: '4000' },
    'stream-world': { type: 'string', default: 'household-heavy' },
    'stream-seed': { type: 'string', default: '1002' },
    store: { type: 'string' },
  },
});
const BATCH = 25;
const RESCORE_BATCH = 100;
const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-stream-'));
const modelsRoot = path.join(root, 'models');
const store = args.store ?? path.join(root, 'identity-store');
const running: ChildProcess[] = [];
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '-');
const seconds = (since: number) => (performance.now() - since) / 1000;

async function startService(name: string): Promise<{ url: string; child: ChildProcess }> {
  const started = await startBenchServe(
    { logDir: root, name, modelsRoot, args: ['--identity-store', store] },
    { RINGFENCE_LOG_LEVEL: 'warn' },
    120_000,
  );
  running.push(started.child);
  return started;
}

async function predict(url: string, accounts: readonly AccountEvents[], record: boolean): Promise<PredictResult[]> {
  const body = JSON.stringify(record ? { accounts: accounts.map(accountEventsToRecord) } : { accounts: accounts.map(accountEventsToRecord), record });
  const res = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /v1/predict answered ${res.status}: ${text.slice(0, 500)}`);
  return PredictResponseSchema.parse(JSON.parse(text)).results;
}

/** Every account through POST /v1/predict in order, `batch` per request; each one's result by account id. */
async function predictAll(url: string, accounts: readonly AccountEvents[], batch: number, record: boolean): Promise<Map<string, PredictResult>> {
  const results = new Map<string, PredictResult>();
  for (let i = 0; i < accounts.length; i += batch)
    for (const result of await predict(url, accounts.slice(i, i + batch), record)) results.set(result.account_id, result);
  return results;
}

/** Groups of accounts by a non-null ring id. */
function ringsOf(results: readonly { account_id: string; ring_id: string | null }[]): string[][] {
  const rings = new Map<string, string[]>();
  for (const r of results) if (r.ring_id !== null) rings.set(r.ring_id, [...(rings.get(r.ring_id) ?? []), r.account_id]);
  return [...rings.values()];
}

try {
  const trainDir = path.join(root, 'train');
  const streamDir = path.join(root, 'stream');
  const trainAccounts = Number(args['train-accounts']);
  const streamAccounts = Number(args['stream-accounts']);
  generateInChild(trainDir, trainAccounts, Number(args['train-seed']), ['--world', args['train-world']]);
  generateInChild(streamDir, streamAccounts, Number(args['stream-seed']), ['--world', args['stream-world']]);
  let started = performance.now();
  await trainModel({ dataDir: trainDir, modelsRoot, name: 'bench', seed: 1 });
  const trainSeconds = seconds(started);

  const dataset = await loadDataset(streamDir);
  if (!dataset.labels) throw new Error(`${streamDir} has no labels`);
  const labels = dataset.labels;
  const trueRings = ((await readTrueRings(streamDir)) ?? []).map((r) => [...r.members]);
  const accounts = [...dataset.accounts].sort(signUpOrder);
  const loadBefore = os.loadavg()[0] as number;

  // stream in sign-up order, 25 per request, recording
  let service = await startService('serve-stream');
  started = performance.now();
  const arrival = await predictAll(service.url, accounts, BATCH, true);
  const streamSeconds = seconds(started);
  await stopChild(service.child);

  // restart, then rescore everything without recording
  service = await startService('serve-rescore');
  started = performance.now();
  const final = await predictAll(service.url, accounts, RESCORE_BATCH, false);
  const rescoreSeconds = seconds(started);
  await stopChild(service.child);

  // ringfence score on the unseen folder (its own in-memory state: model index + folder)
  const scoresFile = path.join(root, 'scores.jsonl');
  started = performance.now();
  execFileSync(
    process.execPath,
    [...process.execArgv, BENCH_CLI, 'score', '--data', streamDir, '--models', modelsRoot, '--name', 'bench', '--out', scoresFile],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, RINGFENCE_QUIET: '1' },
    },
  );
  const scoreSeconds = seconds(started);
  const scored: LiveAssessment[] = (await readFile(scoresFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => LiveAssessmentSchema.parse(JSON.parse(line)));
  const sameAsService = scored.filter((a) => isDeepStrictEqual(a, final.get(a.account_id))).length;

  const ids = accounts.map((a) => a.account_id);
  const y = Uint8Array.from(ids, (id) => labels.get(id)?.label ?? 0);
  const ringMembers = new Set(trueRings.flat());
  const isRingMember = Uint8Array.from(ids, (id) => (ringMembers.has(id) ? 1 : 0));
  const honest = new Set(ids.filter((_, i) => y[i] === 0));
  const scoresOf = (results: ReadonlyMap<string, { risk_score: number }>) => Float64Array.from(ids, (id) => results.get(id)?.risk_score ?? NaN);
  const flagged = (results: ReadonlyMap<string, { action: string }>) => {
    let all = 0;
    let fraud = 0;
    ids.forEach((id, i) => {
      if (results.get(id)?.action === 'MONITOR') return;
      all++;
      fraud += y[i] as number;
    });
    return { precision: all === 0 ? NaN : fraud / all, recall: fraud / y.reduce((s, v) => s + v, 0), count: all };
  };
  const scoredById = new Map(scored.map((a) => [a.account_id, a]));
  const rows = [
    { name: 'at arrival (recording, 25 per request)', results: arrival },
    { name: 'final rescoring after restart (record:false)', results: final },
    { name: '`ringfence score` on the folder', results: scoredById as ReadonlyMap<string, PredictResult> },
  ];
  const k = ringMembers.size;

  console.log(
    `\n### Must-show protocol: train on ${args['train-world']} (seed ${args['train-seed']}, ${trainAccounts} accounts), stream ${args['stream-world']} (seed ${args['stream-seed']}, ${streamAccounts} accounts)\n`,
  );
  console.log(
    `Command: \`npm run bench:build && nice -n 5 node dist-bench/bench/live-stream.bench.js --train-accounts ${trainAccounts} --train-world ${args['train-world']} --train-seed ${args['train-seed']} --stream-accounts ${streamAccounts} --stream-world ${args['stream-world']} --stream-seed ${args['stream-seed']}${args.store ? ` --store ${args.store}` : ''}\` — store ${args.store ? args.store.replace(/\/\/.*@/, '//') : 'LMDB'}; ${os.availableParallelism()} cores, load average ${loadBefore.toFixed(1)} before, ${(os.loadavg()[0] as number).toFixed(1)} after.`,
  );
  console.log(
    `Training ${trainSeconds.toFixed(0)} s; streaming ${streamSeconds.toFixed(1)} s (${(accounts.length / streamSeconds).toFixed(0)} accounts/s, ${Math.ceil(accounts.length / BATCH)} requests); rescoring ${rescoreSeconds.toFixed(1)} s; \`ringfence score\` ${scoreSeconds.toFixed(1)} s. Stream world: ${y.reduce((s, v) => s + v, 0)} fraudulent accounts, ${trueRings.length} true rings with ${k} members.\n`,
  );
  console.log(
    '| scores | ROC-AUC | PR-AUC | recall at top-k of ring members | ring precision | ring recall | rings | honest in rings | FLAG+ precision | FLAG+ recall | flagged |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { name, results } of rows) {
    const scores = scoresOf(results);
    const rings = matchRings(ringsOf([...results.values()]), trueRings, honest);
    const flag = flagged(results);
    console.log(
      `| ${name} | ${f3(rocAuc(scores, y))} | ${f3(averagePrecision(scores, y))} | ${f3(precisionAtK(scores, isRingMember, k))} | ${f3(rings.precision)} | ${f3(rings.recall)} | ${rings.predictedRings} | ${(rings.honestInRingsShare * 100).toFixed(1)}% | ${f3(flag.precision)} | ${f3(flag.recall)} | ${flag.count} |`,
    );
  }
  console.log(
    `\n\`ringfence score\` gave the same assessment (risk score, action, reasons, ring_id) as the final rescoring for ${sameAsService} of ${scored.length} accounts.`,
  );
  const arrivalScores = scoresOf(arrival);
  const finalScores = scoresOf(final);
  const rocArrival = rocAuc(arrivalScores, y);
  const prArrival = averagePrecision(arrivalScores, y);
  const finalRings = matchRings(ringsOf([...final.values()]), trueRings, honest);
  const finalFlag = flagged(final);
  const topK = precisionAtK(
    Float64Array.from(ids, (id) => scoredById.get(id)?.risk_score ?? NaN),
    isRingMember,
    k,
  );
  const topOrder = ids
    .map((id, i) => ({ i, score: scoredById.get(id)?.risk_score ?? -1 }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
  const topRing = topOrder.filter(({ i }) => isRingMember[i] === 1).length;
  const topOtherFraud = topOrder.filter(({ i }) => isRingMember[i] === 0 && y[i] === 1).length;
  const ringRisk = ids.flatMap((id, i) => (isRingMember[i] === 1 ? [scoredById.get(id)?.risk_score ?? 0] : [])).sort((a, b) => a - b);
  console.log(
    `Top ${k} of \`ringfence score\`: ${topRing} ring members, ${topOtherFraud} other fraud, ${k - topRing - topOtherFraud} honest; ring members' risk scores: median ${ringRisk[Math.floor(ringRisk.length / 2)]?.toFixed(1)}, lowest ${ringRisk[0]?.toFixed(1)}; ring members flagged (FLAG+) ${ids.filter((id, i) => isRingMember[i] === 1 && scoredById.get(id)?.action !== 'MONITOR').length} of ${k}.`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `Targets: ROC-AUC at arrival ${f3(rocArrival)} >= 0.93 ${verdict(rocArrival >= 0.93)}; PR-AUC at arrival ${f3(prArrival)} >= 0.70 ${verdict(prArrival >= 0.7)}; ring precision ${f3(finalRings.precision)} >= 0.80 ${verdict(finalRings.precision >= 0.8)}; ring recall ${f3(finalRings.recall)} >= 0.90 ${verdict(finalRings.recall >= 0.9)}; FLAG+ precision (final) ${f3(finalFlag.precision)} >= 0.90 ${verdict(finalFlag.precision >= 0.9)}; \`ringfence score\` recall at top-k of ring members ${f3(topK)} >= 0.80 ${verdict(topK >= 0.8)}. (Final rescoring ROC-AUC ${f3(rocAuc(finalScores, y))}.)`,
  );
} finally {
  for (const child of running) await stopChild(child);
  await rm(root, { recursive: true, force: true });
}
