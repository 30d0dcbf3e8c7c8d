import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { loadDatasetShard, resolveShardCount, shardCountFor } from '../../data/dataset-shards.js';
import { shardOfAccount } from '../../data/load-dataset.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-shard-');

describe('shardCountFor', () => {
  it('chooses the number of shards from the input size, counting compressed files five times', async () => {
    const files = (await readdir(fixture.dataDir)).filter((f) => f !== 'rings.csv');
    const mib = (await Promise.all(files.map((f) => stat(path.join(fixture.dataDir, f)).then((s) => s.size)))).reduce((a, b) => a + b, 0) / 2 ** 20;
    expect(await shardCountFor(fixture.dataDir, 1024)).toBe(1);
    expect(await shardCountFor(fixture.dataDir, mib / 2.5)).toBe(3);
    const dir = await tempDir();
    const gz = gzipSync(await readFile(path.join(fixture.dataDir, 'accounts.csv')));
    await writeFile(path.join(dir, 'accounts.csv.gz'), gz);
    expect(await shardCountFor(dir, (gz.length * 5) / 2 ** 20 / 1.5)).toBe(2);
  });
});

describe('resolveShardCount', () => {
  it('takes the count asked for, else the one the size calls for, and refuses anything but a positive integer', async () => {
    expect(await resolveShardCount(fixture.dataDir, { shards: 4 })).toBe(4);
    expect(await resolveShardCount(fixture.dataDir, {})).toBe(1);
    await expect(resolveShardCount(fixture.dataDir, { shards: 0 })).rejects.toThrow(/positive integer; got 0/);
    await expect(resolveShardCount(fixture.dataDir, { shards: 1.5 })).rejects.toThrow(/positive integer; got 1.5/);
  });
});

describe('loadDatasetShard', () => {
  it('loads only the accounts of its shard and names the shard in progress details', async () => {
    const details: string[] = [];
    const { dataset, note } = await loadDatasetShard(fixture.dataDir, 1, 3, (e) => details.push(e.detail ?? ''));
    expect(note).toBe(' (shard 2 of 3)');
    expect(dataset.accounts.length).toBeGreaterThan(0);
    expect(dataset.accounts.every((a) => shardOfAccount(a.account_id, 3) === 1)).toBe(true);
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((d) => d.endsWith(' (shard 2 of 3)'))).toBe(true);
    const whole = await loadDatasetShard(fixture.dataDir, 0, 1);
    expect(whole.note).toBe('');
    expect(whole.dataset.accounts.length).toBe(1500);
  });
});
