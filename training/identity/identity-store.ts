// The identity store: where the service records live accounts, shared by its worker processes (LMDB) or machines
// (Redis), and the live identity state each process keeps in step with it.
//
// Layout (format 1): `account:<id>` holds the account's LiveAccount record; the log `accounts` lists every
// recording and erasure in order ({op, account_id, at}). A recording request is one transaction (its records and
// log entries), so a crash keeps it whole or not at all. Every process replays the log into its own graph, in log
// order, so all of them reach the same groups and ids.
import path from 'node:path';
import { z } from 'zod';
import type { KeyValueStore, StoreWrite } from '../../stores/key-value-store.js';
import { LogFollower } from '../../stores/log-follower.js';
import { openStore } from '../../stores/open-store.js';
import type { IdentityIndex } from './identity-index.js';
import { type LiveAccount, LiveAccountSchema } from './live-account.js';
import { type LiveGroup, LiveIdentityGraph } from './live-identity-graph.js';

export const IDENTITY_STORE_KIND = 'identity-store';
export const IDENTITY_STORE_FORMAT = 1;
export const IDENTITY_STORE_ENV = 'RINGFENCE_IDENTITY_STORE';
const LOG = 'accounts';
const REPLAY_BATCH = 1000;
const accountKey = (accountId: string) => `account:${accountId}`;

const LogEntrySchema = z.strictObject({ op: z.enum(['add', 'forget']), account_id: z.string().min(1), at: z.number() });
type LogEntry = z.infer<typeof LogEntrySchema>;

/** Where the identity store of model `name` lives: the option, else the environment, else beside the model's versions. */
export function identityStoreLocation(
  modelsRoot: string,
  name: string,
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return option ?? env[IDENTITY_STORE_ENV] ?? path.join(modelsRoot, name, 'identity-store');
}

/** Opens (creating when new) the identity store at `location` for the deployment secret of `secretFingerprint`. */
export function openIdentityStore(location: string, secretFingerprint: string): Promise<KeyValueStore> {
  return openStore(location, { kind: IDENTITY_STORE_KIND, format_version: IDENTITY_STORE_FORMAT, secret_fingerprint: secretFingerprint });
}

/** One account as recordAccounts wrote it: its record's key and text, and its log entry (id, text, content). */
export interface WrittenAccount {
  readonly account: LiveAccount;
  readonly key: string;
  readonly record: string;
  readonly id: string;
  /** the log entry's text */
  readonly value: string;
  readonly entry: LogEntry;
}

/** Records `accounts` (replacing earlier records of the same ids) in one transaction; returns what it wrote, in order. */
export async function recordAccounts(store: KeyValueStore, accounts: readonly LiveAccount[]): Promise<WrittenAccount[]> {
  const writes: StoreWrite[] = [];
  const written: Omit<WrittenAccount, 'id'>[] = [];
  for (const account of accounts) {
    const key = accountKey(account.account_id);
    const record = JSON.stringify(account);
    writes.push({ op: 'put', key, value: record });
    const entry: LogEntry = { op: 'add', account_id: account.account_id, at: account.recorded_at };
    const value = JSON.stringify(entry);
    writes.push({ op: 'append', log: LOG, value });
    written.push({ account, key, record, value, entry });
  }
  const ids = await store.write(writes);
  return written.map((account, i) => ({ ...account, id: ids[i] as string }));
}

/** Erases an account's record (its identifiers and summary); false when the store has none. */
export async function forgetAccount(store: KeyValueStore, accountId: string, at: number): Promise<boolean> {
  let found = false;
  const entry: LogEntry = { op: 'forget', account_id: accountId, at };
  await store.update([accountKey(accountId)], ([value]) => {
    found = value !== undefined;
    return found
      ? [
          { op: 'delete', key: accountKey(accountId) },
          { op: 'append', log: LOG, value: JSON.stringify(entry) },
        ]
      : [];
  });
  return found;
}

/** Whether JSON.stringify(entry) parses back to an equal entry that LogEntrySchema accepts (a finite time but -0, an id). */
function readsBackAsEntry(entry: LogEntry): boolean {
  return entry.account_id.length > 0 && Number.isFinite(entry.at) && !Object.is(entry.at, -0);
}

function parseAccount(store: KeyValueStore, key: string, value: string): LiveAccount {
  try {
    return LiveAccountSchema.parse(JSON.parse(value));
  } catch (error) {
    throw new Error(`${store.description}: the record ${key} is not a live account record (${(error as Error).message.slice(0, 200)})`);
  }
}

/**
 * The live identity state of one process: the model's index plus every recorded account, replayed from the store
 * (or, without a store, kept in memory only: `ringfence score`, tests).
 */
export class LiveIdentityState {
  readonly graph: LiveIdentityGraph;
  private readonly follower: LogFollower | null;
  private seq = 0;
  /**
   * When each account last changed its group (its own recording; a fellow member's erasure): what changed_since reads.
   * One entry per account of the state, never one per change, so it is bounded by the state, not by its history.
   */
  private readonly lastChange = new Map<string, number>();
  /**
   * Records this process has just written, by key, with the text written: replaying its own record, a process takes
   * the object it wrote instead of parsing and validating the same JSON again (a third of a predict's replay, issue 21).
   */
  private readonly ownRecords = new Map<string, { value: string; account: LiveAccount }>();
  /**
   * The log entries of those records, by id: when the entries after the cursor are all this process's own, a catch-up
   * takes them from here instead of reading the log and the records back (issue 21).
   */
  private readonly ownEntries = new Map<string, WrittenAccount>();

  constructor(
    base: IdentityIndex,
    readonly store: KeyValueStore | null,
  ) {
    this.graph = new LiveIdentityGraph(base);
    this.follower = store ? new LogFollower(store, LOG, REPLAY_BATCH) : null;
  }

  /** Applies every log entry written since the last call (by this process or another), in log order. */
  async catchUp(): Promise<void> {
    await this.catchUpThrough(undefined);
  }

  /** catchUp, or (`through`: the id of this process's last entry) at least every entry up to that one. */
  private async catchUpThrough(through: string | undefined): Promise<void> {
    const store = this.store;
    if (!store || !this.follower) return;
    await this.follower.catchUp(
      async (entries, known) => {
        if (known) {
          this.applyOwn(store, entries);
          return;
        }
        const parsed = entries.map((entry) => {
          const result = LogEntrySchema.safeParse(JSON.parse(entry.value));
          if (!result.success)
            throw new Error(`${store.description}: log entry ${entry.id} is not an identity change (${result.error.issues[0]?.message})`);
          return result.data;
        });
        const adds = [...new Set(parsed.filter((e) => e.op === 'add').map((e) => e.account_id))];
        const values = await store.getMany(adds.map(accountKey));
        const records = new Map(adds.map((id, i) => [id, values[i]]));
        for (const entry of parsed) this.apply(store, entry, records.get(entry.account_id));
      },
      this.ownEntries,
      through,
    );
  }

  /**
   * Applies entries this process wrote, the whole log after the cursor when listed: each account as its last entry
   * among them recorded it, which is its record in the store then (every change of a record is logged with it).
   */
  private applyOwn(store: KeyValueStore, entries: readonly { readonly id: string }[]): void {
    const own = entries.map((entry) => this.ownEntries.get(entry.id) as WrittenAccount);
    const last = new Map<string, WrittenAccount>();
    for (const written of own) last.set(written.key, written);
    // the account this process wrote as that record, not a parse of its text: concurrent requests recording the same
    // account leave ownRecords holding a later record than the last one here (issue 21: 35-40 us of zod per request)
    for (const written of own) {
      const latest = last.get(written.key) as WrittenAccount;
      this.apply(store, written.entry, latest.record, latest.account);
    }
  }

  /** `written`: the account `value` is the record of, when this process wrote it (no parse). */
  private apply(store: KeyValueStore, entry: LogEntry, value: string | undefined, written?: LiveAccount): void {
    this.seq++;
    if (entry.op === 'forget') {
      this.forgetInMemory(entry.account_id, entry.at);
      return;
    }
    // erased since: the later forget entry finds nothing to remove
    if (value === undefined) return;
    const key = accountKey(entry.account_id);
    const own = this.ownRecords.get(key);
    this.graph.add(written ?? (own !== undefined && own.value === value ? own.account : parseAccount(store, key, value)), this.seq);
    this.changed([entry.account_id], entry.at);
  }

  private forgetInMemory(accountId: string, at: number): boolean {
    const left = this.graph.groupOfAccountNow(accountId)?.ring.members.filter((m) => m !== accountId) ?? [];
    const removed = this.graph.remove(accountId);
    if (removed) {
      this.lastChange.delete(accountId);
      this.changed(left, at);
    }
    return removed;
  }

  private changed(accounts: readonly string[], at: number): void {
    for (const account of accounts) {
      const before = this.lastChange.get(account);
      this.lastChange.set(account, before === undefined ? at : Math.max(before, at));
    }
  }

  /** How many accounts the change record holds (one entry per account changed, whatever the number of changes). */
  get changeRecordSize(): number {
    return this.lastChange.size;
  }

  /** Adds `accounts` to the state: recorded in the store (one transaction) and replayed, or kept in memory. */
  async record(accounts: readonly LiveAccount[]): Promise<void> {
    if (accounts.length === 0) return;
    if (!this.store) {
      for (const account of accounts) {
        this.graph.add(account, ++this.seq);
        this.changed([account.account_id], account.recorded_at);
      }
      return;
    }
    const written = await recordAccounts(this.store, accounts);
    const mine = written.map(({ key, record, account }) => {
      const own = { value: record, account };
      this.ownRecords.set(key, own);
      return [key, own] as const;
    });
    // an entry that would not read back as a log entry is read back (and refused as the others' would be)
    for (const own of written) if (readsBackAsEntry(own.entry)) this.ownEntries.set(own.id, own);
    try {
      // every entry up to its own: the state this request's write saw, and its own accounts in it
      await this.catchUpThrough(written.at(-1)?.id);
    } finally {
      // a later recording of the same account by a concurrent request keeps its own entry
      for (const [key, own] of mine) if (this.ownRecords.get(key) === own) this.ownRecords.delete(key);
      for (const own of written) this.ownEntries.delete(own.id);
    }
  }

  /** Erases an account from the state and the store; false when it was not recorded. */
  async forget(accountId: string, at = Date.now()): Promise<boolean> {
    if (!this.store) return this.forgetInMemory(accountId, at);
    const found = await forgetAccount(this.store, accountId, at);
    await this.catchUp();
    return found;
  }

  /**
   * Retention: erases every recorded account created before `cutoff` (epoch ms), as `forget` does; returns how many.
   * Processes sharing a store may run it at once: an account already erased is skipped.
   */
  async dropCreatedBefore(cutoff: number, at = Date.now()): Promise<number> {
    await this.catchUp();
    const old = [...this.graph.recordedEntries()].filter((account) => account.created_at < cutoff).map((account) => account.account_id);
    let dropped = 0;
    for (const accountId of old) if (await this.forget(accountId, at)) dropped++;
    return dropped;
  }

  /** The groups (two or more accounts) that gained or lost a member at or after `since` (epoch ms), newest change first. */
  groupsChangedSince(since: number): { group: LiveGroup; changed_at: number }[] {
    const found = new Map<string, { group: LiveGroup; changed_at: number }>();
    for (const [account, at] of this.lastChange) {
      if (at < since) continue;
      const group = this.graph.groupOfAccountNow(account);
      if (!group) continue;
      const known = found.get(group.ring.ring_id);
      if (!known || known.changed_at < at) found.set(group.ring.ring_id, { group, changed_at: at });
    }
    return [...found.values()].sort((a, b) => b.changed_at - a.changed_at || a.group.ring.ring_id.localeCompare(b.group.ring.ring_id));
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}
