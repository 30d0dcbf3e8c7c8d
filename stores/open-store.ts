// Opens a store by its location (a directory: LMDB; redis://host:port/db: Redis) and checks it is the store asked for.
//
// A new, empty store is stamped with its identity (kind, format, secret fingerprint). Every later open compares the
// stamp and refuses a store of another kind, format or secret, or one whose stamp is unreadable: the store is never
// reset, since its contents may be the only record of what was seen.
import { type KeyValueStore, type StoreIdentity, StoreIdentitySchema, StoreRefusedError } from './key-value-store.js';
import { openLmdbStore } from './lmdb-store.js';
import { openRedisStore } from './redis-store.js';

/** The key holding a store's identity; no store user may write it. */
export const STORE_IDENTITY_KEY = 'ringfence:store-identity';

export const isRedisLocation = (location: string) => /^rediss?:\/\//.test(location);

function describeIdentity(identity: StoreIdentity): string {
  return `${identity.kind} format ${identity.format_version}, secret fingerprint ${identity.secret_fingerprint}`;
}

/** Why the stamp `found` does not fit `wanted`, or null when it does. */
function mismatch(found: StoreIdentity, wanted: StoreIdentity): string | null {
  if (found.kind !== wanted.kind) return `it is a ${found.kind}, not a ${wanted.kind}`;
  if (found.format_version !== wanted.format_version) {
    return `it has format ${found.format_version} and this version of ringfence reads format ${wanted.format_version}`;
  }
  if (found.secret_fingerprint !== wanted.secret_fingerprint) {
    return `it was made with the secret of fingerprint ${found.secret_fingerprint}, and this deployment's secret has fingerprint ${wanted.secret_fingerprint}`;
  }
  return null;
}

async function holdsAnything(store: KeyValueStore): Promise<boolean> {
  for await (const [key] of store.scan('')) if (key !== STORE_IDENTITY_KEY) return true;
  return false;
}

async function checkIdentity(store: KeyValueStore, wanted: StoreIdentity): Promise<void> {
  if ((await store.get(STORE_IDENTITY_KEY)) === undefined && (await holdsAnything(store))) {
    throw new StoreRefusedError(store.description, `it holds data but no identity record; expected ${describeIdentity(wanted)}`);
  }
  const stamp = JSON.stringify(wanted);
  let found: string | undefined;
  await store.update([STORE_IDENTITY_KEY], ([value]) => {
    found = value;
    return value === undefined ? [{ op: 'put', key: STORE_IDENTITY_KEY, value: stamp }] : [];
  });
  if (found === undefined) return;
  let parsed: StoreIdentity;
  try {
    parsed = StoreIdentitySchema.parse(JSON.parse(found));
  } catch {
    throw new StoreRefusedError(store.description, `its identity record is unreadable; expected ${describeIdentity(wanted)}`);
  }
  const why = mismatch(parsed, wanted);
  if (why) throw new StoreRefusedError(store.description, why);
}

/**
 * Opens the store at `location` and checks (or, when new, stamps) its identity. Refusals are StoreRefusedError
 * with the reason; the store is left as it was.
 */
export async function openStore(location: string, identity: StoreIdentity): Promise<KeyValueStore> {
  const store = isRedisLocation(location) ? await openRedisStore(location, identity.kind) : openLmdbStore(location);
  try {
    await checkIdentity(store, identity);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
