// API keys: a file of hashed keys with scopes; constant-time verification. Only hashes are ever stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

// predict: score and look up rings; review: analysts' decisions; metrics: read /metrics (a Prometheus scraper's
// bearer token); admin: everything, including reloads
export const ScopeSchema = z.enum(['predict', 'review', 'metrics', 'admin']);
export type Scope = z.infer<typeof ScopeSchema>;

export const KeyRecordSchema = z.object({
  name: z.string().min(1).max(64),
  scope: ScopeSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: z.string(),
});
export const KeysFileSchema = z.object({ keys: z.array(KeyRecordSchema) });
export type KeyRecord = z.infer<typeof KeyRecordSchema>;

const KEY_PREFIX = 'rf_';

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function readKeysFile(file: string): Promise<KeyRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`keys file ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = KeysFileSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`keys file ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data.keys;
}

/** Adds a new random key to the file (created if missing, replaced atomically) and returns the key itself. */
export async function createApiKey(file: string, name: string, scope: Scope): Promise<string> {
  const keys = await readKeysFile(file);
  if (keys.some((k) => k.name === name)) throw new Error(`keys file ${file} already has a key named ${JSON.stringify(name)}`);
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  keys.push({ name, scope, sha256: hashApiKey(key), created_at: new Date().toISOString() });
  await writeKeysFile(file, keys);
  return key;
}

/** Removes the key named `name` from the file; a running service refuses it once it has re-read the file. */
export async function revokeApiKey(file: string, name: string): Promise<KeyRecord> {
  const keys = await readKeysFile(file);
  const revoked = keys.find((k) => k.name === name);
  if (!revoked) throw new Error(`keys file ${file} has no key named ${JSON.stringify(name)}`);
  await writeKeysFile(
    file,
    keys.filter((k) => k !== revoked),
  );
  return revoked;
}

/** Replaces the file atomically (a service re-reading it sees the old or the new one, never half of it). */
async function writeKeysFile(file: string, keys: readonly KeyRecord[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.partial`, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.partial`, file);
}

/** The key record a bearer key matches, comparing every stored hash in constant time. */
export function findApiKey(keys: readonly KeyRecord[], presented: string): KeyRecord | null {
  const digest = Buffer.from(hashApiKey(presented), 'hex');
  let match: KeyRecord | null = null;
  for (const key of keys) {
    if (timingSafeEqual(digest, Buffer.from(key.sha256, 'hex'))) match = key;
  }
  return match;
}

/** admin holds every scope; any other scope only itself */
export const hasScope = (key: KeyRecord, needed: Scope) => key.scope === 'admin' || key.scope === needed;
