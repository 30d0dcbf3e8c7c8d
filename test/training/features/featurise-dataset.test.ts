import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DatasetError } from '../../../data/data-errors.js';
import type { Dataset } from '../../../data/dataset.js';
import { loadDataset, mergeShardSummaries, shardOfAccount } from '../../../data/load-dataset.js';
import { computeAccountFeatures } from '../../../training/features/account-features.js';
import { featuriseDataset } from '../../../training/features/featurise-dataset.js';
import { buildIdentityIndex } from '../../../training/identity/identity-graph.js';
import { IdentityConfigSchema } from '../../../training/identity/identity-index.js';

const fixture = inject('fixtureModel');
const identity = IdentityConfigSchema.parse({});
const hashKey = 'shard-test';

describe('loadDataset with accountShard', () => {
  let whole: Dataset;
  let shards: Dataset[];
  beforeAll(async () => {
    whole = await loadDataset(fixture.dataDir);
    shards = await Promise.all([0, 1, 2].map((index) => loadDataset(fixture.dataDir, { accountShard: { index, count: 3 } })));
  });

  it('splits the accounts, their events and labels between the shards, each exactly once', () => {
    const byId = new Map(whole.accounts.map((a) => [a.account_id, a]));
    const seen = new Set<string>();
    shards.forEach((shard, index) => {
      expect(shard.accounts.length).toBeGreaterThan(0);
      for (const account of shard.accounts) {
        expect(shardOfAccount(account.account_id, 3)).toBe(index);
        expect(seen.has(account.account_id)).toBe(false);
        seen.add(account.account_id);
        expect(account).toEqual(byId.get(account.account_id));
        expect(shard.labels?.get(account.account_id)).toEqual(whole.labels?.get(account.account_id));
      }
      expect(shard.labels?.size).toBe(shard.accounts.length);
    });
    expect(seen.size).toBe(whole.accounts.length);
  });

  it('gives summaries that merge into the summary of the whole load', () => {
    const merged = mergeShardSummaries(shards.map((s) => s.summary));
    const { warnings, ...rest } = merged;
    const { warnings: wholeWarnings, ...wholeRest } = whole.summary;
    expect(rest).toEqual(wholeRest);
    expect(warnings.map((w) => [w.code, w.table, w.count])).toEqual(expect.arrayContaining(wholeWarnings.map((w) => [w.code, w.table, w.count])));
    expect(warnings).toHaveLength(wholeWarnings.length);
  });

  it('still refuses an event of an unknown account, in the pass of its shard', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-shard-'));
    try {
      await cp(fixture.dataDir, dir, { recursive: true });
      await writeFile(path.join(dir, 'payouts.csv'), 'account_id,added_at,bank_hash\nNOBODY,2026-01-01T00:00:00Z,b1\n');
      const shard = shardOfAccount('NOBODY', 3);
      await expect(loadDataset(dir, { accountShard: { index: (shard + 1) % 3, count: 3 } })).resolves.toBeDefined();
      const error = await loadDataset(dir, { accountShard: { index: shard, count: 3 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).errors[0]).toMatchObject({ line: 2, column: 'account_id' });
      await expect(featuriseDataset(dir, { identity, hashKey, shards: 3 })).rejects.toThrow(/payouts\.csv has 1 bad row/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('splits JSONL tables the same way', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-shard-'));
    try {
      const ids = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];
      await writeFile(
        path.join(dir, 'accounts.csv'),
        `account_id,created_at,country,has_2fa\n${ids.map((id) => `${id},2026-01-01T00:00:00Z,DE,true`).join('\n')}\n`,
      );
      await writeFile(
        path.join(dir, 'logins.jsonl'),
        ids
          .map((id, i) =>
            JSON.stringify({ account_id: id, ts: `2026-01-0${2 + (i % 7)}T00:00:00Z`, ip: `10.0.0.${i}`, country: 'DE', device_id: `d${i}` }),
          )
          .join('\n'),
      );
      const full = await loadDataset(dir);
      const parts = await Promise.all([0, 1, 2].map((index) => loadDataset(dir, { accountShard: { index, count: 3 } })));
      const merged = parts.flatMap((p) => p.accounts.map((a, i) => ({ a, line: p.accountLines[i] as number }))).sort((x, y) => x.line - y.line);
      expect(merged.map((m) => m.a)).toEqual(full.accounts);
      expect(parts.map((p) => p.summary.tables['logins']?.rows).reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(ids.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a shard index outside 0..count-1', async () => {
    await expect(loadDataset(fixture.dataDir, { accountShard: { index: 3, count: 3 } })).rejects.toThrow(RangeError);
    await expect(loadDataset(fixture.dataDir, { accountShard: { index: 0, count: 0 } })).rejects.toThrow(RangeError);
  });
});

describe('featuriseDataset', () => {
  it('computes, in any number of shards, what computeAccountFeatures computes for each account of the whole load, in file order', async () => {
    // Arrange
    const whole = await loadDataset(fixture.dataDir);
    const index = buildIdentityIndex(whole.accounts, { config: identity, hashKey });
    const referenceTime = Date.parse(whole.summary.time_range.to as string);
    const expected = whole.accounts.map((a) => computeAccountFeatures(a, { referenceTime, identityIndex: index }));
    // Act
    const [one, four] = await Promise.all([
      featuriseDataset(fixture.dataDir, { identity, hashKey, shards: 1 }),
      featuriseDataset(fixture.dataDir, { identity, hashKey, shards: 4 }),
    ]);
    // Assert
    for (const result of [one, four]) {
      expect(result.accountIds).toEqual(whole.accounts.map((a) => a.account_id));
      expect(result.referenceTime).toBe(referenceTime);
      expect(result.features.map((f) => Array.from(f.values))).toEqual(expected.map((f) => Array.from(f.values)));
      expect(result.features.map((f) => f.linkEvidence.ringIds)).toEqual(expected.map((f) => f.linkEvidence.ringIds));
      expect([...result.identityIndex.rings.values()]).toEqual([...index.rings.values()]);
      expect(result.labels?.size).toBe(whole.labels?.size);
    }
    expect(four.shards).toBe(4);
    expect(four.summary.accounts).toBe(whole.accounts.length);
  });
});
