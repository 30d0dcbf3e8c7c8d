import { appendFile, cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readManifestOf } from '../../models/registry.js';
import { trainingDataDifferences } from '../../models/training-data-check.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-data-check-');

describe('trainingDataDifferences', () => {
  it('finds none for the folder the model was trained on, wherever that folder is copied', async () => {
    const manifest = (await readManifestOf(fixture.modelsRoot, fixture.name, fixture.version))!;
    expect(await trainingDataDifferences(manifest, fixture.dataDir)).toEqual([]);
    const copy = path.join(await tempDir(), 'moved');
    await cp(fixture.dataDir, copy, { recursive: true });
    expect(await trainingDataDifferences(manifest, copy)).toEqual([]);
  });

  it('names each table that changed or is missing', async () => {
    const manifest = (await readManifestOf(fixture.modelsRoot, fixture.name, fixture.version))!;
    const copy = path.join(await tempDir(), 'edited');
    await cp(fixture.dataDir, copy, { recursive: true });
    await appendFile(path.join(copy, 'logins.csv'), '');
    await appendFile(path.join(copy, 'proposals.csv'), 'x');
    await rm(path.join(copy, 'payouts.csv'));
    const differences = await trainingDataDifferences(manifest, copy);
    expect(differences.map((d) => [d.table, path.basename(d.file)])).toEqual([
      ['proposals', 'proposals.csv'],
      ['payouts', 'payouts.csv'],
    ]);
    expect(differences[0]?.reason).toMatch(/^differs \(trained on \d+ bytes, sha256 [0-9a-f]{12}…; here \d+ bytes, sha256 [0-9a-f]{12}…\)$/);
    expect(differences[1]?.reason).toBe('is missing');
  });

  it('says so when the manifest records no checksums of its data', async () => {
    expect(await trainingDataDifferences({ training_data: { folder: '/x' } }, '/x')).toEqual([
      { table: '(manifest)', file: '/x', reason: 'the manifest records no checksums of its training data' },
    ]);
  });
});
