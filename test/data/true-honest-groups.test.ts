import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../data/data-errors.js';
import { readTrueHonestGroups } from '../../data/true-honest-groups.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const temporaryDir = useTemporaryDirs('ringfence-honest-groups-');

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await temporaryDir();
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

const HEADER = 'group_id,kind,variant,account_id\n';

describe('readTrueHonestGroups', () => {
  it('groups members by group; an account may be in several groups; variant is optional', async () => {
    const dir = await folderWith({
      'honest_groups.csv': `${HEADER}AG1,agency,new,A1\nHH1,household,,A2\nAG1,agency,new,A2\nNW-mobile_nat-US-0,shared_network,mobile_nat,A1\n`,
    });
    expect(await readTrueHonestGroups(dir)).toEqual([
      { group_id: 'AG1', kind: 'agency', variant: 'new', members: ['A1', 'A2'] },
      { group_id: 'HH1', kind: 'household', variant: '', members: ['A2'] },
      { group_id: 'NW-mobile_nat-US-0', kind: 'shared_network', variant: 'mobile_nat', members: ['A1'] },
    ]);
  });

  it('is null without the file', async () => {
    expect(await readTrueHonestGroups(await folderWith({ 'accounts.csv': 'account_id\n' }))).toBeNull();
  });

  it('refuses a group with two kinds, an unknown account and a missing column, naming file, line and column', async () => {
    const twoKinds = await folderWith({ 'honest_groups.csv': `${HEADER}G1,agency,,A1\nG1,household,,A2\n` });
    await expect(readTrueHonestGroups(twoKinds)).rejects.toThrow(
      /honest_groups\.csv line 3, column kind: group "G1" was of kind "agency" on an earlier line/,
    );
    const unknown = await folderWith({ 'honest_groups.csv': `${HEADER}G1,agency,,A1\nG1,agency,,Z9\n` });
    const error = await readTrueHonestGroups(unknown, new Set(['A1'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(/honest_groups\.csv has 1 bad row; the true honest groups were not read/);
    expect((error as Error).message).toMatch(/line 3, column account_id: account "Z9" is not in the accounts table/);
    await expect(readTrueHonestGroups(await folderWith({ 'honest_groups.csv': 'group_id,account_id\nG1,A1\n' }))).rejects.toThrow(
      /missing required column kind/,
    );
  });
});
