// The cluster's primary: checks the config and the model once, forks the workers that serve the shared port, starts
// another when one dies, puts a reload in service on every worker or on none, adds their metrics together, and
// stops them all gracefully. It serves no HTTP itself.
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { parseToPrimary, toWorker, type ProblemRef, type ToPrimary, type ToWorker } from './cluster-messages.js';
import { ReplyCollector } from './cluster-replies.js';
import type { ServeConfig } from './config.js';
import { RateLimitLedger } from './leased-rate-limit.js';
import { createServiceLogger, loadConfiguredModel, readServiceKeys } from './main.js';
import { RestartPolicy, type RestartLimits } from './restart-policy.js';

export interface RunningCluster {
  readonly url: string;
  /** stops every worker gracefully (each finishes its in-flight requests); resolves once all have exited */
  close(): Promise<void>;
  /** settles, with the reason, only if the cluster gave up because workers kept dying */
  readonly failed: Promise<Error>;
  /** SIGHUP: every worker re-reads the keys file, and the configured version is reloaded on every worker */
  reload(): Promise<void>;
}

type MetricsJson = { name: string }[];

interface WorkerState {
  readonly worker: Worker;
  serving: boolean;
  /** the model version it serves */
  version: string | null;
}

const START_TIMEOUT_MS = 120_000;
/** every worker loads a whole model for a reload */
const LOAD_TIMEOUT_MS = 110_000;
const METRICS_TIMEOUT_MS = 5_000;

// the worker entry of the same build as this module (compiled .js, or the .ts sources under tsx)
const here = fileURLToPath(import.meta.url);
const WORKER_ENTRY = path.join(path.dirname(here), `cluster-worker${path.extname(here)}`);

export async function startCluster(config: ServeConfig, options: { logger?: Logger; restartLimits?: RestartLimits } = {}): Promise<RunningCluster> {
  const logger = options.logger ?? createServiceLogger(config.log_level);
  // checked once here, so that a bad keys file or model stops the start with its message instead of N dying workers
  await readServiceKeys(config);
  let currentVersion = (await loadConfiguredModel(config)).version;

  const ledger = new RateLimitLedger(config.workers);
  setInterval(() => ledger.sweep(Date.now()), 60_000).unref();
  // Connections go to whichever worker accepts first from the shared socket (the kernel's choice), not round-robin:
  // the primary's round-robin hands each connection over IPC, and one handed to a worker that has just died was
  // held in the primary (CLOSE-WAIT) and never answered; a dead or stopped worker accepts nothing.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [] });
  const states = new Map<number, WorkerState>();
  const replies = new ReplyCollector();
  const policy = new RestartPolicy(options.restartLimits);
  const restartTimers = new Set<NodeJS.Timeout>();
  let url: string | null = null;
  let stopping = false;
  let coordination = Promise.resolve();

  let reportFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
  let allExited: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (allExited = resolve));
  let startedAll: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (startedAll = resolve));

  /** each live worker's last reported counters, and the totals of those that died (kept so no counter goes back) */
  const lastCounters = new Map<number, MetricsJson>();
  let retiredCounters: Promise<MetricsJson> = Promise.resolve([]);
  const retireCounters = (workerId: number) => {
    const last = lastCounters.get(workerId);
    lastCounters.delete(workerId);
    if (!last) return;
    retiredCounters = retiredCounters.then(async (retired) => {
      const sum = AggregatorRegistry.aggregate([retired, last] as unknown as Parameters<typeof AggregatorRegistry.aggregate>[0]);
      return (await sum.getMetricsAsJSON()) as unknown as MetricsJson;
    });
  };

  const serving = () => [...states.values()].filter((s) => s.serving);
  const send = (state: WorkerState, message: ToWorker) => {
    if (state.worker.isConnected()) state.worker.send(message);
  };
  /** one coordination at a time: reloads and catch-up loads must not overtake each other */
  const coordinate = (what: string, task: () => Promise<void>) => {
    coordination = coordination.then(task).catch((error: unknown) => logger.error({ err: { message: (error as Error).message, stack: (error as Error).stack } }, `${what} failed`));
  };

  const fork = () => {
    const worker = cluster.fork();
    states.set(worker.id, { worker, serving: false, version: null });
  };

  const stopAll = async () => {
    stopping = true;
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    if (states.size === 0) return;
    for (const state of states.values()) {
      if (state.worker.isConnected()) state.worker.send(toWorker({ kind: 'shutdown' }));
      else state.worker.kill('SIGTERM');
    }
    // each worker bounds its own stop; this catches one that hangs regardless
    const guard = setTimeout(() => {
      for (const state of states.values()) {
        logger.error({ worker_pid: state.worker.process.pid }, 'worker did not stop in time; killing it');
        state.worker.process.kill('SIGKILL');
      }
    }, config.request_timeout_ms + 10_000);
    await exited;
    clearTimeout(guard);
  };

  const giveUp = (reason: string) => {
    logger.error(reason);
    logger.flush();
    void stopAll().then(() => reportFailure(new Error(reason)));
  };

  /** Workers serving another version than the current one (started while a reload went in) load the current one. */
  const catchUp = async () => {
    const behind = serving().filter((s) => s.version !== currentVersion);
    if (behind.length === 0) return;
    const tx = randomUUID();
    for (const state of behind) send(state, toWorker({ kind: 'install', tx, version: currentVersion }));
    const { replies: answers, missing } = await replies.expect(`installed:${tx}`, behind.map((s) => s.worker.id), LOAD_TIMEOUT_MS);
    for (const state of behind) {
      const answer = answers.get(state.worker.id);
      if (answer?.kind === 'installed' && answer.version) state.version = answer.version;
      else if (answer || missing.includes(state.worker.id)) {
        // a worker that cannot serve the current version must not go on serving another: its replacement loads it
        logger.error({ worker_pid: state.worker.process.pid, version: currentVersion }, 'worker could not load the current version; replacing it');
        state.worker.process.kill('SIGTERM');
      }
    }
  };

  /**
   * Two phases: `from` has loaded and checked `version`; every other serving worker loads it too (prepare), and only
   * when all have it does each swap (commit). If any cannot load it, none swaps and `from` answers the problem.
   */
  const reload = async (from: WorkerState, tx: string, version: string) => {
    const participants = [...new Set([...serving(), from])];
    const others = participants.filter((s) => s !== from);
    for (const state of others) send(state, toWorker({ kind: 'prepare', tx, version }));
    const prepared = await replies.expect(`prepared:${tx}`, others.map((s) => s.worker.id), LOAD_TIMEOUT_MS);
    const refused = [...prepared.replies.values()].map((m) => (m.kind === 'prepared' ? m.problem : null)).find((p): p is ProblemRef => p !== null);
    const problem: ProblemRef | null = refused ?? (prepared.missing.length > 0 ? { slug: 'internal-error', detail: `a worker did not load the version within ${LOAD_TIMEOUT_MS / 1000} s` } : null);
    if (problem) {
      for (const state of participants) send(state, toWorker({ kind: 'abort', tx }));
      logger.warn({ version, problem: problem.detail }, 'reload refused by a worker; no worker swapped');
      send(from, toWorker({ kind: 'reload-result', tx, version: null, problem }));
      return;
    }
    currentVersion = version;
    for (const state of participants) send(state, toWorker({ kind: 'commit', tx }));
    const installed = await replies.expect(`installed:${tx}`, participants.map((s) => s.worker.id), LOAD_TIMEOUT_MS);
    for (const [id, answer] of installed.replies) {
      const state = states.get(id);
      if (state && answer.kind === 'installed') state.version = answer.version;
    }
    await catchUp();
    logger.info({ version, workers: participants.length }, 'model reloaded on every worker');
    send(from, toWorker({ kind: 'reload-result', tx, version, problem: null }));
  };

  const collectMetrics = async (from: WorkerState, id: string) => {
    const targets = [...new Set([...serving(), from])];
    for (const state of targets) send(state, toWorker({ kind: 'collect-metrics', id }));
    const { replies: parts, missing } = await replies.expect(`metrics-part:${id}`, targets.map((s) => s.worker.id), METRICS_TIMEOUT_MS);
    if (missing.length > 0) logger.warn({ missing: missing.length }, 'metrics: some workers did not answer; their counts are left out');
    try {
      const perWorker = [...[...parts.values()].map((m) => (m.kind === 'metrics-part' ? m.metrics : [])), await retiredCounters];
      const text = await AggregatorRegistry.aggregate(perWorker as unknown as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
      send(from, toWorker({ kind: 'metrics-result', id, text, error: null }));
    } catch (error) {
      send(from, toWorker({ kind: 'metrics-result', id, text: null, error: (error as Error).message }));
    }
  };

  const onMessage = (state: WorkerState, message: ToPrimary) => {
    switch (message.kind) {
      case 'booted':
        return send(state, toWorker({ kind: 'start', config: { ...config }, version: currentVersion }));
      case 'ready':
        state.serving = true;
        state.version = message.version;
        url ??= message.url;
        policy.started();
        logger.info({ worker_pid: state.worker.process.pid, version: message.version }, 'worker serving');
        if (message.version !== currentVersion) coordinate('catching up a worker', catchUp);
        if (serving().length >= config.workers) startedAll();
        return;
      case 'reload':
        return coordinate('reload', () => reload(state, message.tx, message.version));
      case 'lease':
        return send(state, toWorker({ kind: 'lease-result', id: message.id, ...ledger.grant(message.key, message.limit, message.windowMs, Date.now()) }));
      case 'metrics':
        return void collectMetrics(state, message.id).catch((error: unknown) => logger.error({ err: { message: (error as Error).message } }, 'metrics failed'));
      case 'prepared':
      case 'installed':
        return replies.deliver(`${message.kind}:${message.tx}`, state.worker.id, message);
      case 'metrics-part':
        return replies.deliver(`metrics-part:${message.id}`, state.worker.id, message);
      case 'counters':
        return void lastCounters.set(state.worker.id, message.metrics);
    }
  };

  cluster.on('message', (worker, raw: unknown) => {
    const state = states.get(worker.id);
    const message = parseToPrimary(raw);
    if (state && message) onMessage(state, message);
  });
  cluster.on('exit', (worker, code, signal) => {
    const state = states.get(worker.id);
    states.delete(worker.id);
    replies.forget(worker.id);
    retireCounters(worker.id);
    if (stopping) {
      if (states.size === 0) allExited();
      return;
    }
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    const decision = policy.exited(state?.serving ?? false, how, Date.now());
    if ('giveUp' in decision) return giveUp(decision.giveUp);
    logger.warn({ worker_pid: worker.process.pid, code, signal }, `worker exited unexpectedly; starting another in ${decision.restartInMs} ms`);
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!stopping) fork();
    }, decision.restartInMs);
    restartTimers.add(timer);
  });

  for (let i = 0; i < config.workers; i++) fork();
  const startTimeout = new Promise<Error>((resolve) => setTimeout(() => resolve(new Error(`the workers did not all start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS).unref());
  const startFailure = await Promise.race([started.then(() => null), failed, startTimeout]);
  if (startFailure) {
    await stopAll();
    throw startFailure;
  }
  if (url === null) throw new Error('the workers started without reporting where they listen');
  logger.info({ url, workers: config.workers, model: `${config.model_name}/${currentVersion}` }, 'cluster serving');
  logger.flush();
  return {
    url,
    failed,
    reload: async () => {
      const [leader, ...others] = serving();
      logger.info('SIGHUP: every worker re-reads the keys file; the configured version is reloaded on every worker');
      if (leader) send(leader, toWorker({ kind: 'reload-config', model: true }));
      for (const state of others) send(state, toWorker({ kind: 'reload-config', model: false }));
    },
    close: async () => {
      logger.info('stopping: every worker finishes its in-flight requests');
      logger.flush();
      await stopAll();
      logger.flush();
    },
  };
}
