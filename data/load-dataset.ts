// input folder → Dataset (rows grouped by account_id) → tables, read-table
//
// Policy: by default the first bad file stops the load, listing up to `maxErrors` of its errors. With a
// rejects file, every bad row is written there (file, line, column, reason, raw text) and the load goes on,
// so a row is either loaded or listed: never dropped in silence. Problems that leave the data usable
// (events dated before their account was created) are counted warnings instead.
import { createWriteStream, type WriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataFileError, DatasetError } from './data-errors.js';
import { sortEventsCanonically } from './event-order.js';
import type { Dataset, DatasetSummary, DatasetWarning, TableReadSummary } from './dataset.js';
import type { ProgressEvent } from './progress-event.js';
import { readTable, readTableByAccount, type TableReadResult, tableNameOfFile } from './read-table.js';
import { trackTemporaryOutput } from './temporary-outputs.js';
import {
  type AccountEvents,
  EVENT_TABLES,
  EVENT_TIME_COLUMN,
  type EventTableName,
  type LabelRow,
  REQUIRED_TABLES,
  TABLE_NAMES,
  type TableName,
} from './tables.js';

export interface LoadDatasetOptions {
  /** errors listed from the first bad file before stopping (default 20) */
  readonly maxErrors?: number;
  /** write every bad row here (JSONL) and go on instead of stopping */
  readonly rejectsFile?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Load only one shard of the accounts, with their rows (accounts spread over `count` shards by a hash of the id),
   * so that a data set larger than memory can be worked through shard by shard. Rows of other shards are passed
   * over unvalidated; each row is validated in the pass of its own shard.
   */
  readonly accountShard?: { readonly index: number; readonly count: number };
}

/** Which of `count` shards an account belongs to (FNV-1a of its id): stable across runs and machines. */
export function shardOfAccount(accountId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) hash = Math.imul(hash ^ accountId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % count;
}

export const DEFAULT_MAX_ERRORS = 20;
const WARNING_EXAMPLES = 5;
/** event columns whose values repeat across many rows (shared IPs, devices, a few dozen tests): one copy each */
const INTERNED_COLUMNS: Readonly<Partial<Record<EventTableName, readonly string[]>>> = { logins: ['ip', 'device_id'], tests: ['test_id'] };
const MAX_INTERNED = 2_000_000;

function tableFileNames(table: string): string {
  return `${table}.csv, ${table}.csv.gz, ${table}.jsonl, ${table}.jsonl.gz or ${table}.parquet`;
}

/** The table files of a folder; two files for one table is an error, every other file is listed as ignored. */
export async function findTableFiles(folder: string): Promise<{ files: Map<TableName, string>; ignored: string[] }> {
  let entries: string[];
  try {
    entries = (await readdir(folder, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'ENOTDIR' ? 'it is not a folder' : (error as Error).message;
    throw new DatasetError(folder, `cannot read the data folder ${folder}: ${why}`);
  }
  const files = new Map<TableName, string>();
  const ignored: string[] = [];
  for (const entry of entries) {
    const table = tableNameOfFile(entry);
    if (table === null || !(TABLE_NAMES as string[]).includes(table)) {
      ignored.push(entry);
      continue;
    }
    const existing = files.get(table as TableName);
    if (existing) {
      throw new DatasetError(
        folder,
        `the data folder ${folder} has two files for the ${table} table, ${path.basename(existing)} and ${entry}: keep one`,
      );
    }
    files.set(table as TableName, path.join(folder, entry));
  }
  return { files, ignored };
}

/** Bad rows as JSONL, written to a temporary name and renamed when the load ends, removed if it fails. */
class RejectsWriter {
  private readonly stream: WriteStream;
  private readonly partial: string;
  private readonly untrack: () => void;
  count = 0;

  constructor(readonly file: string) {
    this.partial = `${file}.partial-${process.pid}`;
    this.untrack = trackTemporaryOutput(this.partial);
    this.stream = createWriteStream(this.partial);
  }

  write(table: TableName, error: DataFileError, raw: string): void {
    this.count++;
    const record = { table, file: error.file, [error.unit]: error.line, column: error.column, reason: error.reason, expected: error.expected, raw };
    this.stream.write(`${JSON.stringify(record)}\n`);
  }

  private async closeStream(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  async commit(): Promise<string> {
    await this.closeStream();
    await rename(this.partial, this.file);
    this.untrack();
    return this.file;
  }

  async discard(): Promise<void> {
    await this.closeStream().catch(() => undefined);
    await rm(this.partial, { force: true });
    this.untrack();
  }
}

class WarningCounter {
  private readonly warnings = new Map<string, DatasetWarning>();

  add(code: string, table: string, message: string, where: string): void {
    const key = `${code}:${table}`;
    const existing = this.warnings.get(key);
    if (!existing) this.warnings.set(key, { code, table, count: 1, message, examples: [where] });
    else {
      existing.count++;
      if (existing.examples.length < WARNING_EXAMPLES) existing.examples.push(where);
    }
  }

  list(): DatasetWarning[] {
    return [...this.warnings.values()];
  }
}

function countLabels(labels: ReadonlyMap<string, LabelRow>): NonNullable<DatasetSummary['label_counts']> {
  const counts = { normal: 0, fraud: 0, by_kind: {} as Record<string, number> };
  for (const label of labels.values()) {
    if (label.label === 1) {
      counts.fraud++;
      const kind = label.kind ?? 'unspecified';
      counts.by_kind[kind] = (counts.by_kind[kind] ?? 0) + 1;
    } else counts.normal++;
  }
  return counts;
}

/**
 * Loads every table of a folder, validating each row, and groups the events by account (each list in canonical
 * order, data/event-order.ts). Throws DatasetError for a folder that cannot be used: no accounts table, two
 * files for one table, bad rows (unless `rejectsFile`), unknown or duplicate accounts (same), no accounts.
 */
export async function loadDataset(folder: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const { files, ignored } = await findTableFiles(folder);
  for (const table of REQUIRED_TABLES) {
    if (files.has(table)) continue;
    const found = [...files.values()].map((f) => path.basename(f)).concat(ignored);
    throw new DatasetError(
      folder,
      found.length === 0
        ? `the data folder ${folder} is empty: it needs at least an ${table} table (${tableFileNames(table)})`
        : `the data folder ${folder} has no ${table} table (${tableFileNames(table)}); it holds: ${found.join(', ')}`,
    );
  }
  const rejects = options.rejectsFile ? new RejectsWriter(options.rejectsFile) : null;
  try {
    const shard = options.accountShard;
    if (
      shard &&
      !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)
    ) {
      throw new RangeError(`accountShard needs integers 0 <= index < count; got index ${shard.index}, count ${shard.count}`);
    }
    const keepAccount = shard && shard.count > 1 ? (accountId: string) => shardOfAccount(accountId, shard.count) === shard.index : undefined;
    const dataset = await loadTables(folder, files, ignored, maxErrors, rejects, options.onProgress, keepAccount);
    const rejectsFile = rejects ? await rejects.commit() : null;
    return { ...dataset, summary: { ...dataset.summary, rejects_file: rejectsFile } };
  } catch (error) {
    await rejects?.discard();
    throw error;
  }
}

async function loadTables(
  folder: string,
  files: ReadonlyMap<TableName, string>,
  ignored: readonly string[],
  maxErrors: number,
  rejects: RejectsWriter | null,
  onProgress: ((event: ProgressEvent) => void) | undefined,
  keepAccount: ((accountId: string) => boolean) | undefined,
): Promise<Dataset> {
  const byId = new Map<string, AccountEvents>();
  const accounts: AccountEvents[] = [];
  const accountLines: number[] = [];
  const labels = files.has('labels') ? new Map<string, LabelRow>() : null;
  const tables: Record<string, TableReadSummary> = {};
  const warnings = new WarningCounter();
  let minTime = Infinity;
  let maxTime = -Infinity;
  const sizes = await Promise.all([...files.values()].map((f) => stat(f).then((s) => s.size)));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let bytesBefore = 0;
  const interned = new Map<string, string>();
  const intern = (s: string): string => {
    const hit = interned.get(s);
    if (hit !== undefined) return hit;
    if (interned.size < MAX_INTERNED) interned.set(s, s);
    return s;
  };

  const order = (['accounts', ...EVENT_TABLES, 'labels'] as TableName[]).filter((t) => files.has(t));
  for (const table of order) {
    const file = files.get(table) as string;
    const fileName = path.basename(file);
    const errors: DataFileError[] = [];
    let moreErrors = 0;
    const onBadRow = (error: DataFileError, raw: string) => {
      if (rejects) rejects.write(table, error, raw);
      else if (errors.length < maxErrors) errors.push(error);
      else moreErrors++;
    };
    const unknownAccount = (accountId: string, line: number) =>
      new DataFileError(
        file,
        line,
        'account_id',
        `account ${JSON.stringify(accountId)} is not in the accounts table`,
        'an account_id listed in accounts',
      );

    const listeners = {
      onBadRow,
      ...(keepAccount ? { keepAccount } : {}),
      onProgress: (bytes: number, rows: number) =>
        onProgress?.({
          stage: 'load',
          done: Math.min(totalBytes, bytesBefore + bytes),
          total: totalBytes,
          unit: 'bytes',
          detail: `${table}: ${rows} rows`,
        }),
    };
    let result: TableReadResult;
    if (table === 'accounts') {
      const onRow = (row: Record<string, unknown>, line: number) => {
        const accountId = row['account_id'] as string;
        if (byId.has(accountId)) {
          throw new DataFileError(file, line, 'account_id', `account ${JSON.stringify(accountId)} is listed twice`, 'each account_id once');
        }
        const account = {
          ...(row as Pick<AccountEvents, 'account_id' | 'created_at' | 'country' | 'has_2fa'>),
          logins: [],
          proposals: [],
          tests: [],
          payouts: [],
        };
        byId.set(accountId, account);
        accounts.push(account);
        accountLines.push(line);
      };
      result = await readTable(file, table, { ...listeners, onRow });
    } else if (table === 'labels') {
      const onRow = (row: LabelRow, line: number) => {
        const accountId = row['account_id'] as string;
        if (!byId.has(accountId)) throw unknownAccount(accountId, line);
        if (labels?.has(accountId))
          throw new DataFileError(file, line, 'account_id', `account ${JSON.stringify(accountId)} has a second label`, 'one label per account');
        if (row.kind !== undefined) row.kind = intern(row.kind);
        labels?.set(accountId, row);
      };
      result = await readTable(file, table, { ...listeners, onRow });
    } else {
      const eventTable = table as EventTableName;
      const timeColumn = EVENT_TIME_COLUMN[eventTable];
      const internedColumns = INTERNED_COLUMNS[eventTable] ?? [];
      const warning = `${table} dated before their account was created (kept as they are)`;
      // rows come without account_id: the parent account holds it once instead of once per event
      // event files usually list an account's rows together: skip the map lookup while the account repeats
      let lastOwner: AccountEvents | undefined;
      const onRow = (accountId: string, event: Record<string, unknown>, line: number) => {
        const owner = lastOwner?.account_id === accountId ? lastOwner : byId.get(accountId);
        if (!owner) throw unknownAccount(accountId, line);
        lastOwner = owner;
        for (const column of internedColumns) event[column] = intern(event[column] as string);
        const time = event[timeColumn] as number;
        if (time < owner.created_at) warnings.add('event-before-account-creation', table, warning, `${fileName}:${line}`);
        if (time < minTime) minTime = time;
        if (time > maxTime) maxTime = time;
        (owner[eventTable] as unknown[]).push(event);
      };
      result = await readTableByAccount(file, eventTable, {
        ...listeners,
        onRow: onRow as unknown as (accountId: string, row: object, line: number) => void,
      });
    }
    if (errors.length > 0) {
      const count = errors.length + moreErrors;
      throw new DatasetError(folder, `${fileName} has ${count} bad row${count > 1 ? 's' : ''}; the data set was not loaded`, errors, moreErrors);
    }
    bytesBefore += result.bytes;
    tables[table] = {
      file,
      format: result.format,
      compressed: result.compressed,
      rows: result.rows,
      rejected_rows: result.rejectedRows,
      bytes: result.bytes,
      sha256: result.sha256,
      ignored_columns: [...result.ignoredColumns],
    };
    // one shard of a small data set may hold no account; the caller checks the whole
    if (table === 'accounts' && accounts.length === 0 && !keepAccount) {
      throw new DatasetError(folder, `${fileName} has no ${result.rejectedRows > 0 ? 'valid ' : ''}rows: there are no accounts to load`);
    }
  }
  for (const account of accounts) sortEventsCanonically(account);
  const summary: DatasetSummary = {
    folder,
    accounts: accounts.length,
    tables,
    time_range: {
      from: Number.isFinite(minTime) ? new Date(minTime).toISOString() : null,
      to: Number.isFinite(maxTime) ? new Date(maxTime).toISOString() : null,
    },
    label_counts: labels ? countLabels(labels) : null,
    warnings: warnings.list(),
    ignored_files: [...ignored],
    rejects_file: null,
  };
  return { accounts, accountLines, labels, summary };
}

/**
 * One summary for a data set loaded shard by shard (loadDataset with `accountShard`): row counts, accounts, labels
 * and warnings add up, the time range spans every shard, and the files (size, checksum) are the same in each.
 */
export function mergeShardSummaries(shards: readonly DatasetSummary[]): DatasetSummary {
  const [first, ...rest] = shards;
  if (!first) throw new RangeError('mergeShardSummaries needs at least one summary');
  const tables: Record<string, TableReadSummary> = structuredClone(first.tables);
  const warnings = new Map(first.warnings.map((w) => [`${w.code}:${w.table}`, { ...w, examples: [...w.examples] }]));
  const labelCounts = first.label_counts ? structuredClone(first.label_counts) : null;
  let { from, to } = first.time_range;
  let accounts = first.accounts;
  for (const shard of rest) {
    accounts += shard.accounts;
    for (const [table, summary] of Object.entries(shard.tables)) {
      const merged = tables[table] as TableReadSummary;
      merged.rows += summary.rows;
      merged.rejected_rows += summary.rejected_rows;
    }
    for (const warning of shard.warnings) {
      const key = `${warning.code}:${warning.table}`;
      const merged = warnings.get(key);
      if (!merged) warnings.set(key, { ...warning, examples: [...warning.examples] });
      else {
        merged.count += warning.count;
        merged.examples = [...merged.examples, ...warning.examples].slice(0, WARNING_EXAMPLES);
      }
    }
    if (labelCounts && shard.label_counts) {
      labelCounts.normal += shard.label_counts.normal;
      labelCounts.fraud += shard.label_counts.fraud;
      for (const [kind, count] of Object.entries(shard.label_counts.by_kind)) labelCounts.by_kind[kind] = (labelCounts.by_kind[kind] ?? 0) + count;
    }
    // ISO-8601 UTC strings of one format order as their times do
    if (shard.time_range.from !== null && (from === null || shard.time_range.from < from)) from = shard.time_range.from;
    if (shard.time_range.to !== null && (to === null || shard.time_range.to > to)) to = shard.time_range.to;
  }
  return { ...first, accounts, tables, time_range: { from, to }, label_counts: labelCounts, warnings: [...warnings.values()] };
}
