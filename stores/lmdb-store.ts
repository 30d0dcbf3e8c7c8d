// The embedded backend: one LMDB environment in a directory, shared by every process on the machine that opens it.
//
// LMDB serialises write transactions across processes with its own lock, so `update` reads and writes inside one
// write transaction and never has to retry. A log is a counter key plus one key per entry with a zero-padded number.
//
// overlappingSync is off (lmdb-js turns it on by default on Linux). With it, a commit is acknowledged before it is
// flushed, and the flush bookkeeping is kept per process, not per environment; while several processes wrote one store
// (writers opening and closing at random times, on a loaded machine) a writer failed its commit with MDB_BAD_TXN
// (mdb_page_touch) or lost a transaction in 4 runs of 20, and in none of 30 without it. On a quiet machine neither
// setting failed in 30 runs, so the cause is not proven; flushing before acknowledging costs no measurable time here
// (2,000 awaited updates: 7.4-12.1 s with it, 8.3-10.0 s without, fsync-bound either way).
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { type KeyValueStore, type LogEntry, type StoreWrite, StoreRefusedError } from './key-value-store.js';

const VALUE = 'k:';
const LOG = 'l:';
const COUNTER = 'c:';
const SEQ_DIGITS = 15;
// a 64-bit address space reserves this without using it; the file grows with the data
const MAP_SIZE = 64 * 1024 ** 3;

const seqKey = (log: string, seq: number) => `${LOG}${log}:${String(seq).padStart(SEQ_DIGITS, '0')}`;

/** The files an LMDB environment keeps in its directory. */
const LMDB_FILES = new Set(['data.mdb', 'lock.mdb']);

function refuseForeignDirectory(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new StoreRefusedError(dir, 'it is a file, not a store directory');
  const entries = readdirSync(dir);
  const foreign = entries.filter((name) => !LMDB_FILES.has(name));
  if (foreign.length > 0 && !entries.includes('data.mdb')) {
    throw new StoreRefusedError(
      dir,
      `the directory holds other files (${foreign.slice(0, 3).join(', ')}) and no store; give an empty or new directory`,
    );
  }
}

// lmdb-js's environment starts with a meta page: the magic number and data version after a 24-byte page header.
// LMDB trusts its file; a damaged one can crash the process at open, so the header is checked before.
const META_MAGIC = 0xbeefc0de;
const META_VERSION = 2;
const META_AT = 24;

function refuseDamagedDataFile(dir: string): void {
  const file = path.join(dir, 'data.mdb');
  if (!existsSync(file)) return;
  const header = Buffer.alloc(META_AT + 8);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < header.length || header.readUInt32LE(META_AT) !== META_MAGIC) {
    throw new StoreRefusedError(dir, 'its data.mdb is not an LMDB file (damaged or something else); move it away to start an empty store');
  }
  if (header.readUInt32LE(META_AT + 4) !== META_VERSION) {
    throw new StoreRefusedError(
      dir,
      `its data.mdb has LMDB data version ${header.readUInt32LE(META_AT + 4)}, and this build reads version ${META_VERSION}`,
    );
  }
}

class LmdbStore implements KeyValueStore {
  readonly description: string;
  constructor(
    private readonly db: RootDatabase<string, string>,
    dir: string,
  ) {
    this.description = `lmdb ${dir}`;
  }

  async get(key: string): Promise<string | undefined> {
    return this.db.get(VALUE + key);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.length === 0 ? [] : this.db.getMany(keys.map((key) => VALUE + key));
  }

  async *scan(prefix: string): AsyncIterable<[string, string]> {
    for (const { key, value } of this.db.getRange({ start: VALUE + prefix })) {
      if (!key.startsWith(VALUE + prefix)) break;
      yield [key.slice(VALUE.length), value];
    }
  }

  /** the writes inside a write transaction; returns the ids of the appends (as readLog gives them) */
  private apply(writes: readonly StoreWrite[]): string[] {
    const counters = new Map<string, number>();
    const appended: string[] = [];
    for (const write of writes) {
      if (write.op === 'put') void this.db.put(VALUE + write.key, write.value);
      else if (write.op === 'delete') void this.db.remove(VALUE + write.key);
      else {
        const last = counters.get(write.log) ?? this.lastSeq(write.log);
        counters.set(write.log, last + 1);
        void this.db.put(seqKey(write.log, last + 1), write.value);
        appended.push(String(last + 1));
      }
    }
    for (const [log, last] of counters) void this.db.put(COUNTER + log, String(last));
    return appended;
  }

  private lastSeq(log: string): number {
    return Number(this.db.get(COUNTER + log) ?? 0);
  }

  async write(writes: readonly StoreWrite[]): Promise<string[]> {
    if (writes.length === 0) return [];
    let appended: string[] = [];
    await this.db.transaction(() => {
      appended = this.apply(writes);
    });
    return appended;
  }

  async update(keys: readonly string[], plan: (values: readonly (string | undefined)[]) => readonly StoreWrite[]): Promise<void> {
    await this.db.transaction(() => this.apply(plan(keys.map((key) => this.db.get(VALUE + key)))));
  }

  async readLog(log: string, after: string | null, limit: number): Promise<LogEntry[]> {
    const first = after === null ? 1 : Number(after) + 1;
    const entries: LogEntry[] = [];
    for (const { key, value } of this.db.getRange({ start: seqKey(log, first), end: `${LOG}${log}:~`, limit })) {
      entries.push({ id: String(Number(key.slice(key.lastIndexOf(':') + 1))), value });
    }
    return entries;
  }

  // entries are numbered 1, 2, ... without gaps and never removed: the counter alone tells their ids
  readonly logIdsAfter = async (log: string, after: string | null, limit: number): Promise<string[]> => idsBetween(after, this.lastSeq(log), limit);

  readonly logIdsThrough = (after: string | null, through: string, limit: number): string[] => idsBetween(after, Number(through), limit);

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** The ids after `after` (from the first when null) up to number `last`, at most `limit`. */
function idsBetween(after: string | null, last: number, limit: number): string[] {
  const first = after === null ? 1 : Number(after) + 1;
  const end = Math.min(last, first + limit - 1);
  const ids: string[] = [];
  for (let seq = first; seq <= end; seq++) ids.push(String(seq));
  return ids;
}

/** Opens (creating when absent) the LMDB store in `dir`; a file that is not an LMDB environment is refused. */
export function openLmdbStore(dir: string): KeyValueStore {
  refuseForeignDirectory(dir);
  refuseDamagedDataFile(dir);
  let db: RootDatabase<string, string>;
  try {
    db = open<string, string>({ path: dir, noSubdir: false, encoding: 'string', mapSize: MAP_SIZE, overlappingSync: false });
    // a damaged file may open and fail at the first read
    db.get(`${COUNTER}-`);
  } catch (error) {
    throw new StoreRefusedError(dir, `it is not a readable LMDB store (${(error as Error).message})`);
  }
  return new LmdbStore(db, dir);
}
