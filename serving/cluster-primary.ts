// The cluster's primary: checks the config and the model once, forks the workers that serve the shared port, starts
// another when one dies, puts a reload in service on every worker or on none, adds their metrics together, and
// stops them all gracefully. It serves no HTTP itself. Its parts: cluster-workers.ts (the processes),
// cluster-model-sync.ts (reloads), cluster-counters.ts (metrics totals), leased-rate-limit.ts (the shared limit).
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { CounterTotals } from './cluster-counters.js';
import { parseToPrimary, toWorker, type ToPrimary } from './cluster-messages.js';
import { ModelSync } from './cluster-model-sync.js';
import { ReplyCollector } from './cluster-replies.js';
import { WorkerSet, type WorkerState } from './cluster-workers.js';
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

const START_TIMEOUT_MS = 120_000;
const METRICS_TIMEOUT_MS = 5_000;

/** The primary's parts and state, shared by the steps below. */
interface Primary {
  readonly config: ServeConfig;
  readonly logger: Logger;
  readonly workers: WorkerSet;
  readonly replies: ReplyCollector;
  readonly models: ModelSync;
  readonly counters: CounterTotals;
  readonly ledger: RateLimitLedger;
  readonly policy: RestartPolicy;
  url: string | null;
  startedAll(): void;
  reportFailure(error: Error): void;
}

export async function startCluster(config: ServeConfig, options: { logger?: Logger; restartLimits?: RestartLimits } = {}): Promise<RunningCluster> {
  const logger = options.logger ?? createServiceLogger(config.log_level);
  // checked once here, so that a bad keys file or model stops the start with its message instead of N dying workers
  await readServiceKeys(config);
  const version = (await loadConfiguredModel(config)).version;

  let startedAll: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (startedAll = resolve));
  let reportFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
  const workers = new WorkerSet(logger);
  const replies = new ReplyCollector();
  const primary: Primary = {
    config,
    logger,
    workers,
    replies,
    models: new ModelSync(version, workers, replies, logger),
    counters: new CounterTotals(),
    ledger: new RateLimitLedger(config.workers),
    policy: new RestartPolicy(options.restartLimits),
    url: null,
    startedAll,
    reportFailure,
  };
  setInterval(() => primary.ledger.sweep(Date.now()), 60_000).unref();
  cluster.on('message', (worker, raw: unknown) => {
    const state = workers.get(worker.id);
    const message = parseToPrimary(raw);
    if (state && message) onMessage(primary, state, message);
  });
  cluster.on('exit', (worker, code, signal) => onWorkerExit(primary, worker.id, worker.process.pid, code, signal));

  for (let i = 0; i < config.workers; i++) workers.fork();
  await waitForStart(primary, started, failed);
  logger.info({ url: primary.url, workers: config.workers, model: `${config.model_name}/${version}` }, 'cluster serving');
  logger.flush();
  return {
    url: primary.url!,
    failed,
    reload: async () => reloadConfig(primary),
    close: async () => {
      logger.info('stopping: every worker finishes its in-flight requests');
      logger.flush();
      await stopAll(primary);
      logger.flush();
    },
  };
}

const stopAll = (primary: Primary) => primary.workers.stopAll(primary.config.request_timeout_ms + 10_000);

/** Every worker serving, or the reason it did not come to that (the workers are stopped then). */
async function waitForStart(primary: Primary, started: Promise<void>, failed: Promise<Error>): Promise<void> {
  const startTimeout = new Promise<Error>((resolve) =>
    setTimeout(() => resolve(new Error(`the workers did not all start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS).unref(),
  );
  const startFailure = await Promise.race([started.then(() => null), failed, startTimeout]);
  if (startFailure) {
    await stopAll(primary);
    throw startFailure;
  }
  if (primary.url === null) throw new Error('the workers started without reporting where they listen');
}

function giveUp(primary: Primary, reason: string): void {
  primary.logger.error(reason);
  primary.logger.flush();
  void stopAll(primary).then(() => primary.reportFailure(new Error(reason)));
}

/** A worker exited: its counters are kept; unless the service is stopping, it is replaced, or the primary gives up. */
function onWorkerExit(primary: Primary, id: number, pid: number | undefined, code: number | null, signal: string | null): void {
  const state = primary.workers.remove(id);
  primary.replies.forget(id);
  primary.counters.retire(id);
  if (primary.workers.stopping) return;
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  const decision = primary.policy.exited(state?.serving ?? false, how, Date.now());
  if ('giveUp' in decision) return giveUp(primary, decision.giveUp);
  primary.logger.warn({ worker_pid: pid, code, signal }, `worker exited unexpectedly; starting another in ${decision.restartInMs} ms`);
  primary.workers.forkLater(decision.restartInMs);
}

/** SIGHUP: every worker re-reads the keys file; one of them reloads the configured version on all (two-phase). */
async function reloadConfig(primary: Primary): Promise<void> {
  const [leader, ...others] = primary.workers.serving();
  primary.logger.info('SIGHUP: every worker re-reads the keys file; the configured version is reloaded on every worker');
  if (leader) primary.workers.send(leader, toWorker({ kind: 'reload-config', model: true }));
  for (const state of others) primary.workers.send(state, toWorker({ kind: 'reload-config', model: false }));
}

/** /metrics on any worker: every serving worker's registry, plus the totals of dead ones, added together. */
async function collectMetrics(primary: Primary, from: WorkerState, id: string): Promise<void> {
  const targets = [...new Set([...primary.workers.serving(), from])];
  for (const state of targets) primary.workers.send(state, toWorker({ kind: 'collect-metrics', id }));
  const { replies: parts, missing } = await primary.replies.expect(
    `metrics-part:${id}`,
    targets.map((s) => s.worker.id),
    METRICS_TIMEOUT_MS,
  );
  if (missing.length > 0) primary.logger.warn({ missing: missing.length }, 'metrics: some workers did not answer; their counts are left out');
  try {
    const text = await primary.counters.text([...parts.values()].map((m) => (m.kind === 'metrics-part' ? m.metrics : [])));
    primary.workers.send(from, toWorker({ kind: 'metrics-result', id, text, error: null }));
  } catch (error) {
    primary.workers.send(from, toWorker({ kind: 'metrics-result', id, text: null, error: (error as Error).message }));
  }
}

function onWorkerReady(primary: Primary, state: WorkerState, url: string, version: string): void {
  state.serving = true;
  state.version = version;
  primary.url ??= url;
  primary.policy.started();
  primary.logger.info({ worker_pid: state.worker.process.pid, version }, 'worker serving');
  if (version !== primary.models.currentVersion) primary.models.coordinate('catching up a worker', () => primary.models.catchUp());
  if (primary.workers.serving().length >= primary.config.workers) primary.startedAll();
}

function onMessage(primary: Primary, state: WorkerState, message: ToPrimary): void {
  const { workers, models } = primary;
  switch (message.kind) {
    case 'booted':
      return workers.send(state, toWorker({ kind: 'start', config: { ...primary.config }, version: models.currentVersion }));
    case 'ready':
      return onWorkerReady(primary, state, message.url, message.version);
    case 'reload':
      return models.coordinate('reload', () => models.reload(state, message.tx, message.version));
    case 'lease':
      return workers.send(
        state,
        toWorker({ kind: 'lease-result', id: message.id, ...primary.ledger.grant(message.key, message.limit, message.windowMs, Date.now()) }),
      );
    case 'metrics':
      return void collectMetrics(primary, state, message.id).catch((error: unknown) =>
        primary.logger.error({ err: { message: (error as Error).message } }, 'metrics failed'),
      );
    case 'prepared':
    case 'installed':
      return primary.replies.deliver(`${message.kind}:${message.tx}`, state.worker.id, message);
    case 'metrics-part':
      return primary.replies.deliver(`metrics-part:${message.id}`, state.worker.id, message);
    case 'counters':
      return primary.counters.report(state.worker.id, message.metrics);
  }
}
