import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ManifestSchema } from '../../models/manifest.js';
import { readModelVersion } from '../../models/read-model-version.js';
import { latestVersion, listVersions, ModelNotFoundError } from '../../models/registry.js';
import { listTemporaryFolders, ModelVersionExistsError, ModelWriteError, versionIdAt, writeModelVersion } from '../../models/write-model-version.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { manifestFields, MODEL_FILES } from './model-store-helpers.js';

const modelsRoot = useTemporaryDirs('ringfence-store-');

const NOW = new Date('2026-11-23T10:15:00.250Z');

describe('writeModelVersion', () => {
  it('round-trips files and manifest fields when read back', async () => {
    const root = await modelsRoot();
    const written = await writeModelVersion(root, 'm', { files: MODEL_FILES, manifest: manifestFields(), now: NOW });
    expect(written.version).toBe('20261123T101500Z');
    const stored = await readModelVersion(root, 'm');
    expect(stored.dir).toBe(written.dir);
    expect(stored.manifest).toMatchObject({ format_version: '1.0', name: 'm', version: '20261123T101500Z', seed: 7, tfjs_backend: 'cpu' });
    expect(stored.manifest.features.map((f) => f.name)).toEqual(['login_count', 'proposal_rate', 'bank_changes']);
    expect(Object.keys(stored.manifest.files).sort()).toEqual(['autoencoder/model.json', 'autoencoder/weights.bin', 'scaler.json']);
    expect(stored.manifest.files['autoencoder/weights.bin']?.bytes).toBe(64);
    expect([...stored.readFile('autoencoder/weights.bin')]).toEqual([...MODEL_FILES['autoencoder/weights.bin']]);
    expect(stored.readJson('scaler.json', ManifestSchema.shape.training_data)).toEqual({ centre: [1, 2, 3] });
    expect((await readFile(path.join(root, 'm', 'LATEST'), 'utf8')).trim()).toBe(written.version);
  });

  it('records the installed library versions from their package.json files', async () => {
    const root = await modelsRoot();
    await writeModelVersion(root, 'm', { files: MODEL_FILES, manifest: manifestFields(), now: NOW });
    const { libraries } = (await readModelVersion(root, 'm')).manifest;
    const installed = async (pkg: string) =>
      (JSON.parse(await readFile(path.join('node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    expect(libraries).toEqual({
      ringfence: (JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version,
      node: process.versions.node,
      tfjs: await installed('@tensorflow/tfjs'),
      'ml-kmeans': await installed('ml-kmeans'),
      zod: await installed('zod'),
    });
  });

  it('writes report files under report/ without listing them, and the version still loads after the report changes', async () => {
    const root = await modelsRoot();
    const written = await writeModelVersion(root, 'm', {
      files: MODEL_FILES,
      report: (version) => ({ 'report.html': `<h1>${version}</h1>`, 'tables/accounts.csv': 'account_id\n' }),
      manifest: manifestFields(),
      now: NOW,
    });
    expect(await readFile(path.join(written.dir, 'report', 'report.html'), 'utf8')).toBe('<h1>20261123T101500Z</h1>');
    const stored = await readModelVersion(root, 'm');
    expect(Object.keys(stored.manifest.files).some((f) => f.startsWith('report/'))).toBe(false);
    await rm(path.join(written.dir, 'report', 'tables'), { recursive: true });
    await expect(readModelVersion(root, 'm')).resolves.toBeDefined();
  });

  it('leaves no version and no temporary folder when a file fails half-way', async () => {
    const root = await modelsRoot();
    const files: Record<string, Uint8Array | string> = { ...MODEL_FILES };
    Object.defineProperty(files, 'calibration.json', {
      enumerable: true,
      get() {
        throw new Error('disk full (simulated)');
      },
    });
    await expect(writeModelVersion(root, 'm', { files, manifest: manifestFields(), now: NOW })).rejects.toThrow('disk full (simulated)');
    expect(await readdir(path.join(root, 'm'))).toEqual([]);
    await expect(latestVersion(root, 'm')).rejects.toBeInstanceOf(ModelNotFoundError);
  });

  it('leaves no version when the writing process is killed mid-write, and a later write succeeds', async () => {
    const root = await modelsRoot();
    const child = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join('test', 'models', 'crash-mid-write.ts'), root], {
      timeout: 60_000,
    });
    const failure = (await child.then(
      () => null,
      (error: unknown) => error,
    )) as { signal?: string; stdout?: string } | null;
    expect(failure?.signal).toBe('SIGKILL');
    expect(failure?.stdout).toBe('dying\n');
    const leftovers = await listTemporaryFolders(root, 'crashy');
    expect(leftovers).toHaveLength(1);
    expect((await readdir(path.join(root, 'crashy', leftovers[0] as string), { recursive: true })).length).toBeGreaterThan(0);
    expect(await listVersions(root, 'crashy')).toEqual([]);
    await expect(readModelVersion(root, 'crashy')).rejects.toBeInstanceOf(ModelNotFoundError);
    const next = await writeModelVersion(root, 'crashy', { files: MODEL_FILES, manifest: manifestFields() });
    expect(await listVersions(root, 'crashy')).toEqual([next.version]);
  });

  it('gives distinct versions to concurrent writes within the same second', async () => {
    const root = await modelsRoot();
    const written = await Promise.all(
      Array.from({ length: 4 }, () => writeModelVersion(root, 'm', { files: MODEL_FILES, manifest: manifestFields(), now: NOW })),
    );
    expect(written.map((w) => w.version).sort()).toEqual(['20261123T101500Z', '20261123T101500Z-2', '20261123T101500Z-3', '20261123T101500Z-4']);
    const later = await writeModelVersion(root, 'm', { files: MODEL_FILES, manifest: manifestFields(), now: NOW });
    expect(later.version).toBe('20261123T101500Z-5');
    for (const { version } of written) expect((await readModelVersion(root, 'm', version)).manifest.version).toBe(version);
    expect(await latestVersion(root, 'm')).toBe('20261123T101500Z-5');
    expect(await listTemporaryFolders(root, 'm')).toEqual([]);
  });

  it('refuses an existing version when one is pinned', async () => {
    const root = await modelsRoot();
    await writeModelVersion(root, 'm', { files: MODEL_FILES, manifest: manifestFields(), version: '20261123T101500Z' });
    await expect(
      writeModelVersion(root, 'm', { files: { 'x.json': '{}' }, manifest: manifestFields(), version: '20261123T101500Z' }),
    ).rejects.toBeInstanceOf(ModelVersionExistsError);
    expect(Object.keys((await readModelVersion(root, 'm')).manifest.files)).not.toContain('x.json');
  });

  it('refuses unsafe or reserved file paths, naming them', async () => {
    const root = await modelsRoot();
    for (const bad of ['../escape.json', '/etc/passwd', 'a//b.json', 'manifest.json', 'report/x.html']) {
      await expect(writeModelVersion(root, 'm', { files: { 'ok.json': '{}', [bad]: '{}' }, manifest: manifestFields() })).rejects.toThrow(
        ModelWriteError,
      );
      await expect(writeModelVersion(root, 'm', { files: { [bad]: '{}' }, manifest: manifestFields() })).rejects.toThrow(JSON.stringify(bad));
    }
    expect(await readdir(path.join(root, 'm'))).toEqual([]);
  });

  it('refuses invalid manifest fields before publishing anything', async () => {
    const root = await modelsRoot();
    await expect(writeModelVersion(root, 'm', { files: MODEL_FILES, manifest: { ...manifestFields(), created_at: 'yesterday' } })).rejects.toThrow(
      /manifest\.json.*created_at/,
    );
    expect(await readdir(path.join(root, 'm'))).toEqual([]);
  });
});

describe('versionIdAt', () => {
  it('formats a UTC time to the second', () => {
    expect(versionIdAt(new Date('2026-01-02T03:04:05.999Z'))).toBe('20260102T030405Z');
  });
});
