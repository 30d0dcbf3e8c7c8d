import { createHash } from 'node:crypto';
import { cp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { defaultHashSecretFile } from '../../models/hash-secret.js';
import { assertFeatureNames, ModelFeatureMismatchError, ModelIntegrityError, readModelVersion } from '../../models/read-model-version.js';
import { ModelNotFoundError } from '../../models/registry.js';
import { writeModelVersion } from '../../models/write-model-version.js';
import { loadScoringParts } from '../../training/model-files.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { FEATURES, manifestFields, MODEL_FILES } from './model-store-helpers.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-read-');

async function writtenVersion(): Promise<{ root: string; dir: string; version: string }> {
  const root = await tempDir();
  const { dir, version } = await writeModelVersion(root, 'm', {
    files: MODEL_FILES,
    report: { 'report.html': '<p>r</p>' },
    manifest: manifestFields(),
  });
  return { root, dir, version };
}

async function editManifest(dir: string, edit: (manifest: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  await writeFile(file, JSON.stringify(manifest));
}

describe('readModelVersion', () => {
  it('reads the trained fixture version with every checksum verified', async () => {
    const stored = await readModelVersion(fixture.modelsRoot, fixture.name);
    expect(stored.manifest.version).toBe(fixture.version);
    expect(stored.readFile('autoencoder/weights.bin').length).toBe(stored.manifest.files['autoencoder/weights.bin']?.bytes);
  });

  it('refuses a flipped byte in the trained weights, naming the file', async () => {
    const root = await tempDir();
    await cp(path.join(fixture.modelsRoot, fixture.name), path.join(root, fixture.name), { recursive: true });
    const file = path.join(root, fixture.name, fixture.version, 'autoencoder', 'weights.bin');
    const bytes = await readFile(file);
    bytes[10] = (bytes[10] as number) ^ 0x01;
    await writeFile(file, bytes);
    const error = await readModelVersion(root, fixture.name, fixture.version).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as ModelIntegrityError).file).toBe(file);
    expect((error as Error).message).toMatch(/weights\.bin: checksum mismatch/);
  });

  it('refuses a file whose size changed, naming the file', async () => {
    const { root, dir } = await writtenVersion();
    await writeFile(path.join(dir, 'scaler.json'), '{"centre":[1,2,3,4]}\n');
    await expect(readModelVersion(root, 'm')).rejects.toThrow(/scaler\.json: checksum mismatch \(manifest: 19 bytes.*on disk: 21 bytes/);
  });

  it('refuses an unknown major format version and accepts a newer minor one', async () => {
    const { root, dir } = await writtenVersion();
    await editManifest(dir, (m) => (m['format_version'] = '1.7'));
    await expect(readModelVersion(root, 'm')).resolves.toBeDefined();
    await editManifest(dir, (m) => (m['format_version'] = '2.0'));
    const error = await readModelVersion(root, 'm').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as Error).message).toMatch(/manifest\.json: format_version "2\.0" is not readable by this ringfence \(it reads 1\.x\)/);
    await editManifest(dir, (m) => delete m['format_version']);
    await expect(readModelVersion(root, 'm')).rejects.toThrow(/format_version undefined/);
  });

  it('refuses a manifest that is not JSON or misses fields, naming the fields', async () => {
    const { root, dir } = await writtenVersion();
    await editManifest(dir, (m) => delete m['seed']);
    await expect(readModelVersion(root, 'm')).rejects.toThrow(/manifest\.json: is invalid: seed:/);
    await writeFile(path.join(dir, 'manifest.json'), '{"format_version":');
    await expect(readModelVersion(root, 'm')).rejects.toThrow(/manifest\.json: is not valid JSON/);
  });

  it('refuses a listed file that is missing', async () => {
    const { root, dir } = await writtenVersion();
    await rm(path.join(dir, 'autoencoder', 'model.json'));
    await expect(readModelVersion(root, 'm')).rejects.toThrow(/autoencoder\/model\.json: is listed in the manifest but missing/);
  });

  it('refuses an unlisted extra file but not one under report/', async () => {
    const { root, dir } = await writtenVersion();
    await writeFile(path.join(dir, 'report', 'notes.txt'), 'analyst notes');
    await expect(readModelVersion(root, 'm')).resolves.toBeDefined();
    await writeFile(path.join(dir, 'autoencoder', 'extra.js'), 'console.log(1)');
    await expect(readModelVersion(root, 'm')).rejects.toThrow(/autoencoder\/extra\.js: is not listed in the manifest/);
  });

  it('refuses a symbolic link inside the version', async () => {
    const { root, dir } = await writtenVersion();
    await symlink('/etc/hostname', path.join(dir, 'link.json'));
    await expect(readModelVersion(root, 'm')).rejects.toThrow(/link\.json: is a symbolic link/);
  });

  it('refuses a manifest listing a path outside the version folder', async () => {
    const { root, dir } = await writtenVersion();
    await editManifest(dir, (m) => ((m['files'] as Record<string, unknown>)['../../outside.json'] = { sha256: '0'.repeat(64), bytes: 1 }));
    await expect(readModelVersion(root, 'm')).rejects.toThrow(
      /manifest\.json: is invalid: files\.\.\.\/\.\.\/outside\.json: must be a relative path inside the version folder/,
    );
  });

  it('names the file and field when readJson fails its schema, and refuses unlisted paths', async () => {
    const { root } = await writtenVersion();
    const stored = await readModelVersion(root, 'm');
    expect(() => stored.readJson('scaler.json', z.object({ centre: z.array(z.string()) }))).toThrow(/scaler\.json: is invalid: centre\.0:/);
    expect(() => stored.readJson('autoencoder/weights.bin', z.unknown())).toThrow(/weights\.bin: is not valid JSON/);
    expect(() => stored.readFile('report/report.html')).toThrow(/report\.html: is not part of this model version/);
  });

  it('refuses an unknown version, listing the known ones', async () => {
    const { root, version } = await writtenVersion();
    const error = await readModelVersion(root, 'm', '20200101T000000Z').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect((error as Error).message).toContain(`versions: ${version}`);
  });

  it('hands the held-out metrics to the loader only through their schema', async () => {
    const { metrics } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const onDisk = JSON.parse(await readFile(path.join(fixture.modelsRoot, fixture.name, fixture.version, 'metrics.json'), 'utf8')) as {
      roc_auc: Record<string, number>;
    };
    expect(metrics?.roc_auc['risk_score']).toBe(onDisk.roc_auc['risk_score']);
    // a metrics file of the wrong shape, with a checksum that matches it, is refused rather than served as numbers
    const root = await tempDir();
    await cp(path.join(fixture.modelsRoot, fixture.name), path.join(root, fixture.name), { recursive: true });
    const dir = path.join(root, fixture.name, fixture.version);
    const bytes = Buffer.from(JSON.stringify({ roc_auc: 'high', flagged_precision: '90%' }));
    await writeFile(path.join(dir, 'metrics.json'), bytes);
    await editManifest(
      dir,
      (m) =>
        ((m['files'] as Record<string, unknown>)['metrics.json'] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }),
    );
    const error = await loadScoringParts(root, fixture.name, fixture.version, { hashSecretFile: defaultHashSecretFile(fixture.modelsRoot) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as Error).message).toMatch(/metrics\.json: is invalid: /);
  });
});

describe('assertFeatureNames', () => {
  it('accepts the same names in the same order', () => {
    expect(() => assertFeatureNames(manifestFields(), FEATURES)).not.toThrow();
  });

  it('names missing, extra and reordered features', () => {
    const manifest = manifestFields(['bank_changes', 'login_count', 'device_count']);
    const error = (() => {
      try {
        assertFeatureNames(manifest, FEATURES);
      } catch (e) {
        return e;
      }
    })() as ModelFeatureMismatchError;
    expect(error).toBeInstanceOf(ModelFeatureMismatchError);
    expect(error.missing).toEqual(['proposal_rate']);
    expect(error.extra).toEqual(['device_count']);
    expect(error.reordered.map((r) => r.name)).toEqual(['bank_changes', 'login_count']);
    expect(error.message).toContain(
      'the model lacks: proposal_rate; the model has unknown: device_count; in another order: bank_changes (model column 1, code column 3)',
    );
  });

  it('is applied when a trained model is loaded for scoring', async () => {
    const root = await tempDir();
    await cp(path.join(fixture.modelsRoot, fixture.name), path.join(root, fixture.name), { recursive: true });
    await editManifest(
      path.join(root, fixture.name, fixture.version),
      (m) => (((m['features'] as { name: string }[])[0] as { name: string }).name = 'renamed_feature'),
    );
    const error = await loadScoringParts(root, fixture.name, fixture.version, { hashSecretFile: defaultHashSecretFile(fixture.modelsRoot) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelFeatureMismatchError);
    expect((error as ModelFeatureMismatchError).extra).toEqual(['renamed_feature']);
    expect((error as ModelFeatureMismatchError).missing).toHaveLength(1);
  });

  it('refuses a version trained before the Mahalanobis detector, saying so and what to do', async () => {
    const root = await tempDir();
    await cp(path.join(fixture.modelsRoot, fixture.name), path.join(root, fixture.name), { recursive: true });
    const dir = path.join(root, fixture.name, fixture.version);
    await rm(path.join(dir, 'mahalanobis.json'));
    await editManifest(dir, (m) => delete (m['files'] as Record<string, unknown>)['mahalanobis.json']);
    const error = await loadScoringParts(root, fixture.name, fixture.version, { hashSecretFile: defaultHashSecretFile(fixture.modelsRoot) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as ModelIntegrityError).file).toBe(path.join(dir, 'mahalanobis.json'));
    expect((error as Error).message).toMatch(
      /mahalanobis\.json: is missing: the version was trained by an earlier ringfence, before the Mahalanobis detector joined the ensemble; train a new version/,
    );
  });
});
