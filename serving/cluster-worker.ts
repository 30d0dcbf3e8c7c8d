// A cluster worker's entry point: waits for the primary's `start`, serves the shared port, and takes part in the
// cluster-wide reload, metrics and shutdown the primary coordinates.
import { randomUUID } from 'node:crypto';
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { parseToWorker, toPrimary, type ProblemRef, type ToPrimary, type ToWorker } from './cluster-messages.js';
import { ServeConfigSchema, type ServeConfig } from './config.js';
import { HttpProblem, toProblem } from './http-problem.js';
import { LeasedRateLimitStore } from './leased-rate-limit.js';
import { createServiceLogger, startService, type RunningService } from './main.js';
import { createServiceMetrics } from './metrics.js';
import { createModelLoader, ModelHolder, modelLoaderOptions, type ScoringModel } from './model-holder.js';

if (!cluster.isWorker) throw new Error('serving/cluster-worker is started by `ringfence serve --workers N`, not on its own');

/** generous: the primary answers once every worker has loaded a model */
const RELOAD_TIMEOUT_MS = 120_000;
const METRICS_TIMEOUT_MS = 10_000;
const LEASE_TIMEOUT_MS = 5_000;
/** how often the counters go to the primary: a killed worker's counts of at most this long are lost */
export const COUNTER_REPORT_MS = 2_000;

const send = (message: ToPrimary) => process.send?.(message);
const answers = new Map<string, (message: ToWorker) => void>();

/** Sends a request to the primary and waits for the answer carrying the same id. */
function ask<T extends ToWorker>(id: string, message: ToPrimary, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      answers.delete(id);
      reject(new Error(`the cluster primary did not answer ${message.kind} within ${timeoutMs} ms`));
    }, timeoutMs);
    answers.set(id, (answer) => {
      clearTimeout(timer);
      answers.delete(id);
      resolve(answer as T);
    });
    send(message);
  });
}

function problemRef(error: unknown, logger: Logger | null): ProblemRef {
  const problem = toProblem(error);
  if (problem.slug === 'internal-error')
    logger?.error({ err: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } }, 'model load failed');
  return { slug: problem.slug, detail: problem.detail };
}

let service: RunningService | null = null;
let logger: Logger | null = null;
let config: ServeConfig | null = null;
let holder: ModelHolder | null = null;
const metrics = createServiceMetrics();
/** versions loaded for a reload, waiting for the primary's commit or abort */
const prepared = new Map<string, ScoringModel>();
let stopping = false;

async function start(rawConfig: unknown, version: string): Promise<void> {
  config = ServeConfigSchema.parse(rawConfig);
  logger = createServiceLogger(config.log_level).child({ worker: cluster.worker?.id });
  holder = new ModelHolder(createModelLoader(config.models_root, config.model_name, modelLoaderOptions(config)));
  const models = holder;
  service = await startService(
    { ...config, model_version: version },
    {
      logger,
      holder,
      metrics,
      cluster: {
        async reloadModel(wanted) {
          // this worker loads and checks the version first: a bad one is refused here and nobody swaps
          const model = await models.load(wanted);
          const tx = randomUUID();
          prepared.set(tx, model);
          const result = await ask<Extract<ToWorker, { kind: 'reload-result' }>>(
            tx,
            toPrimary({ kind: 'reload', tx, version: model.version }),
            RELOAD_TIMEOUT_MS,
          ).finally(() => prepared.delete(tx));
          if (result.problem) throw new HttpProblem(result.problem.slug, result.problem.detail);
          return model;
        },
        async metricsText() {
          const id = randomUUID();
          const result = await ask<Extract<ToWorker, { kind: 'metrics-result' }>>(id, toPrimary({ kind: 'metrics', id }), METRICS_TIMEOUT_MS);
          if (result.text === null) throw new Error(`cluster metrics: ${result.error ?? 'no answer'}`);
          return result.text;
        },
        createRateLimitStore: () =>
          new LeasedRateLimitStore(async (key, limit, windowMs) => {
            const id = randomUUID();
            return ask<Extract<ToWorker, { kind: 'lease-result' }>>(id, toPrimary({ kind: 'lease', id, key, limit, windowMs }), LEASE_TIMEOUT_MS);
          }),
      },
    },
  );
  send(toPrimary({ kind: 'ready', url: service.url, version: holder.current()?.version ?? version }));
  setInterval(() => void reportCounters(), COUNTER_REPORT_MS).unref();
}

async function reportCounters(): Promise<void> {
  const all = (await metrics.registry.getMetricsAsJSON()) as unknown as { name: string; type: string }[];
  send(toPrimary({ kind: 'counters', metrics: all.filter((m) => m.type === 'counter' || m.type === 'histogram') }));
}

/** SIGHUP, passed on by the primary: the keys file again and, for one worker, the configured model on every worker. */
async function reloadConfig(model: boolean): Promise<void> {
  await service?.keys.reload();
  if (!model || !service) return;
  const loaded = await service.reloadModel(config?.model_version);
  logger?.info({ version: loaded.version }, 'model reloaded on SIGHUP');
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // a request that never ends must not keep the worker, and so the whole service, from stopping
  const guard = setTimeout(
    () => {
      logger?.error('in-flight requests did not finish in time; exiting');
      logger?.flush();
      process.exit(1);
    },
    (config?.request_timeout_ms ?? 10_000) + 5_000,
  );
  guard.unref();
  await service?.close();
  logger?.flush();
  process.exit(0);
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.kind) {
    case 'start':
      return start(message.config, message.version);
    case 'prepare':
      try {
        prepared.set(message.tx, await holder!.load(message.version));
        send(toPrimary({ kind: 'prepared', tx: message.tx, problem: null }));
      } catch (error) {
        send(toPrimary({ kind: 'prepared', tx: message.tx, problem: problemRef(error, logger) }));
      }
      return;
    case 'commit': {
      const model = prepared.get(message.tx);
      prepared.delete(message.tx);
      if (model) holder!.install(model);
      send(
        toPrimary({
          kind: 'installed',
          tx: message.tx,
          version: model?.version ?? null,
          problem: model ? null : { slug: 'internal-error', detail: 'no version was prepared for this reload' },
        }),
      );
      return;
    }
    case 'abort':
      prepared.delete(message.tx);
      return;
    case 'install':
      try {
        const model = await holder!.reload(message.version);
        send(toPrimary({ kind: 'installed', tx: message.tx, version: model.version, problem: null }));
      } catch (error) {
        send(toPrimary({ kind: 'installed', tx: message.tx, version: null, problem: problemRef(error, logger) }));
      }
      return;
    case 'collect-metrics':
      // prom-client's metric objects are plain JSON without an index signature; the primary parses them
      send(
        toPrimary({ kind: 'metrics-part', id: message.id, metrics: (await metrics.registry.getMetricsAsJSON()) as unknown as { name: string }[] }),
      );
      return;
    case 'reload-result':
      return answers.get(message.tx)?.(message);
    case 'metrics-result':
    case 'lease-result':
      return answers.get(message.id)?.(message);
    case 'shutdown':
      return stop();
    case 'reload-config':
      return reloadConfig(message.model);
  }
}

process.on('message', (raw: unknown) => {
  const message = parseToWorker(raw);
  if (!message) return;
  handle(message).catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    if (message.kind !== 'start') {
      logger?.error({ err: { name: (error as Error).name, message: text } }, `cluster message ${message.kind} failed`);
      return;
    }
    // a worker that cannot start says why and exits; the primary counts it and gives up after a few in a row
    process.stderr.write(`worker ${process.pid} could not start: ${text}\n`);
    logger?.flush();
    process.exit(1);
  });
});
// the primary coordinates a stop; a signal sent to this worker alone, or the primary's death, stops it gracefully too
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.on('disconnect', () => void stop());
// SIGHUP reaches the primary, which passes a reload on; sent to the whole process group it must not stop a worker
process.on('SIGHUP', () => undefined);
send(toPrimary({ kind: 'booted' }));
