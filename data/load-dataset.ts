// input folder → Dataset (rows grouped by account_id) → tables, read-table
import { createWriteStream, type WriteStream } from 'node:fs';
import { readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataFileError, DatasetError } from './data-errors.js';
import type { Dataset, DatasetSummary, DatasetWarning, TableReadSummary } from './dataset.js';
import type { ProgressEvent } from './progress-event.js';
import { readTable, tableFileFormat } from './read-table.js';
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
}

const WARNING_EXAMPLES = 3;

/** The table files of a folder; two files for one table is an error, unknown files are listed. */
export async function findTableFiles(folder: string): Promise<{ files: Map<TableName, string>; ignored: string[] }> {
  let entries: string[];
  try {
    entries = (await readdir(folder)).sort();
  } catch (error) {
    throw new DatasetError(folder, `cannot read the data folder ${folder}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}`);
  }
  const files = new Map<TableName, string>();
  const ignored: string[] = [];
  for (const entry of entries) {
    const format = tableFileFormat(entry);
    const table = format ? entry.replace(/\.(csv|jsonl|ndjson|parquet)(\.gz)?$/i, '') : null;
    if (!format || !table || !(TABLE_NAMES as string[]).includes(table)) {
      ignored.push(entry);
      continue;
    }
    const existing = files.get(table as TableName);
    if (existing) {
      throw new DatasetError(folder, `${folder} has two files for the ${table} table: ${path.basename(existing)} and ${entry}; keep one`);
    }
    files.set(table as TableName, path.join(folder, entry));
  }
  return { files, ignored };
}

class RejectsWriter {
  private stream: WriteStream | null = null;
  count = 0;
  constructor(private readonly file: string) {}
  write(table: TableName, error: DataFileError, raw: unknown): void {
    this.stream ??= createWriteStream(`${this.file}.partial`);
    this.count++;
    this.stream.write(
      `${JSON.stringify({ table, file: error.file, line: error.line, column: error.column, reason: error.reason, expected: error.expected, raw })}\n`,
    );
  }
  async close(): Promise<string | null> {
    if (!this.stream) return null;
    const stream = this.stream;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await rename(`${this.file}.partial`, this.file);
    return this.file;
  }
}

/**
 * Loads every table of a folder, validating each row, and groups events by account (sorted by time).
 * By default the first bad file stops the load with up to `maxErrors` of its errors listed; with
 * `rejectsFile`, bad rows are written there and the load goes on. Nothing is dropped silently.
 */
export async function loadDataset(folder: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const maxErrors = options.maxErrors ?? 20;
  const { files, ignored } = await findTableFiles(folder);
  for (const table of REQUIRED_TABLES) {
    if (!files.has(table)) {
      throw new DatasetError(
        folder,
        files.size === 0 && ignored.length === 0
          ? `the data folder ${folder} is empty: it needs at least accounts.csv (or .jsonl / .parquet)`
          : `the data folder ${folder} has no ${table} table (${table}.csv, .jsonl, .csv.gz, .jsonl.gz or .parquet); found: ${[...files.values(), ...ignored].map((f) => path.basename(f)).join(', ') || 'nothing'}`,
      );
    }
  }
  const rejects = options.rejectsFile ? new RejectsWriter(options.rejectsFile) : null;
  const byId = new Map<string, AccountEvents>();
  const accounts: AccountEvents[] = [];
  const labels = files.has('labels') ? new Map<string, LabelRow>() : null;
  const tables: Record<string, TableReadSummary> = {};
  const warnings = new Map<string, DatasetWarning>();
  let minTime = Infinity;
  let maxTime = -Infinity;
  const totalBytes = (await Promise.all([...files.values()].map((f) => stat(f).then((s) => s.size)))).reduce((a, b) => a + b, 0);
  let bytesBefore = 0;

  const warn = (code: string, table: TableName, message: string, where: string) => {
    const key = `${code}:${table}`;
    const existing = warnings.get(key);
    if (existing) {
      existing.count++;
      if (existing.examples.length < WARNING_EXAMPLES) existing.examples.push(where);
    } else warnings.set(key, { code, table, count: 1, message, examples: [where] });
  };
  // Interning keeps one copy of strings that repeat across millions of events (countries, devices, IPs).
  const interned = new Map<string, string>();
  const intern = (s: string) => {
    const hit = interned.get(s);
    if (hit !== undefined) return hit;
    if (interned.size < 2_000_000) interned.set(s, s);
    return s;
  };

  const order: TableName[] = ['accounts', ...EVENT_TABLES, 'labels'].filter((t): t is TableName => files.has(t as TableName));
  for (const table of order) {
    const file = files.get(table) as string;
    const errors: DataFileError[] = [];
    let moreErrors = 0;
    const onBadRow = (error: DataFileError, raw: unknown) => {
      if (rejects) {
        rejects.write(table, error, raw);
        return;
      }
      if (errors.length < maxErrors) errors.push(error);
      else moreErrors++;
    };
    const seenLabels = new Set<string>();
    const result = await readTable(file, table, {
      onBadRow,
      onProgress: (bytes, rows) =>
        options.onProgress?.({ stage: 'load', done: Math.min(totalBytes, bytesBefore + bytes), total: totalBytes, unit: 'bytes', detail: `${table}: ${rows} rows` }),
      onRow: (row, line) => {
        if (table === 'accounts') {
          const account = row as unknown as AccountEvents;
          if (byId.has(account.account_id)) {
            throw new DataFileError(file, line, 'account_id', `duplicate account_id ${JSON.stringify(account.account_id)}`, 'each account once');
          }
          const events: AccountEvents = { ...account, country: intern(account.country), logins: [], proposals: [], tests: [], payouts: [] };
          byId.set(account.account_id, events);
          accounts.push(events);
          return;
        }
        const accountId = (row as { account_id: string }).account_id;
        const owner = byId.get(accountId);
        if (!owner) {
          throw new DataFileError(file, line, 'account_id', `account ${JSON.stringify(accountId)} is not in the accounts table`, 'an account_id listed in accounts');
        }
        if (table === 'labels') {
          if (seenLabels.has(accountId)) throw new DataFileError(file, line, 'account_id', `duplicate label for account ${JSON.stringify(accountId)}`, 'one label per account');
          seenLabels.add(accountId);
          labels?.set(accountId, row as LabelRow);
          return;
        }
        const eventTable = table as EventTableName;
        const { account_id: _omit, ...event } = row as Record<string, unknown> & { account_id: string };
        for (const key of ['ip', 'country', 'device_id', 'bank_hash', 'job_id', 'test_id'] as const) {
          if (typeof event[key] === 'string') event[key] = intern(event[key] as string);
        }
        const time = event[EVENT_TIME_COLUMN[eventTable]] as number;
        if (time < owner.created_at) {
          warn('event-before-account-creation', table, `${table} events dated before their account was created (kept as they are)`, `${path.basename(file)}:${line}`);
        }
        if (time < minTime) minTime = time;
        if (time > maxTime) maxTime = time;
        (owner[eventTable] as unknown[]).push(event);
      },
    });
    if (errors.length > 0) {
      throw new DatasetError(
        folder,
        `${path.basename(file)} has ${errors.length + moreErrors} bad row${errors.length + moreErrors > 1 ? 's' : ''}; nothing was loaded`,
        errors,
        moreErrors,
      );
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
    };
  }
  for (const account of accounts) {
    if (account.created_at < minTime) minTime = account.created_at;
    if (account.created_at > maxTime) maxTime = account.created_at;
    for (const table of EVENT_TABLES) {
      const column = EVENT_TIME_COLUMN[table];
      const list = account[table] as unknown as Record<string, number>[];
      if (list.length > 1) list.sort((a, b) => (a[column] as number) - (b[column] as number));
    }
  }
  if (ignored.length > 0) {
    warnings.set('ignored-files', { code: 'ignored-files', table: '-', count: ignored.length, message: 'files that are not input tables were ignored', examples: ignored.slice(0, 10) });
  }
  const rejectsFile = rejects ? await rejects.close() : null;
  const summary: DatasetSummary = {
    folder,
    accounts: accounts.length,
    tables,
    time_range: {
      from: Number.isFinite(minTime) ? new Date(minTime).toISOString() : null,
      to: Number.isFinite(maxTime) ? new Date(maxTime).toISOString() : null,
    },
    label_counts: labels ? countLabels(labels) : null,
    warnings: [...warnings.values()],
    rejects_file: rejectsFile,
  };
  return { accounts, labels, summary };
}

function countLabels(labels: ReadonlyMap<string, LabelRow>): NonNullable<DatasetSummary['label_counts']> {
  const counts = { normal: 0, fraud: 0, by_kind: {} as Record<string, number> };
  for (const label of labels.values()) {
    if (label.label === 1) {
      counts.fraud++;
      const kind = label.kind || 'unspecified';
      counts.by_kind[kind] = (counts.by_kind[kind] ?? 0) + 1;
    } else counts.normal++;
  }
  return counts;
}
