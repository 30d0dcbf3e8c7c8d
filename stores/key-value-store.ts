// The store interface every live store (identity, analyst decisions) is written against; one module per backend.
//
// A store is a flat map of string keys to string values plus named append-only logs, shared by every process that
// opens the same location. Writes of one call are one transaction: a crash keeps all of them or none.
import { z } from 'zod';

export type StoreWrite =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'delete'; readonly key: string }
  /** appends `value` to the log `log`; the backend gives the entry an id that sorts after every earlier one */
  | { readonly op: 'append'; readonly log: string; readonly value: string };

export interface LogEntry {
  /** opaque, increasing within one log; pass the last one read as `after` to read on */
  readonly id: string;
  readonly value: string;
}

export interface KeyValueStore {
  /** backend and location, for messages (never a password) */
  readonly description: string;
  get(key: string): Promise<string | undefined>;
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** every key starting with `prefix`, with its value, in no promised order */
  scan(prefix: string): AsyncIterable<[key: string, value: string]>;
  /** the writes as one transaction; resolves to the ids its appends got, in the order of the writes */
  write(writes: readonly StoreWrite[]): Promise<string[]>;
  /**
   * Reads `keys`, asks `plan` for the writes given their values, and commits them as one transaction in which the
   * keys read have not changed (another writer in between makes it read and plan again). `plan` must be pure.
   */
  update(keys: readonly string[], plan: (values: readonly (string | undefined)[]) => readonly StoreWrite[]): Promise<void>;
  /** entries of `log` after the entry `after` (from the start when null), oldest first, at most `limit` */
  readLog(log: string, after: string | null, limit: number): Promise<LogEntry[]>;
  /**
   * The ids readLog would give for the same arguments, without their values; only where a backend can tell them for
   * less than reading the entries (a follower that wrote them itself then need not read them back).
   */
  readonly logIdsAfter?: (log: string, after: string | null, limit: number) => Promise<string[]>;
  /**
   * The ids of the entries after `after` up to `through` (an id a write of this process gave), oldest first, at most
   * `limit`, none when `after` is at or past it; only where a backend numbers entries without gaps, so that it can
   * tell them without reading anything.
   */
  readonly logIdsThrough?: (after: string | null, through: string, limit: number) => string[];
  close(): Promise<void>;
}

/** What a store holds and for whom: written when the store is created, checked at every later open. */
export const StoreIdentitySchema = z.strictObject({
  kind: z.string().min(1).describe('what the store holds, e.g. identity-store or decision-store'),
  format_version: z.number().int().positive().describe('layout of its keys and values'),
  secret_fingerprint: z.string().min(1).describe('fingerprint of the deployment secret its keyed hashes are made with'),
});
export type StoreIdentity = z.infer<typeof StoreIdentitySchema>;

/** A store that is not the one asked for (other kind, format or secret) or cannot be read: refused, never reset. */
export class StoreRefusedError extends Error {
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(`store ${location} refused: ${reason}`);
    this.name = 'StoreRefusedError';
  }
}
