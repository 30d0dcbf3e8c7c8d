// One contract for every store backend: the same tests against LMDB and Redis.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type KeyValueStore, StoreRefusedError } from '../../stores/key-value-store.js';
import { openStore, STORE_IDENTITY_KEY } from '../../stores/open-store.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { TEST_STORE_IDENTITY } from './store-contract-helpers.js';
import { useTestRedis } from './redis-test-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const temporaryDir = useTemporaryDirs('ringfence-store-');
const redisUrl = useTestRedis();
const WRITES_EACH = 60;

const backends: [string, () => Promise<string>][] = [
  ['lmdb', async () => path.join(await temporaryDir(), 'store')],
  ['redis', redisUrl],
];

/** Runs the writer child process; resolves with its output when it exits. */
function runWriter(location: string, name: string, count: number, pauseMs = 0, onLine?: (line: string, kill: () => void) => void) {
  const args = ['--import', 'tsx', path.join(here, 'store-writer.ts'), location, name, String(count), ...(pauseMs ? [String(pauseMs)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) onLine?.(line, () => child.kill('SIGKILL'));
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, output })),
  );
}

async function readWholeLog(store: KeyValueStore, log: string): Promise<string[]> {
  const values: string[] = [];
  for (let after: string | null = null; ;) {
    const entries = await store.readLog(log, after, 7);
    if (entries.length === 0) return values;
    values.push(...entries.map((e) => e.value));
    after = (entries.at(-1) as { id: string }).id;
  }
}

describe.each(backends)('%s store', (_backend, newLocation) => {
  it('keeps puts and deletes, reads many, scans by prefix, and appends to logs in order', async () => {
    const store = await openStore(await newLocation(), TEST_STORE_IDENTITY);
    await store.write([
      { op: 'put', key: 'a:1', value: 'one' },
      { op: 'put', key: 'a:2', value: 'two' },
      { op: 'put', key: 'b:1', value: 'other' },
      { op: 'append', log: 'events', value: 'first' },
      { op: 'append', log: 'events', value: 'second' },
    ]);
    await store.write([
      { op: 'delete', key: 'a:2' },
      { op: 'append', log: 'events', value: 'third' },
    ]);
    expect(await store.get('a:1')).toBe('one');
    expect(await store.get('a:2')).toBeUndefined();
    expect(await store.getMany(['b:1', 'missing', 'a:1'])).toEqual(['other', undefined, 'one']);
    const scanned: [string, string][] = [];
    for await (const entry of store.scan('a:')) scanned.push(entry);
    expect(scanned).toEqual([['a:1', 'one']]);
    const firstTwo = await store.readLog('events', null, 2);
    expect(firstTwo.map((e) => e.value)).toEqual(['first', 'second']);
    expect((await store.readLog('events', (firstTwo[1] as { id: string }).id, 10)).map((e) => e.value)).toEqual(['third']);
    expect(await store.readLog('no-such-log', null, 10)).toEqual([]);
    await store.close();
  });

  it('resolves a write to the ids its appends got, as readLog lists them, and lists the same ids without values where it can', async () => {
    const store = await openStore(await newLocation(), TEST_STORE_IDENTITY);
    const first = await store.write([
      { op: 'append', log: 'events', value: 'e1' },
      { op: 'put', key: 'x', value: 'y' },
      { op: 'append', log: 'other', value: 'o1' },
      { op: 'append', log: 'events', value: 'e2' },
    ]);
    const second = await store.write([{ op: 'append', log: 'events', value: 'e3' }]);
    expect(await store.write([{ op: 'put', key: 'x', value: 'z' }])).toEqual([]);
    const events = await store.readLog('events', null, 10);
    const other = await store.readLog('other', null, 10);
    expect([...first, ...second]).toEqual([events[0]?.id, other[0]?.id, events[1]?.id, events[2]?.id]);
    if (store.logIdsAfter) {
      for (const [after, limit] of [
        [null, 10],
        [null, 2],
        [events[0]?.id, 10],
        [events[0]?.id, 1],
        [events[2]?.id, 10],
      ] as const) {
        const read = (await store.readLog('events', after ?? null, limit)).map((e) => e.id);
        expect(await store.logIdsAfter('events', after ?? null, limit)).toEqual(read);
      }
      expect(await store.logIdsAfter('no-such-log', null, 10)).toEqual([]);
    }
    if (store.logIdsThrough) {
      const ids = events.map((e) => e.id);
      expect(store.logIdsThrough(null, ids[1] as string, 10)).toEqual(ids.slice(0, 2));
      expect(store.logIdsThrough(ids[0] as string, ids[2] as string, 10)).toEqual(ids.slice(1, 3));
      expect(store.logIdsThrough(null, ids[2] as string, 2)).toEqual(ids.slice(0, 2));
      expect(store.logIdsThrough(ids[2] as string, ids[1] as string, 10)).toEqual([]);
    }
    await store.close();
  });

  // Writers start at staggered times, so some open and close the store while others are writing: with lmdb-js's
  // default overlappingSync this lost transactions or failed a commit with MDB_BAD_TXN (mdb_page_touch) in about 1 run
  // in 5 on a loaded machine (see stores/lmdb-store.ts). The retry stays because that cause is not proven.
  it('serialises concurrent writers: processes updating one counter lose no update and no log entry', { retry: 2 }, async () => {
    const location = await newLocation();
    await (await openStore(location, TEST_STORE_IDENTITY)).close();
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    const runs = await Promise.all(names.map((name, i) => sleep(i * 250).then(() => runWriter(location, name, WRITES_EACH))));
    for (const run of runs) expect(run.code, run.output).toBe(0);
    const store = await openStore(location, TEST_STORE_IDENTITY);
    // in-process writers too, on one store object (Redis runs their WATCH one at a time)
    await Promise.all(
      Array.from({ length: 30 }, () => store.update(['counter'], ([v]) => [{ op: 'put', key: 'counter', value: String(Number(v ?? 0) + 1) }])),
    );
    expect(await store.get('counter')).toBe(String(names.length * WRITES_EACH + 30));
    const log = await readWholeLog(store, 'items');
    expect(log).toHaveLength(names.length * WRITES_EACH);
    for (const name of names) {
      const own = log.filter((v) => v.startsWith(`${name}-`));
      expect(own).toEqual(Array.from({ length: WRITES_EACH }, (_, i) => `${name}-${i}`));
    }
    await store.close();
  });

  it('keeps everything across a restart (close and open again)', async () => {
    const location = await newLocation();
    const first = await openStore(location, TEST_STORE_IDENTITY);
    await first.write([
      { op: 'put', key: 'k', value: 'v' },
      { op: 'append', log: 'l', value: 'e1' },
    ]);
    await first.close();
    const second = await openStore(location, TEST_STORE_IDENTITY);
    expect(await second.get('k')).toBe('v');
    expect(await readWholeLog(second, 'l')).toEqual(['e1']);
    await second.close();
  });

  it('loses at most the transaction under way when its writer is killed with SIGKILL', async () => {
    const location = await newLocation();
    (await openStore(location, TEST_STORE_IDENTITY)).close();
    let acknowledged = 0;
    const run = await runWriter(location, 'k', 100_000, 0, (line, kill) => {
      acknowledged = Number(line.slice('wrote '.length));
      if (acknowledged === 50) kill();
    });
    expect(run.signal).toBe('SIGKILL');
    const store = await openStore(location, TEST_STORE_IDENTITY);
    const counter = Number(await store.get('counter'));
    const log = await readWholeLog(store, 'items');
    // every acknowledged write is there, and at most the ones under way after it; each one whole
    expect(counter).toBeGreaterThanOrEqual(50);
    expect(log).toEqual(Array.from({ length: counter }, (_, i) => `k-${i}`));
    for (let i = 0; i < counter; i++) expect(await store.get(`item:k:${i}`)).toBe(`k-${i}`);
    expect(await store.get(`item:k:${counter}`)).toBeUndefined();
    await store.close();
  });

  it('refuses a store of another secret, kind or format with the reason, and leaves it as it was', async () => {
    const location = await newLocation();
    const store = await openStore(location, TEST_STORE_IDENTITY);
    await store.write([{ op: 'put', key: 'kept', value: 'yes' }]);
    await store.close();
    await expect(openStore(location, { ...TEST_STORE_IDENTITY, secret_fingerprint: 'fp-other' })).rejects.toThrow(
      /secret of fingerprint fp-test-1, and this deployment's secret has fingerprint fp-other/,
    );
    if (_backend === 'lmdb')
      await expect(openStore(location, { ...TEST_STORE_IDENTITY, kind: 'decision-store' })).rejects.toThrow(
        /it is a test-store, not a decision-store/,
      );
    await expect(openStore(location, { ...TEST_STORE_IDENTITY, format_version: 2 })).rejects.toThrow(
      /format 1 and this version of ringfence reads format 2/,
    );
    const again = await openStore(location, TEST_STORE_IDENTITY);
    expect(await again.get('kept')).toBe('yes');
    await again.close();
  });

  it('refuses a store whose identity record is damaged, or that holds data without one', async () => {
    const location = await newLocation();
    const store = await openStore(location, TEST_STORE_IDENTITY);
    await store.write([
      { op: 'put', key: STORE_IDENTITY_KEY, value: '{"kind": broken' },
      { op: 'put', key: 'data', value: 'x' },
    ]);
    await store.close();
    const refusal = await openStore(location, TEST_STORE_IDENTITY).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(StoreRefusedError);
    expect((refusal as Error).message).toMatch(/identity record is unreadable; expected test-store format 1/);
    const raw = await openStore(location, TEST_STORE_IDENTITY).catch(() => null);
    expect(raw).toBeNull();
  });
});

describe('lmdb store files', () => {
  it('refuses a damaged data file and a directory of other files, naming the location', async () => {
    const damaged = path.join(await temporaryDir(), 'store');
    await mkdir(damaged);
    await writeFile(path.join(damaged, 'data.mdb'), Buffer.alloc(64 * 1024, 7));
    await expect(openStore(damaged, TEST_STORE_IDENTITY)).rejects.toThrow(`store ${damaged} refused: its data.mdb is not an LMDB file`);
    // a store whose file was cut short
    const cut = path.join(await temporaryDir(), 'store');
    await (await openStore(cut, TEST_STORE_IDENTITY)).close();
    await writeFile(path.join(cut, 'data.mdb'), (await readFile(path.join(cut, 'data.mdb'))).subarray(0, 20));
    await expect(openStore(cut, TEST_STORE_IDENTITY)).rejects.toThrow(`store ${cut} refused: its data.mdb is not an LMDB file`);
    const other = await temporaryDir();
    await writeFile(path.join(other, 'notes.txt'), 'mine');
    await expect(openStore(other, TEST_STORE_IDENTITY)).rejects.toThrow(/holds other files \(notes.txt\) and no store/);
  });
});
