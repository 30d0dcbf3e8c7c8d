// Issue 21 finding 9 (timestamps): a time outside 2000-01-01 .. one day after now is refused, naming where it is.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../data/data-errors.js';
import { loadDataset } from '../../data/load-dataset.js';
import { WINDOW_END_MS, WINDOW_START_MS } from '../../data/synthetic/marketplace-world.js';
import { AccountEventsSchema, EARLIEST_PLAUSIBLE_TIME, FUTURE_TOLERANCE_MS, isPlausibleTime } from '../../data/tables.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ringfence-time-window-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
const ACCOUNTS = 'account_id,created_at,country,has_2fa\nA1,2026-01-01T00:00:00Z,DE,true\n';
const login = (ts: string) => `A1,${ts},10.0.0.1,DE,d1\n`;

describe('the plausible time window', () => {
  it('runs from 2000-01-01 to one day after now, and holds the synthetic marketplace', () => {
    expect(isPlausibleTime(Date.UTC(2000, 0, 1))).toBe(true);
    expect(isPlausibleTime(Date.UTC(2000, 0, 1) - 1)).toBe(false);
    expect(isPlausibleTime(Date.now() + FUTURE_TOLERANCE_MS - 60_000)).toBe(true);
    expect(isPlausibleTime(Date.now() + FUTURE_TOLERANCE_MS + 60_000)).toBe(false);
    // the generator's fixed calendar lies inside it (on any machine whose clock is past its end)
    expect(WINDOW_START_MS).toBeGreaterThan(EARLIEST_PLAUSIBLE_TIME);
    expect(isPlausibleTime(WINDOW_END_MS)).toBe(true);
  });

  it('refuses in a CSV file years 0000 and 9999, 1999 and two days ahead, naming file, line and column', async () => {
    const tooLate = iso(Date.now() + 2 * FUTURE_TOLERANCE_MS);
    const dir = await folderWith({
      'accounts.csv': ACCOUNTS,
      'logins.csv': `account_id,ts,ip,country,device_id\n${login('2026-02-01T00:00:00Z')}${login('9999-12-31T23:59:59Z')}${login('0000-01-01T00:00:00Z')}${login('1999-12-31T23:59:59Z')}${login(tooLate)}${login(iso(Date.now() + FUTURE_TOLERANCE_MS / 2))}`,
    });
    const error = await loadDataset(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).errors).toHaveLength(4);
    for (const [line, value] of [
      [3, '9999-12-31T23:59:59Z'],
      [4, '0000-01-01T00:00:00Z'],
      [5, '1999-12-31T23:59:59Z'],
      [6, tooLate],
    ] as const) {
      expect((error as Error).message).toContain(
        `logins.csv line ${line}, column ts: "${value}" is outside the plausible window from 2000-01-01 to one day after now`,
      );
    }
  });

  it('refuses the same in JSONL and in the accounts table', async () => {
    const dir = await folderWith({
      'accounts.jsonl': `${JSON.stringify({ account_id: 'A1', created_at: '9999-01-01T00:00:00Z', country: 'DE', has_2fa: true })}\n`,
    });
    await expect(loadDataset(dir)).rejects.toThrow(
      /accounts\.jsonl line 1, column created_at: "9999-01-01T00:00:00Z" is outside the plausible window/,
    );
  });

  it('refuses it in a predict record, naming the field', () => {
    const result = AccountEventsSchema.safeParse({
      account_id: 'A1',
      created_at: '0000-01-01T00:00:00Z',
      country: 'DE',
      has_2fa: true,
      logins: [{ ts: '9999-12-31T00:00:00Z', ip: 'i', country: 'DE', device_id: 'd' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['created_at', expect.stringMatching(/^0000-01-01T00:00:00Z is outside the plausible window from 2000-01-01/)],
      ['logins.0.ts', expect.stringMatching(/^9999-12-31T00:00:00Z is outside the plausible window/)],
    ]);
  });
});
