// Where the CLI finds a model name's decision store: as `ringfence serve` does (--decision-store, RINGFENCE_DECISION_STORE,
// else beside the identity store), relative paths taken from the working folder.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { decisionStoreLocation } from '../training/decisions/decision-store.js';
import { identityStoreLocation } from '../training/identity/identity-store.js';
import { isRedisLocation } from '../stores/open-store.js';
import type { CliIo } from './cli-command.js';

export const decisionStoreOptions = {
  decisionStore: {
    schema: z.string().min(1).optional(),
    description:
      'the decision store, a directory or redis://host:port/db (RINGFENCE_DECISION_STORE; default beside the identity store: ROOT/NAME/decision-store)',
    placeholder: 'PATH',
  },
  identityStore: {
    schema: z.string().min(1).optional(),
    description: "the service's identity store, only to find the decision store beside it (RINGFENCE_IDENTITY_STORE)",
    placeholder: 'PATH',
  },
};

const resolveLocation = (io: CliIo, location: string) => (isRedisLocation(location) ? location : path.resolve(io.cwd, location));

/** The decision store of ROOT/NAME (`root` already resolved): a directory or a redis:// location. */
export function decisionStoreOf(
  io: CliIo,
  root: string,
  name: string,
  options: { readonly decisionStore?: string | undefined; readonly identityStore?: string | undefined },
): string {
  const identityStore = resolveLocation(io, identityStoreLocation(root, name, options.identityStore, io.env));
  return resolveLocation(io, decisionStoreLocation(options.decisionStore, identityStore, io.env));
}

/** Whether a store is there to read: a Redis location always (it is asked), a directory when it exists. */
export async function decisionStoreExists(location: string): Promise<boolean> {
  if (isRedisLocation(location)) return true;
  return access(location).then(
    () => true,
    () => false,
  );
}
