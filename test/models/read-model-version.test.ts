import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ModelFeatureMismatchError, ModelIntegrityError } from '../../models/manifest.js';
import { readModelVersion } from '../../models/read-model-version.js';
import { listVersions } from '../../models/registry.js';
import { writeModelVersion } from '../../models/write-model-version.js';
import { loadScoringParts } from '../../training/model-files.js';

const fixture = inject('fixtureModel');
const temporary: string[] = [];

async function copyOfFixture(): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-badmodel-'));
  temporary.push(root);
  await cp(path.join(fixture.modelsRoot, fixture.name), path.join(root, fixture.name), { recursive: true });
  return { root, dir: path.join(root, fixture.name, fixture.version) };
}

afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('readModelVersion', () => {
  it('reads the fixture version with every checksum verified', async () => {
    const version = await readModelVersion(fixture.modelsRoot, fixture.name);
    expect(version.manifest.version).toBe(fixture.version);
  });

  it('refuses a flipped byte, naming the file', async () => {
    const { root, dir } = await copyOfFixture();
    const file = path.join(dir, 'autoencoder', 'weights.bin');
    const bytes = await readFile(file);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    await writeFile(file, bytes);
    await expect(readModelVersion(root, fixture.name, fixture.version)).rejects.toThrow(/weights\.bin: checksum mismatch/);
  });

  it('refuses an unknown major format version', async () => {
    const { root, dir } = await copyOfFixture();
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(manifestFile, JSON.stringify({ ...manifest, format_version: '9.0' }));
    await expect(readModelVersion(root, fixture.name, fixture.version)).rejects.toBeInstanceOf(ModelIntegrityError);
    await expect(readModelVersion(root, fixture.name, fixture.version)).rejects.toThrow(/format_version "9.0"/);
  });

  it('refuses a missing file and an unlisted extra file', async () => {
    const { root, dir } = await copyOfFixture();
    await rm(path.join(dir, 'policy.json'));
    await expect(readModelVersion(root, fixture.name, fixture.version)).rejects.toThrow(/policy\.json: is listed in the manifest but missing/);
    const second = await copyOfFixture();
    await writeFile(path.join(second.dir, 'extra.js'), 'console.log(1)');
    await expect(readModelVersion(second.root, fixture.name, fixture.version)).rejects.toThrow(/extra\.js: is not listed/);
  });

  it('refuses a model whose features differ from the code, naming them', async () => {
    const { root, dir } = await copyOfFixture();
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    manifest.features[0].name = 'login_count_renamed';
    await writeFile(manifestFile, JSON.stringify(manifest));
    await expect(loadScoringParts(root, fixture.name, fixture.version)).rejects.toBeInstanceOf(ModelFeatureMismatchError);
    await expect(loadScoringParts(root, fixture.name, fixture.version)).rejects.toThrow(/lacks: login_count; the model has unknown: login_count_renamed/);
  });
});

describe('writeModelVersion', () => {
  it('leaves no version behind when a write fails half-way', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-atomic-'));
    temporary.push(root);
    const manifest = { created_at: new Date().toISOString(), libraries: {}, tfjs_backend: 'cpu', seed: 1, training_data: {}, features: [] };
    await expect(writeModelVersion(root, 'm', { files: { 'a.json': '{}', '../escape.json': '{}' }, manifest })).rejects.toThrow(/not allowed/);
    expect(await listVersions(root, 'm')).toEqual([]);
    const written = await writeModelVersion(root, 'm', { files: { 'a.json': '{}' }, manifest });
    const again = await writeModelVersion(root, 'm', { files: { 'a.json': '{}' }, manifest, now: new Date(Date.parse(`${written.version.slice(0, 4)}-${written.version.slice(4, 6)}-${written.version.slice(6, 8)}T${written.version.slice(9, 11)}:${written.version.slice(11, 13)}:${written.version.slice(13, 15)}Z`)) });
    expect(again.version).not.toBe(written.version);
    expect(await listVersions(root, 'm')).toHaveLength(2);
  });
});
