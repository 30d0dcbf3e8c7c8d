import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareVersionIds,
  latestVersion,
  listModelNames,
  listVersionManifests,
  listVersions,
  ModelNotFoundError,
  resolveVersion,
} from '../../models/registry.js';
import { writeModelVersion } from '../../models/write-model-version.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { manifestFields, MODEL_FILES } from './model-store-helpers.js';

const modelsRoot = useTemporaryDirs('ringfence-registry-');

const write = (root: string, name: string, iso: string) =>
  writeModelVersion(root, name, { files: MODEL_FILES, manifest: manifestFields(), now: new Date(iso) });
const readLatest = async (root: string, name: string) => (await readFile(path.join(root, name, 'LATEST'), 'utf8')).trim();

describe('compareVersionIds', () => {
  it('orders by time, then by collision suffix numerically', () => {
    const ids = ['20261123T101500Z-10', '20261124T000000Z', '20261123T101500Z-2', '20261123T101500Z', 'hand-named'];
    expect([...ids].sort(compareVersionIds)).toEqual([
      'hand-named',
      '20261123T101500Z',
      '20261123T101500Z-2',
      '20261123T101500Z-10',
      '20261124T000000Z',
    ]);
  });
});

describe('listVersions / listModelNames / listVersionManifests', () => {
  it('lists complete versions oldest first and skips temporary and incomplete folders', async () => {
    const root = await modelsRoot();
    await write(root, 'b', '2026-11-24T08:00:00Z');
    await write(root, 'b', '2026-11-23T08:00:00Z');
    await mkdir(path.join(root, 'b', '.tmp-20261125T000000Z-999'), { recursive: true });
    await writeFile(path.join(root, 'b', '.tmp-20261125T000000Z-999', 'manifest.json'), '{}');
    await mkdir(path.join(root, 'b', '20261126T000000Z'));
    await mkdir(path.join(root, 'empty-model'));
    await write(root, 'a', '2026-11-23T08:00:00Z');
    expect(await listVersions(root, 'b')).toEqual(['20261123T080000Z', '20261124T080000Z']);
    expect(await listModelNames(root)).toEqual(['a', 'b']);
    expect(await listVersions(root, 'unknown')).toEqual([]);
    const listing = await listVersionManifests(root, 'b');
    expect(listing.map((l) => [l.version, l.manifest?.version])).toEqual([
      ['20261123T080000Z', '20261123T080000Z'],
      ['20261124T080000Z', '20261124T080000Z'],
    ]);
  });

  it('gives a null manifest for an unreadable one instead of failing the listing', async () => {
    const root = await modelsRoot();
    const { dir } = await write(root, 'm', '2026-11-23T08:00:00Z');
    await writeFile(path.join(dir, 'manifest.json'), 'not json');
    expect(await listVersionManifests(root, 'm')).toEqual([{ version: '20261123T080000Z', manifest: null }]);
  });
});

describe('latestVersion', () => {
  it('rebuilds a stale LATEST that lags behind the newest version', async () => {
    const root = await modelsRoot();
    await write(root, 'm', '2026-11-23T08:00:00Z');
    await write(root, 'm', '2026-11-24T08:00:00Z');
    // a writer killed between its rename and the pointer update leaves LATEST on the older version
    await writeFile(path.join(root, 'm', 'LATEST'), '20261123T080000Z\n');
    expect(await latestVersion(root, 'm')).toBe('20261124T080000Z');
    expect(await readLatest(root, 'm')).toBe('20261124T080000Z');
  });

  it('rebuilds a missing LATEST or one naming a deleted version', async () => {
    const root = await modelsRoot();
    const first = await write(root, 'm', '2026-11-23T08:00:00Z');
    const second = await write(root, 'm', '2026-11-24T08:00:00Z');
    await rm(path.join(root, 'm', 'LATEST'));
    expect(await latestVersion(root, 'm')).toBe(second.version);
    expect(await readLatest(root, 'm')).toBe(second.version);
    await rm(second.dir, { recursive: true });
    expect(await resolveVersion(root, 'm')).toBe(first.version);
    expect(await readLatest(root, 'm')).toBe(first.version);
  });

  it('refuses a model with no complete version', async () => {
    const root = await modelsRoot();
    await expect(latestVersion(root, 'none')).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(latestVersion(root, 'none')).rejects.toThrow(/no trained versions of model "none"/);
  });
});
