import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inCanonicalOrder, sortEventsCanonically } from '../../data/event-order.js';
import { loadDataset } from '../../data/load-dataset.js';
import { createSeededRandom } from '../../data/seeded-random.js';
import { type AccountEvents, EVENT_TABLES } from '../../data/tables.js';

const T = Date.UTC(2026, 2, 1, 12);
/** Logins of which several share a timestamp but differ in IP, country or device; plus tied proposals, tests and payouts. */
const ACCOUNT: AccountEvents = {
  account_id: 'A1',
  created_at: T - 86_400_000,
  country: 'DE',
  has_2fa: true,
  logins: [
    { ts: T, ip: '10.0.0.1', country: 'DE', device_id: 'd1' },
    { ts: T, ip: '10.0.0.2', country: 'US', device_id: 'd1' },
    { ts: T, ip: '10.0.0.2', country: 'US', device_id: 'd0' },
    { ts: T, ip: '10.0.0.1', country: 'FR', device_id: 'd1' },
    { ts: T + 60_000, ip: '10.0.0.3', country: 'JP', device_id: 'd2' },
    { ts: T - 60_000, ip: '10.0.0.9', country: 'DE', device_id: 'd1' },
  ],
  proposals: [
    { ts: T, job_id: 'j2', job_posted_at: T - 1000, bid_amount: 10, job_budget: 20, text: 'b' },
    { ts: T, job_id: 'j1', job_posted_at: T - 1000, bid_amount: 10, job_budget: 20, text: 'a' },
    { ts: T, job_id: 'j1', job_posted_at: T - 1000, bid_amount: 5, job_budget: 20, text: 'c' },
  ],
  tests: [
    { test_id: 't2', started_at: T, duration_s: 30, score: 90, typical_duration_s: 600 },
    { test_id: 't1', started_at: T, duration_s: 30, score: 90, typical_duration_s: 600 },
  ],
  payouts: [
    { added_at: T, bank_hash: 'bank-b' },
    { added_at: T, bank_hash: 'bank-a' },
  ],
};

function permuted(account: AccountEvents, seed: number): AccountEvents {
  const random = createSeededRandom(seed);
  return {
    ...account,
    logins: random.shuffle([...account.logins]),
    proposals: random.shuffle([...account.proposals]),
    tests: random.shuffle([...account.tests]),
    payouts: random.shuffle([...account.payouts]),
  };
}

const reversed = (account: AccountEvents): AccountEvents => ({
  ...account,
  logins: [...account.logins].reverse(),
  proposals: [...account.proposals].reverse(),
  tests: [...account.tests].reverse(),
  payouts: [...account.payouts].reverse(),
});

describe('canonical event order', () => {
  it('gives every permutation of the lists the same order, equal timestamps included: by time, then the other columns', () => {
    const canonical = inCanonicalOrder(ACCOUNT);
    expect(canonical.logins.map((l) => [l.ts - T, l.country, l.device_id])).toEqual([
      [-60_000, 'DE', 'd1'],
      [0, 'DE', 'd1'],
      [0, 'FR', 'd1'],
      [0, 'US', 'd0'],
      [0, 'US', 'd1'],
      [60_000, 'JP', 'd2'],
    ]);
    expect(canonical.proposals.map((p) => p.text)).toEqual(['c', 'a', 'b']);
    for (const variant of [reversed(ACCOUNT), ...[1, 2, 3, 4, 5, 6, 7, 8].map((seed) => permuted(ACCOUNT, seed))]) {
      expect(inCanonicalOrder(variant)).toEqual(canonical);
    }
  });

  it('keeps an account exactly when each list is in order by the plain comparator, and sorts as it does (random lists with ties)', () => {
    // the plain definition: by time, then every other column in declared order, each pair of neighbours compared
    const compare = (columns: string[]) => (a: Record<string, unknown>, b: Record<string, unknown>) => {
      for (const column of columns) {
        const [x, y] = [a[column], b[column]];
        if (x !== y) return typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
      }
      return 0;
    };
    const columnsOf = {
      logins: ['ts', 'ip', 'country', 'device_id'],
      proposals: ['ts', 'job_id', 'job_posted_at', 'bid_amount', 'job_budget', 'text'],
      tests: ['started_at', 'test_id', 'duration_s', 'score', 'typical_duration_s'],
      payouts: ['added_at', 'bank_hash'],
    } as const;
    const random = createSeededRandom(77);
    const pick = <T>(values: readonly T[]) => values[random.int(0, values.length - 1)] as T;
    let kept = 0;
    for (let i = 0; i < 3000; i++) {
      // few distinct values, so that ties on the time and on later columns are common; lists often already sorted
      const times = [T, T + 1, T + 60_000];
      const n = () => random.int(0, 6);
      const account: AccountEvents = {
        ...ACCOUNT,
        logins: Array.from({ length: n() }, () => ({
          ts: pick(times),
          ip: pick(['a', 'b']),
          country: pick(['DE', 'US']),
          device_id: pick(['d', 'e']),
        })),
        proposals: Array.from({ length: n() }, () => ({
          ts: pick(times),
          job_id: 'j',
          job_posted_at: T,
          bid_amount: pick([1, 2]),
          job_budget: 5,
          text: pick(['', 'x']),
        })),
        tests: Array.from({ length: n() }, () => ({
          test_id: pick(['t1', 't2']),
          started_at: pick(times),
          duration_s: 1,
          score: pick([0, 100]),
          typical_duration_s: 2,
        })),
        payouts: Array.from({ length: n() }, () => ({ added_at: pick(times), bank_hash: pick(['x', 'y']) })),
      };
      if (random.int(0, 1)) for (const table of EVENT_TABLES) (account[table] as unknown[]).sort(compare([...columnsOf[table]]) as never);
      const inOrder = EVENT_TABLES.every((table) => {
        const list = account[table] as unknown as Record<string, unknown>[];
        return list.every((row, j) => j === 0 || compare([...columnsOf[table]])(list[j - 1] as Record<string, unknown>, row) <= 0);
      });
      const ordered = inCanonicalOrder(account);
      expect(ordered === account).toBe(inOrder);
      if (inOrder) kept++;
      for (const table of EVENT_TABLES) {
        expect(ordered[table]).toEqual([...(account[table] as unknown as Record<string, unknown>[])].sort(compare([...columnsOf[table]])));
      }
    }
    expect(kept).toBeGreaterThan(500);
    expect(kept).toBeLessThan(2500);
  });

  it('never reorders the caller arrays, returns an account already in order as it is, and sorts in place on request', () => {
    const shuffled = permuted(ACCOUNT, 3);
    const logins = [...shuffled.logins];
    const canonical = inCanonicalOrder(shuffled);
    expect(shuffled.logins).toEqual(logins);
    expect(inCanonicalOrder(canonical)).toBe(canonical);
    sortEventsCanonically(shuffled);
    expect(shuffled).toEqual(canonical);
  });
});

describe('loadDataset', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('gives the same accounts from files holding the same rows in any order, equal timestamps included', async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const loaded: (readonly AccountEvents[])[] = [];
    for (const variant of [ACCOUNT, reversed(ACCOUNT), permuted(ACCOUNT, 11), permuted(ACCOUNT, 12)]) {
      const dir = await mkdtemp(path.join(tmpdir(), 'ringfence-event-order-'));
      dirs.push(dir);
      await writeFile(path.join(dir, 'accounts.csv'), `account_id,created_at,country,has_2fa\nA1,${iso(ACCOUNT.created_at)},DE,true\n`);
      await writeFile(
        path.join(dir, 'logins.csv'),
        `account_id,ts,ip,country,device_id\n${variant.logins.map((l) => `A1,${iso(l.ts)},${l.ip},${l.country},${l.device_id}\n`).join('')}`,
      );
      await writeFile(
        path.join(dir, 'proposals.jsonl'),
        variant.proposals.map((p) => `${JSON.stringify({ account_id: 'A1', ...p, ts: iso(p.ts), job_posted_at: iso(p.job_posted_at) })}\n`).join(''),
      );
      loaded.push((await loadDataset(dir)).accounts);
    }
    expect(loaded[0]?.[0]?.logins).toEqual(inCanonicalOrder(ACCOUNT).logins);
    for (const accounts of loaded) expect(accounts).toEqual(loaded[0]);
  });
});
