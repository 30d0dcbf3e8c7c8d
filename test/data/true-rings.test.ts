import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../data/data-errors.js';
import { readTrueRings } from '../../data/true-rings.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const temporaryDir = useTemporaryDirs('ringfence-true-rings-');

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await temporaryDir();
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

async function readError(folder: string, known?: ReadonlySet<string>): Promise<DatasetError> {
  const error = await readTrueRings(folder, known).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

describe('readTrueRings', () => {
  it('groups the members of each ring, in file order, from CSV or JSONL', async () => {
    const csv = await folderWith({ 'rings.csv': 'ring_id,account_id\nR1,A1\nR2,B1\nR1,A2\n' });
    expect(await readTrueRings(csv)).toEqual([
      { ring_id: 'R1', members: ['A1', 'A2'] },
      { ring_id: 'R2', members: ['B1'] },
    ]);
    const jsonl = await folderWith({ 'rings.jsonl': '{"ring_id":"R1","account_id":"A1"}\n{"ring_id":"R1","account_id":"A2"}\n' });
    expect(await readTrueRings(jsonl)).toEqual([{ ring_id: 'R1', members: ['A1', 'A2'] }]);
  });

  it('is null for a folder without true rings (real data)', async () => {
    expect(await readTrueRings(await folderWith({ 'accounts.csv': 'account_id\n' }))).toBeNull();
  });

  it('names the file, line and column of a bad row instead of reading a partial ring', async () => {
    const error = await readError(await folderWith({ 'rings.csv': 'ring_id,account_id\nR1,A1\n,A2\n' }));
    expect(error.message).toMatch(/rings\.csv has 1 bad row/);
    expect(error.message).toMatch(/rings\.csv line 3, column ring_id/);
  });

  it('refuses a header without account_id, an account in two rings and a member that is not an account', async () => {
    await expect(readTrueRings(await folderWith({ 'rings.csv': 'ring_id,member\nR1,A1\n' }))).rejects.toThrow(/missing required column account_id/);
    const twice = await readError(await folderWith({ 'rings.csv': 'ring_id,account_id\nR1,A1\nR2,A1\n' }));
    expect(twice.message).toMatch(/line 3, column account_id: account "A1" is already a member of ring "R1"/);
    const unknown = await readError(await folderWith({ 'rings.csv': 'ring_id,account_id\nR1,A1\nR1,Z9\n' }), new Set(['A1']));
    expect(unknown.message).toMatch(/line 3, column account_id: account "Z9" is not in the accounts table/);
  });

  it('refuses two true-rings files rather than choosing one', async () => {
    const error = await readError(await folderWith({ 'rings.csv': 'ring_id,account_id\n', 'rings.jsonl': '' }));
    expect(error.message).toMatch(/two true-rings files, rings\.csv and rings\.jsonl/);
  });
});
