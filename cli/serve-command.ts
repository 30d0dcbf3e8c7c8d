// ringfence serve: the scoring service; SIGTERM/SIGINT stop it gracefully
import path from 'node:path';
import { z } from 'zod';
import { isLoopbackHost, loadServeConfig } from '../serving/config.js';
import { startService } from '../serving/main.js';
import { defineCommand, EXIT_OK } from './cli-command.js';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve POST /v1/predict and the ring and model routes over HTTP',
  details: 'Every option can also come from the environment (RINGFENCE_MODELS, RINGFENCE_PORT, RINGFENCE_KEYS_FILE, RINGFENCE_MAX_ACCOUNTS, ...; see serving/README.md). Without --keys the service binds to loopback only.',
  options: {
    models: { schema: z.string().optional(), description: 'model root folder (RINGFENCE_MODELS)', placeholder: 'ROOT' },
    name: { schema: z.string().optional(), description: 'model name (default: default)', placeholder: 'NAME' },
    version: { schema: z.string().optional(), description: 'version to load (default: LATEST)', placeholder: 'V' },
    port: { schema: z.string().optional(), description: 'port (default 8080; 0 = any free port)', placeholder: 'P' },
    host: { schema: z.string().optional(), description: 'address to bind (default 127.0.0.1)', placeholder: 'H' },
    keys: { schema: z.string().optional(), description: "API keys file from 'ringfence keys create'", placeholder: 'FILE' },
  },
  async run(args, io) {
    const config = loadServeConfig(io.env, {
      models_root: args.models ? path.resolve(io.cwd, args.models) : undefined,
      model_name: args.name,
      model_version: args.version,
      port: args.port,
      host: args.host,
      keys_file: args.keys ? path.resolve(io.cwd, args.keys) : undefined,
    });
    const service = await startService(config);
    io.stderr.write(`${config.keys_file ? 'API keys required' : 'no API keys: listening on loopback only'}; model ${config.model_name}; OpenAPI at ${service.url}/docs\n`);
    io.stdout.write(`serving on ${service.url}${isLoopbackHost(config.host) ? '' : ' (all requests need an API key)'}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        io.stderr.write('stopping: finishing in-flight requests\n');
        service.close().then(resolve, resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return EXIT_OK;
  },
});
