// ringfence serve: the scoring service, in this process or in N worker processes; SIGTERM/SIGINT stop it gracefully
import path from 'node:path';
import { z } from 'zod';
import { startCluster } from '../serving/cluster-primary.js';
import { ConfigValidationError, isLoopbackHost, loadServeConfig } from '../serving/config.js';
import { startService } from '../serving/main.js';
import { CliUsageError, commonOptions, defineCommand, EXIT_FAILURE, EXIT_OK } from './cli-command.js';

/** A configuration refused (flags or RINGFENCE_* variables) is bad usage: exit code 2, as for any other bad argument. */
function configOrUsageError<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigValidationError) throw new CliUsageError(error.message);
    throw error;
  }
}

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve POST /v1/predict and the ring and model routes over HTTP',
  details:
    'Every option can also come from the environment (RINGFENCE_MODELS, RINGFENCE_PORT, RINGFENCE_KEYS_FILE, RINGFENCE_WORKERS, RINGFENCE_MAX_ACCOUNTS, ...; see serving/README.md). Without --keys the service binds to loopback only. With --workers N (N > 1, or auto for one per core) N processes serve the same port as one service: a reload reaches every worker, /metrics counts them all, the rate limit is shared.',
  options: {
    models: { schema: z.string().optional(), description: 'model root folder (RINGFENCE_MODELS)', placeholder: 'ROOT' },
    name: { schema: z.string().optional(), description: 'model name (default: default)', placeholder: 'NAME' },
    version: { schema: z.string().optional(), description: 'version to load (default: LATEST)', placeholder: 'V' },
    port: { schema: z.string().optional(), description: 'port (default 8080; 0 = any free port)', placeholder: 'P' },
    host: { schema: z.string().optional(), description: 'address to bind (default 127.0.0.1)', placeholder: 'H' },
    keys: { schema: z.string().optional(), description: "API keys file from 'ringfence keys create'", placeholder: 'FILE' },
    workers: {
      schema: z.string().optional(),
      description: 'processes serving the port: an integer, or auto = one per core (default 1)',
      placeholder: 'N',
    },
    secretFile: commonOptions.secretFile,
    'identity-store': {
      schema: z.string().optional(),
      description: 'live identity store: a directory (LMDB) or redis://host:port/db (RINGFENCE_IDENTITY_STORE; default ROOT/NAME/identity-store)',
      placeholder: 'PATH',
    },
  },
  async run(args, io) {
    const config = configOrUsageError(() =>
      loadServeConfig(io.env, {
        models_root: args.models ? path.resolve(io.cwd, args.models) : undefined,
        model_name: args.name,
        model_version: args.version,
        port: args.port,
        host: args.host,
        keys_file: args.keys ? path.resolve(io.cwd, args.keys) : undefined,
        workers: args.workers,
        hash_secret_file: args.secretFile ? path.resolve(io.cwd, args.secretFile) : undefined,
        identity_store:
          args['identity-store'] && !/^rediss?:\/\//.test(args['identity-store'])
            ? path.resolve(io.cwd, args['identity-store'])
            : args['identity-store'],
      }),
    );
    const service =
      config.workers > 1 ? await startCluster(config) : { ...(await startService(config)), failed: new Promise<Error>(() => undefined) };
    // SIGHUP reloads, as daemons do: the keys file and the configured version (the newest unless --version pins one)
    const reload = () => {
      io.stderr.write('SIGHUP: reloading the keys and the model\n');
      service.reload().catch((error: unknown) => io.stderr.write(`reload failed, the keys and model in service stay: ${(error as Error).message}\n`));
    };
    process.on('SIGHUP', reload);
    const processes = config.workers > 1 ? `; ${config.workers} worker processes` : '';
    io.stderr.write(
      `${config.keys_file ? 'API keys required' : 'no API keys: listening on loopback only'}; model ${config.model_name}${processes}; OpenAPI at ${service.url}/docs\n`,
    );
    io.stdout.write(`serving on ${service.url}${isLoopbackHost(config.host) ? '' : ' (all requests need an API key)'}\n`);
    const stopped = new Promise<number>((resolve) => {
      const stop = () => {
        io.stderr.write('stopping: finishing in-flight requests\n');
        service.close().then(
          () => resolve(EXIT_OK),
          (error: unknown) => {
            io.stderr.write(`error while stopping: ${(error as Error).message}\n`);
            resolve(EXIT_FAILURE);
          },
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    void stopped.finally(() => process.off('SIGHUP', reload));
    const gaveUp = service.failed.then((error) => {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT_FAILURE;
    });
    return Promise.race([stopped, gaveUp]);
  },
});
