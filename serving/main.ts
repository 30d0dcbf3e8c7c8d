// composition root: load config, load model, createApp, listen, graceful shutdown
import type { Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { type ServeConfig } from './config.js';
import { createApp, type ClusterHooks } from './create-app.js';
import { gracefulCloser } from './graceful-close.js';
import { createHttpServer } from './http-server.js';
import { KeyRing } from './key-ring.js';
import type { ServiceMetrics } from './metrics.js';
import { createModelLoader, ModelHolder, modelLoaderOptions, type ScoringModel } from './model-holder.js';
import { answerParserRefusal } from './problem-response.js';

export interface RunningService {
  readonly server: Server;
  readonly url: string;
  readonly holder: ModelHolder;
  /** the API keys in service (re-read when the file changes; `reload()` re-reads now) */
  readonly keys: KeyRing;
  /** puts a version (the newest when none) in service, on every worker of a cluster (as POST /v1/model/reload) */
  reloadModel(version?: string): Promise<ScoringModel>;
  /** SIGHUP: re-reads the keys file and reloads the configured version (the newest unless one is pinned) */
  reload(): Promise<void>;
  /** stops accepting, lets in-flight requests finish, then resolves */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** the package version, shown in the OpenAPI document */
  readonly version?: string;
  /** given by a cluster worker, which loads the model itself and keeps the holder to install reloads */
  readonly holder?: ModelHolder;
  readonly cluster?: ClusterHooks;
  readonly metrics?: ServiceMetrics;
}

/** PIPE_BUF on Linux: a write of at most this many bytes to a pipe is never interleaved with another process's. */
const ATOMIC_PIPE_WRITE = 4096;

/**
 * JSON logs on stdout, written in blocks of up to 4 KiB or every second rather than one write per request line (a
 * synchronous write per request cost the predict route ~6% of its throughput); pino flushes what is left on exit.
 * Each block holds whole lines and fits one atomic pipe write, so the workers of a cluster, which share stdout, make
 * one stream of intact lines; `pid` says which process wrote a line.
 */
export function createServiceLogger(level: ServeConfig['log_level']): Logger {
  const destination = pino.destination({
    dest: 1,
    sync: false,
    minLength: ATOMIC_PIPE_WRITE - 512,
    maxWrite: ATOMIC_PIPE_WRITE,
    periodicFlush: 1000,
  });
  return pino({ level, base: { service: 'ringfence', pid: process.pid } }, destination);
}

/** The API keys of the config (none: no authentication); an empty keys file is refused. */
export async function readServiceKeys(config: ServeConfig, logger: Logger | null = null): Promise<KeyRing> {
  return config.keys_file ? KeyRing.fromFile(config.keys_file, logger) : KeyRing.none();
}

/** Loads the configured version once, as the service would (a cluster's primary checks it before forking). */
export async function loadConfiguredModel(config: ServeConfig): Promise<ScoringModel> {
  return createModelLoader(config.models_root, config.model_name, modelLoaderOptions(config))(config.model_version);
}

export function serviceUrl(config: ServeConfig, server: Server): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}

export async function startService(config: ServeConfig, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createServiceLogger(config.log_level);
  const keys = await readServiceKeys(config, logger);
  const holder = options.holder ?? new ModelHolder(createModelLoader(config.models_root, config.model_name, modelLoaderOptions(config)));
  const model = await holder.reload(config.model_version);
  const app = createApp({
    config,
    modelHolder: holder,
    logger,
    keys,
    ...(options.version ? { version: options.version } : {}),
    ...(options.cluster ? { cluster: options.cluster } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const server = createHttpServer(app).listen(config.port, config.host);
  server.on('clientError', answerParserRefusal);
  const closeGracefully = gracefulCloser(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.requestTimeout = config.request_timeout_ms;
  server.headersTimeout = config.headers_timeout_ms;
  server.keepAliveTimeout = 5_000;
  const url = serviceUrl(config, server);
  logger.info({ url, model: `${model.name}/${model.version}`, auth: keys.current() ? 'api keys' : 'none (loopback only)' }, 'listening');
  logger.flush();
  const unwatchKeys = keys.watch();
  const reloadModel = (version?: string) => (options.cluster ? options.cluster.reloadModel(version) : holder.reload(version));
  return {
    server,
    url,
    holder,
    keys,
    reloadModel,
    reload: async () => {
      await keys.reload();
      const loaded = await reloadModel(config.model_version);
      logger.info({ version: loaded.version }, 'keys and model reloaded');
    },
    close: async () => {
      unwatchKeys();
      logger.info('stopping: finishing in-flight requests');
      logger.flush();
      try {
        await closeGracefully();
        // the identity store after the last request that could write to it
        await holder.current()?.close();
      } finally {
        logger.flush();
      }
    },
  };
}
