import { createHmac } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  defaultHashSecretFile,
  HASH_SECRET_FILE,
  HashSecretError,
  hashSecretSourceFromEnv,
  readHashSecret,
  readOrCreateHashSecret,
} from '../../models/hash-secret.js';
import {
  assertSecretFingerprint,
  FINGERPRINT_LABEL,
  FINGERPRINT_PATTERN,
  HashSecretMismatchError,
  secretFingerprint,
} from '../../models/secret-fingerprint.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const tempDir = useTemporaryDirs('ringfence-secret-');

describe('secretFingerprint', () => {
  it('is the hex HMAC-SHA256 of the fixed label under the secret, and differs between secrets', () => {
    const fingerprint = secretFingerprint('s3cret');
    expect(fingerprint).toMatch(FINGERPRINT_PATTERN);
    expect(fingerprint).toBe(createHmac('sha256', 's3cret').update(FINGERPRINT_LABEL).digest('hex'));
    expect(fingerprint).not.toContain('s3cret');
    expect(secretFingerprint('s3cret2')).not.toBe(fingerprint);
  });

  it('assertSecretFingerprint names the subject, both fingerprints and where the secret came from', () => {
    const mine = { fingerprint: secretFingerprint('mine'), origin: 'RINGFENCE_HASH_SECRET' };
    expect(() => assertSecretFingerprint('model m/v', secretFingerprint('mine'), mine)).not.toThrow();
    const error = (() => {
      try {
        assertSecretFingerprint('model m/v', secretFingerprint('theirs'), mine);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(HashSecretMismatchError);
    expect((error as Error).message).toContain('model m/v');
    expect((error as Error).message).toContain(secretFingerprint('theirs').slice(0, 12));
    expect((error as Error).message).toContain(mine.fingerprint.slice(0, 12));
    expect((error as Error).message).toContain('RINGFENCE_HASH_SECRET');
  });
});

describe('the deployment secret', () => {
  it('is created once at the top of the models root with mode 0600, then reused', async () => {
    const root = path.join(await tempDir(), 'models');
    const first = await readOrCreateHashSecret(root);
    expect(first.created).toBe(true);
    const file = path.join(root, HASH_SECRET_FILE);
    expect(first.secret.origin).toBe(`secret file ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.secret.key);
    expect(first.secret.key).toMatch(/^[0-9a-f]{64}$/);
    const again = await readOrCreateHashSecret(root);
    expect(again.created).toBe(false);
    expect(again.secret.key).toBe(first.secret.key);
    expect((await readHashSecret(root)).fingerprint).toBe(first.secret.fingerprint);
  });

  it('concurrent first uses agree on one secret', async () => {
    const root = await tempDir();
    const all = await Promise.all(Array.from({ length: 8 }, () => readOrCreateHashSecret(root)));
    expect(new Set(all.map((r) => r.secret.key)).size).toBe(1);
    expect(all.filter((r) => r.created)).toHaveLength(1);
  });

  it('never shows the key when printed or serialised', async () => {
    const { secret } = await readOrCreateHashSecret(await tempDir());
    expect(JSON.stringify(secret)).not.toContain(secret.key);
    expect(inspect(secret)).not.toContain(secret.key);
    expect(`${JSON.stringify({ secret })}`).toContain(secret.fingerprint);
  });

  it('takes RINGFENCE_HASH_SECRET or RINGFENCE_HASH_SECRET_FILE from the environment, and refuses both at once', async () => {
    const root = await tempDir();
    const file = path.join(root, 'elsewhere');
    await writeFile(file, 'from-a-file\n', { mode: 0o600 });
    expect((await readHashSecret(root, hashSecretSourceFromEnv({ RINGFENCE_HASH_SECRET: 'from-env' }))).key).toBe('from-env');
    expect((await readHashSecret(root, hashSecretSourceFromEnv({ RINGFENCE_HASH_SECRET_FILE: file }))).key).toBe('from-a-file');
    await expect(readHashSecret(root, { hashSecret: 'a', hashSecretFile: file })).rejects.toThrow(/set one of them/);
    expect(hashSecretSourceFromEnv({ RINGFENCE_HASH_SECRET: '' })).toEqual({});
  });

  it('refuses, with the reason, a missing secret, an empty file and a file other users can read', async () => {
    const root = await tempDir();
    await expect(readHashSecret(root)).rejects.toThrow(
      new RegExp(`no hashing secret: set RINGFENCE_HASH_SECRET.*${defaultHashSecretFile(root).replace(/[.]/g, '\\.')}`),
    );
    await expect(readHashSecret(root, { hashSecretFile: path.join(root, 'nope') })).rejects.toThrow(/nope does not exist/);
    const file = defaultHashSecretFile(root);
    await writeFile(file, '\n', { mode: 0o600 });
    await expect(readHashSecret(root)).rejects.toThrow(/is empty/);
    await writeFile(file, 'k\n');
    await chmod(file, 0o644);
    const error = await readHashSecret(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashSecretError);
    expect((error as Error).message).toMatch(/mode 644: other users can read or change it; run chmod 600/);
    await expect(readOrCreateHashSecret(root)).rejects.toThrow(/mode 644/);
  });
});
