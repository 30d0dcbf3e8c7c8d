// composition root: load config, load model, createApp, listen, graceful shutdown
import type { Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { readKeysFile } from './api-keys.js';
import { type ServeConfig } from './config.js';
import { createApp } from './create-app.js';
import { createModelLoader, ModelHolder } from './model-holder.js';

export interface RunningService {
  readonly server: Server;
  readonly url: string;
  /** stops accepting, lets in-flight requests finish, then resolves */
  close(): Promise<void>;
}

/**
 * JSON logs on stdout, written in blocks of 4 KiB or every second rather than one write per request line (a
 * synchronous write per request cost the predict route ~6% of its throughput); pino flushes what is left on exit.
 */
function createServiceLogger(level: ServeConfig['log_level']): Logger {
  return pino({ level, base: { service: 'ringfence' } }, pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 }));
}

export async function startService(config: ServeConfig, options: { logger?: Logger; version?: string } = {}): Promise<RunningService> {
  const logger = options.logger ?? createServiceLogger(config.log_level);
  const keys = config.keys_file ? await readKeysFile(config.keys_file) : null;
  if (keys && keys.length === 0) throw new Error(`keys file ${config.keys_file} holds no keys; create one with 'ringfence keys create'`);
  const holder = new ModelHolder(createModelLoader(config.models_root, config.model_name));
  const model = await holder.reload(config.model_version);
  const app = createApp({ config, modelHolder: holder, logger, keys, ...(options.version ? { version: options.version } : {}) });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.requestTimeout = config.request_timeout_ms;
  server.headersTimeout = config.headers_timeout_ms;
  server.keepAliveTimeout = 5_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, model: `${model.name}/${model.version}`, auth: keys ? 'api keys' : 'none (loopback only)' }, 'listening');
  logger.flush();
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          logger.flush();
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
