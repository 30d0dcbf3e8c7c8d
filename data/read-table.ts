// one CSV/JSONL/Parquet file → validated rows, or DataFileError(file, line, column, reason)
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvSyntaxError, CsvTokenizer } from './csv-tokenizer.js';
import { DataFileError, MissingColumnError } from './data-errors.js';
import { parseCell } from './parse-cell.js';
import { type ColumnSpec, describeColumnKind, TABLE_COLUMNS, type TableName, type TableRowTypes } from './tables.js';

export type TableFormat = 'csv' | 'jsonl' | 'parquet';

/** Format and compression from a file name, or null when it is not a table file. */
export function tableFileFormat(fileName: string): { format: TableFormat; compressed: boolean } | null {
  const match = /\.(csv|jsonl|ndjson|parquet)(\.gz)?$/i.exec(fileName);
  if (!match) return null;
  const ext = (match[1] as string).toLowerCase();
  const format: TableFormat = ext === 'ndjson' ? 'jsonl' : (ext as TableFormat);
  if (format === 'parquet' && match[2]) return null;
  return { format, compressed: Boolean(match[2]) };
}

export interface ReadTableOptions<N extends TableName> {
  /** receives each valid row; may throw a DataFileError to refuse it (e.g. an unknown account), handled like a bad row */
  onRow(row: TableRowTypes[N], line: number): void;
  /** receives each bad row with its raw fields; throw to stop reading */
  onBadRow(error: DataFileError, raw: unknown): void;
  /** bytes of the stored file read so far */
  onProgress?(bytesRead: number, rows: number): void;
}

export interface TableReadResult {
  readonly format: TableFormat;
  readonly compressed: boolean;
  readonly rows: number;
  readonly rejectedRows: number;
  readonly bytes: number;
  readonly sha256: string;
}

interface RowBuilder {
  /** raw cells by column position → row, or the first bad cell */
  build(valueAt: (index: number) => unknown, line: number): TableRowTypes[TableName] | DataFileError;
}

function rowBuilderFor(file: string, table: TableName, columnIndex: ReadonlyMap<string, number>): RowBuilder {
  const columns = TABLE_COLUMNS[table] as readonly ColumnSpec[];
  const bound = columns
    .map((column) => ({ column, index: columnIndex.get(column.name) ?? -1, expected: describeColumnKind(column.kind) }))
    .filter((b) => b.index >= 0 || !b.column.optional);
  return {
    build(valueAt, line) {
      const row: Record<string, unknown> = {};
      for (const { column, index, expected } of bound) {
        const result = parseCell(column.kind, valueAt(index), column.optional === true);
        if (!result.ok) return new DataFileError(file, line, column.name, result.reason, expected);
        if (result.value !== undefined) row[column.name] = result.value;
      }
      return row as TableRowTypes[TableName];
    },
  };
}

function requireColumns(file: string, table: TableName, present: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  present.forEach((name, i) => {
    if (!index.has(name.trim())) index.set(name.trim(), i);
  });
  const missing = (TABLE_COLUMNS[table] as readonly ColumnSpec[]).filter((c) => !c.optional && !index.has(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new MissingColumnError(file, missing, present);
  return index;
}

/** Streams a text file (optionally gzip) as decoded chunks while hashing and counting the stored bytes. */
async function* textChunks(file: string, compressed: boolean, stats: { bytes: number; hash: ReturnType<typeof createHash> }) {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  raw.on('data', (buffer) => {
    stats.bytes += buffer.length;
    stats.hash.update(buffer as Buffer);
  });
  let source: Readable = raw;
  if (compressed) {
    const gunzip = createGunzip();
    raw.on('error', (error) => gunzip.destroy(error));
    source = raw.pipe(gunzip);
  }
  source.setEncoding('utf8');
  try {
    for await (const chunk of source) yield chunk as string;
  } finally {
    raw.destroy();
    source.destroy();
  }
}

function gzipError(file: string, line: number, error: unknown): DataFileError | null {
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('Z_') || /unexpected end of file|incorrect header check|invalid/i.test(String((error as Error).message))) {
    return new DataFileError(file, line, null, `the gzip stream is truncated or corrupt (${(error as Error).message})`, 'a complete gzip file');
  }
  return null;
}

async function readCsv<N extends TableName>(file: string, table: N, compressed: boolean, options: ReadTableOptions<N>) {
  const stats = { bytes: 0, hash: createHash('sha256') };
  const tokenizer = new CsvTokenizer();
  let builder: RowBuilder | null = null;
  let headerLength = 0;
  let rows = 0;
  let rejected = 0;
  let lastLine = 1;
  const onRecord = ({ fields, line }: { fields: string[]; line: number }) => {
    lastLine = line;
    if (!builder) {
      builder = rowBuilderFor(file, table, requireColumns(file, table, fields));
      headerLength = fields.length;
      return;
    }
    if (fields.length !== headerLength) {
      rejected++;
      options.onBadRow(new DataFileError(file, line, null, `the row has ${fields.length} fields but the header has ${headerLength}`, 'one field per header column'), fields);
      return;
    }
    const row = builder.build((i) => fields[i], line);
    if (row instanceof DataFileError) {
      rejected++;
      options.onBadRow(row, fields);
      return;
    }
    try {
      options.onRow(row as TableRowTypes[N], line);
      rows++;
    } catch (error) {
      if (!(error instanceof DataFileError)) throw error;
      rejected++;
      options.onBadRow(error, fields);
    }
  };
  try {
    for await (const chunk of textChunks(file, compressed, stats)) {
      tokenizer.push(chunk, onRecord);
      options.onProgress?.(stats.bytes, rows);
    }
    tokenizer.end(onRecord);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new DataFileError(file, error.line, null, error.reason, 'RFC 4180 CSV');
    throw gzipError(file, lastLine, error) ?? error;
  }
  if (!builder) throw new DataFileError(file, 1, null, 'the file is empty', 'a header row naming the columns');
  return { rows, rejectedRows: rejected, bytes: stats.bytes, sha256: stats.hash.digest('hex') };
}

async function readJsonl<N extends TableName>(file: string, table: N, compressed: boolean, options: ReadTableOptions<N>) {
  const stats = { bytes: 0, hash: createHash('sha256') };
  const columns = TABLE_COLUMNS[table] as readonly ColumnSpec[];
  const names = columns.map((c) => c.name);
  const builder = rowBuilderFor(file, table, new Map(names.map((n, i) => [n, i])));
  let rows = 0;
  let rejected = 0;
  let line = 0;
  let carry = '';
  const onLine = (text: string) => {
    line++;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      rejected++;
      options.onBadRow(new DataFileError(file, line, null, `invalid JSON (${(error as Error).message})`, 'one JSON object per line'), text);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      rejected++;
      options.onBadRow(new DataFileError(file, line, null, 'the line is not a JSON object', 'one JSON object per line'), text);
      return;
    }
    const record = value as Record<string, unknown>;
    const missing = columns.filter((c) => !c.optional && !(c.name in record)).map((c) => c.name);
    if (missing.length > 0) {
      rejected++;
      options.onBadRow(new DataFileError(file, line, missing[0] as string, `the field is missing${missing.length > 1 ? ` (also ${missing.slice(1).join(', ')})` : ''}`, `fields ${names.join(', ')}`), text);
      return;
    }
    const row = builder.build((i) => record[names[i] as string], line);
    if (row instanceof DataFileError) {
      rejected++;
      options.onBadRow(row, text);
      return;
    }
    try {
      options.onRow(row as TableRowTypes[N], line);
      rows++;
    } catch (error) {
      if (!(error instanceof DataFileError)) throw error;
      rejected++;
      options.onBadRow(error, text);
    }
  };
  try {
    for await (const chunk of textChunks(file, compressed, stats)) {
      const parts = (carry + chunk).split('\n');
      carry = parts.pop() ?? '';
      for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
      options.onProgress?.(stats.bytes, rows);
    }
    if (carry !== '') onLine(carry);
  } catch (error) {
    throw gzipError(file, line + 1, error) ?? error;
  }
  return { rows, rejectedRows: rejected, bytes: stats.bytes, sha256: stats.hash.digest('hex') };
}

function toCellValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    // DuckDB timestamp values print as "2026-01-01 12:00:00"; the contract wants ISO-8601 UTC
    const text = String(value);
    return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  }
  return value;
}

async function readParquet<N extends TableName>(file: string, table: N, options: ReadTableOptions<N>) {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let rows = 0;
  let rejected = 0;
  try {
    let result;
    try {
      result = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
    } catch (error) {
      throw new DataFileError(file, 1, null, `not a readable Parquet file (${(error as Error).message.split('\n')[0]})`, 'a Parquet file');
    }
    const names = result.columnNames();
    const index = requireColumns(file, table, names);
    const builder = rowBuilderFor(file, table, index);
    const records = result.getRows();
    records.forEach((record, i) => {
      const line = i + 1;
      const row = builder.build((c) => toCellValue(record[c]), line);
      if (row instanceof DataFileError) {
        rejected++;
        options.onBadRow(row, record.map((v) => String(toCellValue(v) ?? '')));
        return;
      }
      try {
        options.onRow(row as TableRowTypes[N], line);
        rows++;
      } catch (error) {
        if (!(error instanceof DataFileError)) throw error;
        rejected++;
        options.onBadRow(error, record.map((v) => String(toCellValue(v) ?? '')));
      }
    });
    options.onProgress?.(bytes.length, rows);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { rows, rejectedRows: rejected, bytes: bytes.length, sha256 };
}

/**
 * Reads one table file, validating every cell against the input contract. Parquet rows are numbered from 1
 * in place of lines. Throws MissingColumnError, or DataFileError for unreadable files (bad CSV syntax,
 * truncated gzip); bad rows go to `onBadRow`.
 */
export async function readTable<N extends TableName>(file: string, table: N, options: ReadTableOptions<N>): Promise<TableReadResult> {
  const kind = tableFileFormat(file);
  if (!kind) throw new DataFileError(file, 1, null, 'unsupported file type', '.csv, .jsonl, .csv.gz, .jsonl.gz or .parquet');
  const result =
    kind.format === 'csv'
      ? await readCsv(file, table, kind.compressed, options)
      : kind.format === 'jsonl'
        ? await readJsonl(file, table, kind.compressed, options)
        : await readParquet(file, table, options);
  return { format: kind.format, compressed: kind.compressed, ...result };
}
