// ringfence identity forget: the right to erasure outside the service; the account's record (identifiers and summary)
// leaves the identity store, and every service process sharing it drops the account's links at its next request.
import path from 'node:path';
import { z } from 'zod';
import { hashSecretSourceFromEnv, readHashSecret } from '../models/hash-secret.js';
import { forgetAccount, identityStoreLocation, openIdentityStore } from '../training/identity/identity-store.js';
import { commonOptions, defineCommand, defineCommandGroup, EXIT_FAILURE, EXIT_OK, type CliCommand } from './cli-command.js';

const isRedis = (location: string) => /^rediss?:\/\//.test(location);

const forgetCommand = defineCommand({
  name: 'identity forget',
  summary: "erase an account from the live identity state: its identifiers and links (the service's DELETE /v1/accounts/:id)",
  options: {
    account: { schema: z.string().min(1), description: 'the account to erase', placeholder: 'ID' },
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    'identity-store': {
      schema: z.string().optional(),
      description: 'the identity store, a directory or redis://host:port/db (RINGFENCE_IDENTITY_STORE; default ROOT/NAME/identity-store)',
      placeholder: 'PATH',
    },
    secretFile: commonOptions.secretFile,
  },
  async run(args, io) {
    const root = path.resolve(io.cwd, args.models);
    const option = args['identity-store'];
    const location = identityStoreLocation(root, args.name, option && !isRedis(option) ? path.resolve(io.cwd, option) : option, io.env);
    const secret = await readHashSecret(root, hashSecretSourceFromEnv(io.env, args.secretFile ? path.resolve(io.cwd, args.secretFile) : undefined));
    const store = await openIdentityStore(location, secret.fingerprint);
    try {
      if (!(await forgetAccount(store, args.account, Date.now()))) {
        io.stderr.write(`account ${args.account} is not recorded in ${store.description}; nothing erased\n`);
        return EXIT_FAILURE;
      }
      io.stdout.write(`erased account ${args.account} from ${store.description}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
});

export const identityCommand: CliCommand = defineCommandGroup({
  name: 'identity',
  summary: 'the live identity state: erase an account',
  help: () => `ringfence identity forget --account ID --models ROOT [--name NAME] [--identity-store PATH] [--secret-file FILE]\n`,
  subcommands: { forget: forgetCommand },
});
