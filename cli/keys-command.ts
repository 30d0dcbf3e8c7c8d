// ringfence keys create|list|revoke: API keys for the service; the key is printed once, only its hash is stored
import path from 'node:path';
import { z } from 'zod';
import { createApiKey, readKeysFile, revokeApiKey, ScopeSchema } from '../serving/api-keys.js';
import { defineCommand, defineCommandGroup, EXIT_OK, type CliCommand } from './cli-command.js';
import { formatTable } from './format-table.js';

const createCommand = defineCommand({
  name: 'keys create',
  summary: 'create an API key: printed once on stdout, its hash stored in FILE',
  options: {
    scope: {
      schema: ScopeSchema,
      description: "predict (score, look up rings), review (analysts' decisions), metrics (read /metrics) or admin (everything, also reloads)",
      placeholder: 'SCOPE',
    },
    name: { schema: z.string().min(1).max(64), description: 'a name for the key (who uses it)', placeholder: 'NAME' },
    keys: { schema: z.string().min(1), description: 'keys file (created if missing)', placeholder: 'FILE' },
  },
  async run(args, io) {
    const key = await createApiKey(path.resolve(io.cwd, args.keys), args.name, args.scope);
    io.stderr.write(`created ${args.scope} key ${JSON.stringify(args.name)} in ${args.keys}; it is shown once, store it now:\n`);
    io.stdout.write(`${key}\n`);
    return EXIT_OK;
  },
});

const listCommand = defineCommand({
  name: 'keys list',
  summary: 'list the keys of a keys file (names and scopes, never the keys)',
  options: { keys: { schema: z.string().min(1), description: 'keys file', placeholder: 'FILE' } },
  async run(args, io) {
    const keys = await readKeysFile(path.resolve(io.cwd, args.keys));
    io.stdout.write(
      formatTable(
        ['name', 'scope', 'created'],
        keys.map((k) => [k.name, k.scope, k.created_at]),
      ),
    );
    return EXIT_OK;
  },
});

const revokeCommand = defineCommand({
  name: 'keys revoke',
  summary: 'remove a key from FILE; a running service refuses it within seconds (it re-reads the file), without a restart',
  options: {
    name: { schema: z.string().min(1).max(64), description: 'the name the key was created with', placeholder: 'NAME' },
    keys: { schema: z.string().min(1), description: 'keys file', placeholder: 'FILE' },
  },
  async run(args, io) {
    const revoked = await revokeApiKey(path.resolve(io.cwd, args.keys), args.name);
    io.stderr.write(
      `revoked ${revoked.scope} key ${JSON.stringify(revoked.name)} in ${args.keys}; running services refuse it once they have re-read the file (within 5 s)\n`,
    );
    return EXIT_OK;
  },
});

export const keysCommand: CliCommand = defineCommandGroup({
  name: 'keys',
  summary: 'create, list or revoke API keys',
  help: () =>
    `ringfence keys create --scope predict|review|metrics|admin --name NAME --keys FILE\nringfence keys list --keys FILE\nringfence keys revoke --name NAME --keys FILE\n`,
  subcommands: { create: createCommand, list: listCommand, revoke: revokeCommand },
});
