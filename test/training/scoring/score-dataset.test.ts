import { appendFile, cp, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { DataFileError, DatasetError } from '../../../data/data-errors.js';
import { loadDataset, shardOfAccount } from '../../../data/load-dataset.js';
import { loadScoringParts } from '../../../training/model-files.js';
import { type LiveAssessment, LiveAssessmentSchema } from '../../../training/identity/live-assessment.js';
import { scoreDataset } from '../../../training/scoring/score-dataset.js';
import { useTemporaryDirs } from '../../temporary-dirs.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-score-');
const jsonLine = (a: LiveAssessment) => `${JSON.stringify(a)}\n`;
const csvLine = (a: LiveAssessment) => `${a.account_id},${a.risk_score},${a.action}\n`;

describe('scoreDataset', () => {
  it('writes, in shards, byte for byte what one pass writes, in the order of the accounts file', async () => {
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const dir = await tempDir();
    const whole = await scoreDataset(fixture.dataDir, parts, path.join(dir, 'one.jsonl'), {
      formatLine: jsonLine,
      shards: 1,
    });
    const sharded = await scoreDataset(fixture.dataDir, parts, path.join(dir, 'four.jsonl'), {
      formatLine: jsonLine,
      shards: 4,
    });
    expect(sharded.shards).toBe(4);
    expect(sharded.accounts).toBe(whole.accounts);
    expect(sharded.actions).toEqual(whole.actions);
    const text = await readFile(path.join(dir, 'four.jsonl'), 'utf8');
    expect(text).toBe(await readFile(path.join(dir, 'one.jsonl'), 'utf8'));
    const accounts = (await loadDataset(fixture.dataDir)).accounts;
    const written = text
      .trim()
      .split('\n')
      .map((line) => LiveAssessmentSchema.parse(JSON.parse(line)));
    expect(written.map((a) => a.account_id)).toEqual(accounts.map((a) => a.account_id));
    // the groups among the scored accounts do not depend on the shards either, and ring_id names the ring of each member
    expect(sharded.groups).toEqual(whole.groups);
    const rings = whole.groups.filter((g) => g.is_ring);
    expect(rings.length).toBeGreaterThan(0);
    const ringOf = new Map(rings.flatMap((g) => g.ring.members.map((m) => [m, g.ring.ring_id] as const)));
    for (const a of written) expect(a.ring_id).toBe(ringOf.get(a.account_id) ?? null);
    expect((await readdir(dir)).sort()).toEqual(['four.jsonl', 'one.jsonl']);
  });

  it('puts the header first and keeps it out of the shard merge', async () => {
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const dir = await tempDir();
    await scoreDataset(fixture.dataDir, parts, path.join(dir, 'one.csv'), {
      header: 'account_id,risk_score,action\n',
      formatLine: csvLine,
      shards: 1,
    });
    await scoreDataset(fixture.dataDir, parts, path.join(dir, 'three.csv'), {
      header: 'account_id,risk_score,action\n',
      formatLine: csvLine,
      shards: 3,
    });
    const text = await readFile(path.join(dir, 'three.csv'), 'utf8');
    expect(text).toBe(await readFile(path.join(dir, 'one.csv'), 'utf8'));
    expect(text.split('\n')[0]).toBe('account_id,risk_score,action');
    expect(text.trim().split('\n')).toHaveLength(1501);
  });

  it('stops at a bad row in a later shard, names it, and leaves no output or shard file behind', async () => {
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const data = await tempDir();
    await cp(fixture.dataDir, data, { recursive: true });
    const files = await readdir(data);
    const logins = files.find((f) => f.startsWith('logins'))!;
    // an account of the last shard, so that the earlier shards have written their runs when the load fails
    const ids = (await loadDataset(fixture.dataDir)).accounts.map((a) => a.account_id);
    const lastShardAccount = ids.find((id) => shardOfAccount(id, 5) === 4)!;
    const header = (await readFile(path.join(data, logins), 'utf8')).split('\n')[0]!.split(',');
    await appendFile(
      path.join(data, logins),
      `${header.map((column) => (column === 'account_id' ? lastShardAccount : column === 'ts' ? 'not-a-time' : '')).join(',')}\n`,
    );
    const out = await tempDir();
    const lineCount = (await readFile(path.join(data, logins), 'utf8')).trim().split('\n').length;
    const error = (await scoreDataset(data, parts, path.join(out, 'scores.jsonl'), { formatLine: jsonLine, shards: 5 }).catch(
      (e: unknown) => e,
    )) as DatasetError;
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.errors[0]).toBeInstanceOf(DataFileError);
    expect(error.errors[0]).toMatchObject({ line: lineCount, column: 'ts' });
    expect(error.message).toContain(logins);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a folder without accounts and leaves nothing behind', async () => {
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const out = await tempDir();
    await expect(scoreDataset(await tempDir(), parts, path.join(out, 'scores.csv'), { formatLine: csvLine, shards: 2 })).rejects.toBeInstanceOf(
      DatasetError,
    );
    expect(await readdir(out)).toEqual([]);
  });
});
