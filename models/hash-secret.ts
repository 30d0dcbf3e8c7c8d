// The deployment's identifier hashing secret: from configuration, or from the secret file `ringfence train` creates
// once (mode 0600) at the top of the models root. One secret per deployment, never stored in a model version.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { secretFingerprint } from './secret-fingerprint.js';

/**
 * Name of the default secret file, at the top of the models root: beside the model names, never inside a version
 * folder, so shipping or copying a version (`<root>/<name>/<version>/`) never ships the secret, while every process
 * that reads the same root (train, score, serve, notebooks) finds the same one.
 */
export const HASH_SECRET_FILE = '.hash-secret';

export const HASH_SECRET_ENV = 'RINGFENCE_HASH_SECRET';
export const HASH_SECRET_FILE_ENV = 'RINGFENCE_HASH_SECRET_FILE';

/** Where a process's secret comes from; both absent = the default secret file of the models root. */
export interface HashSecretSource {
  /** the secret itself (RINGFENCE_HASH_SECRET) */
  readonly hashSecret?: string | undefined;
  /** a file holding it (RINGFENCE_HASH_SECRET_FILE, --secret-file) */
  readonly hashSecretFile?: string | undefined;
}

/** The secret and its fingerprint. Printing or serialising it shows the fingerprint only, never the key. */
export class HashSecret {
  readonly #key: string;
  readonly fingerprint: string;
  constructor(
    key: string,
    /** where it came from, for messages: "RINGFENCE_HASH_SECRET" or "secret file /path" */
    readonly origin: string,
  ) {
    if (key.length === 0) throw new HashSecretError(`the hashing secret from ${origin} is empty`);
    this.#key = key;
    this.fingerprint = secretFingerprint(key);
  }
  /** the HMAC key of identifier hashes; keep it in memory only */
  get key(): string {
    return this.#key;
  }
  toJSON(): { fingerprint: string; origin: string } {
    return { fingerprint: this.fingerprint, origin: this.origin };
  }
  [inspect.custom](): string {
    return `HashSecret { fingerprint: ${this.fingerprint}, origin: ${this.origin} }`;
  }
}

/** No usable secret: none configured, an unreadable or unsafe file, or two sources at once. */
export class HashSecretError extends Error {
  override readonly name = 'HashSecretError';
}

export const defaultHashSecretFile = (modelsRoot: string) => path.join(modelsRoot, HASH_SECRET_FILE);

/** The secret's source from environment variables (empty values count as unset); a `secretFile` given (a flag) wins over the file variable. */
export function hashSecretSourceFromEnv(env: Readonly<Record<string, string | undefined>>, secretFile?: string): HashSecretSource {
  const secret = env[HASH_SECRET_ENV];
  const file = secretFile || env[HASH_SECRET_FILE_ENV];
  return { ...(secret ? { hashSecret: secret } : {}), ...(file ? { hashSecretFile: file } : {}) };
}

/** other users may read it, or anyone but its owner may write it */
const UNSAFE_MODE_BITS = 0o026;

async function readSecretFile(file: string): Promise<HashSecret | null> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new HashSecretError(`cannot read the hashing secret file ${file}: ${error.message}`);
  });
  if (info === null) return null;
  if (!info.isFile()) throw new HashSecretError(`the hashing secret file ${file} is not a regular file`);
  if ((info.mode & UNSAFE_MODE_BITS) !== 0) {
    throw new HashSecretError(
      `the hashing secret file ${file} has mode ${(info.mode & 0o777).toString(8)}: other users can read or change it; run chmod 600 ${file}`,
    );
  }
  const text = await readFile(file, 'utf8').catch((error: Error) => {
    throw new HashSecretError(`cannot read the hashing secret file ${file}: ${error.message}`);
  });
  const key = text.replace(/\r?\n$/, '');
  if (key.length === 0) throw new HashSecretError(`the hashing secret file ${file} is empty`);
  return new HashSecret(key, `secret file ${file}`);
}

function chosenSource(modelsRoot: string, source: HashSecretSource): { value: string } | { file: string; isDefault: boolean } {
  if (source.hashSecret !== undefined && source.hashSecretFile !== undefined) {
    throw new HashSecretError(`both ${HASH_SECRET_ENV} and a secret file (${source.hashSecretFile}) are set; set one of them`);
  }
  if (source.hashSecret !== undefined) return { value: source.hashSecret };
  if (source.hashSecretFile !== undefined) return { file: path.resolve(source.hashSecretFile), isDefault: false };
  return { file: defaultHashSecretFile(path.resolve(modelsRoot)), isDefault: true };
}

/** The secret of a deployment, never created: scoring and serving need the one the model was trained with. */
export async function readHashSecret(modelsRoot: string, source: HashSecretSource = {}): Promise<HashSecret> {
  const chosen = chosenSource(modelsRoot, source);
  if ('value' in chosen) return new HashSecret(chosen.value, HASH_SECRET_ENV);
  const secret = await readSecretFile(chosen.file);
  if (secret) return secret;
  throw new HashSecretError(
    chosen.isDefault
      ? `no hashing secret: set ${HASH_SECRET_ENV} or ${HASH_SECRET_FILE_ENV}, or put the deployment's secret file at ${chosen.file} ('ringfence train' creates it there on first use)`
      : `the hashing secret file ${chosen.file} does not exist`,
  );
}

/**
 * The secret of a deployment; when it is to come from a file that does not exist yet, a new random one is written
 * there first (mode 0600, linked into place so that concurrent first trainings agree on one). Training uses this.
 */
export async function readOrCreateHashSecret(modelsRoot: string, source: HashSecretSource = {}): Promise<{ secret: HashSecret; created: boolean }> {
  const chosen = chosenSource(modelsRoot, source);
  if ('value' in chosen) return { secret: new HashSecret(chosen.value, HASH_SECRET_ENV), created: false };
  const existing = await readSecretFile(chosen.file);
  if (existing) return { secret: existing, created: false };
  await mkdir(path.dirname(chosen.file), { recursive: true });
  const temporary = `${chosen.file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let created = true;
  try {
    await writeFile(temporary, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    await link(temporary, chosen.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      created = false; // another process created it first: use theirs
    });
  } catch (error) {
    throw new HashSecretError(`cannot create the hashing secret file ${chosen.file}: ${(error as Error).message}`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return { secret: (await readSecretFile(chosen.file)) as HashSecret, created };
}
