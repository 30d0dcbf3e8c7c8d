// `ringfence serve` and `ringfence score` as real processes (dist/, so `npm run build` first): each takes the
// deployment's hashing secret from configuration or the models root's secret file, and refuses a model whose
// fingerprint differs, naming the reason.
import { chmod, copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { defaultHashSecretFile } from '../../models/hash-secret.js';
import { secretFingerprint } from '../../models/secret-fingerprint.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { runCliProcess, startServe } from './serve-process.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-secret-cli-');
const fixtureKey = async () => (await readFile(defaultHashSecretFile(fixture.modelsRoot), 'utf8')).trim();

describe('ringfence serve and the hashing secret', () => {
  it('refuses to start with another secret, naming both fingerprints and where its secret came from', async () => {
    for (const args of [[], ['--workers', '2']]) {
      const run = runCliProcess(['serve', '--models', fixture.modelsRoot, '--name', fixture.name, '--port', '0', ...args], {
        RINGFENCE_HASH_SECRET: 'not-the-deployment-secret',
      });
      expect((await run.exited).code).toBe(1);
      expect(run.stderr()).toContain(
        `error: model ${fixture.name}/${fixture.version} was written with a hashing secret of fingerprint ${secretFingerprint(await fixtureKey()).slice(0, 12)}`,
      );
      expect(run.stderr()).toContain(
        `this process's secret (RINGFENCE_HASH_SECRET) has fingerprint ${secretFingerprint('not-the-deployment-secret').slice(0, 12)}`,
      );
      expect(run.stderr()).not.toContain('not-the-deployment-secret');
      expect(run.stdout()).not.toMatch(/serving on/);
    }
  }, 60_000);

  it('refuses a secret file (here from --secret-file) that other users can read', async () => {
    const dir = await tempDir();
    const other = path.join(dir, 'other-secret');
    await copyFile(defaultHashSecretFile(fixture.modelsRoot), other);
    await chmod(other, 0o644);
    const loose = runCliProcess(['serve', '--models', fixture.modelsRoot, '--name', fixture.name, '--port', '0', '--secret-file', other]);
    expect((await loose.exited).code).toBe(1);
    expect(loose.stderr()).toMatch(/^error: .*other-secret has mode 644: other users can read or change it/m);
  }, 30_000);

  it('serves with the secret given by RINGFENCE_HASH_SECRET, by --secret-file, or found in the models root', async () => {
    const dir = await tempDir();
    const copy = path.join(dir, 'secret');
    await copyFile(defaultHashSecretFile(fixture.modelsRoot), copy);
    for (const [args, env] of [
      [[], { RINGFENCE_HASH_SECRET: await fixtureKey() }],
      [['--secret-file', copy], {}],
      [[], {}],
    ] as const) {
      const service = await startServe(['--models', fixture.modelsRoot, '--name', fixture.name, ...args], env);
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      service.child.kill('SIGTERM');
      expect((await service.exited).code).toBe(0);
    }
  }, 90_000);
});

describe('ringfence score and the hashing secret', () => {
  it('refuses another secret before scoring anything', async () => {
    const out = path.join(await tempDir(), 'scores.csv');
    const run = runCliProcess(['score', '--data', fixture.dataDir, '--models', fixture.modelsRoot, '--name', fixture.name, '--out', out], {
      RINGFENCE_HASH_SECRET: 'wrong',
    });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/^error: .*was written with a hashing secret of fingerprint/m);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  }, 30_000);
});
