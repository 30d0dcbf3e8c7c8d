// one CSV/JSONL/Parquet file → validated rows, or DataFileError(file, line, column, reason)
//
// Formats by extension: .csv and .jsonl (also .ndjson), each optionally .gz, and .parquet (read through DuckDB).
// Every file is streamed: memory holds one chunk and one record, never the file. Cells are validated by the
// per-column parsers of parse-cell.ts, which derive from the column declarations in tables.ts. Unknown columns
// are ignored (and listed in the result); a missing required column is a MissingColumnError.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { pipeline, type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type CsvRecordView, CsvRecordScanner, CsvSyntaxError, MAX_RECORD_BYTES } from './csv-tokenizer.js';
import { DataFileError, MissingColumnError } from './data-errors.js';
import { type CellValue, CellProblem, csvCellParserFor, type CsvCellParser, parseJsonCell } from './parse-cell.js';
import { type ColumnKind, describeColumnKind, READABLE_TABLE_COLUMNS, type ReadableTableName, type TableRowTypes } from './tables.js';

export type TableFormat = 'csv' | 'jsonl' | 'parquet';

const TABLE_FILE = /\.(csv|jsonl|ndjson|parquet)(\.gz)?$/i;

/** Format and compression from a file name, or null when it is not a table file. */
export function tableFileFormat(fileName: string): { format: TableFormat; compressed: boolean } | null {
  const match = TABLE_FILE.exec(fileName);
  if (!match) return null;
  const ext = (match[1] as string).toLowerCase();
  const format: TableFormat = ext === 'ndjson' ? 'jsonl' : (ext as TableFormat);
  if (format === 'parquet' && match[2]) return null; // Parquet compresses inside the file
  return { format, compressed: Boolean(match[2]) };
}

/** The table a file name stands for ("logins.csv.gz" → "logins"), whether or not it is a known table. */
export function tableNameOfFile(fileName: string): string | null {
  return tableFileFormat(fileName) ? fileName.replace(TABLE_FILE, '') : null;
}

interface RowListeners {
  /** each bad row with its raw text (the CSV record or JSONL line; Parquet: the row as JSON); throw to stop reading */
  onBadRow(error: DataFileError, rawText: string): void;
  /** bytes of the stored file read so far, and rows accepted */
  onProgress?(bytesRead: number, rows: number): void;
  /**
   * Reads only the rows of accounts this accepts (a shard of the data); the other rows are passed over after their
   * account_id cell, neither validated further nor counted, so that another pass can read them.
   */
  readonly keepAccount?: (accountId: string) => boolean;
}

/** What a row builder returns for a row of an account the reader was told to pass over. */
const PASSED_OVER = Symbol('passed over');

export interface ReadTableOptions<N extends ReadableTableName> extends RowListeners {
  /** each valid row; may throw a DataFileError to refuse it (e.g. an unknown account), which counts as a bad row */
  onRow(row: TableRowTypes[N], line: number): void;
}

/** An event row without its account_id, which the caller keeps once per account rather than once per event. */
export type RowWithoutAccountId<N extends ReadableTableName> = Omit<TableRowTypes[N], 'account_id'>;

export interface ReadTableByAccountOptions<N extends ReadableTableName> extends RowListeners {
  /** as ReadTableOptions.onRow, with the account id apart from the row */
  onRow(accountId: string, row: RowWithoutAccountId<N>, line: number): void;
}

/** What the readers share: rows as plain records, the account id apart when `isAccountIdApart`. */
interface ReaderOptions extends RowListeners {
  readonly isAccountIdApart: boolean;
  onRow(row: Row, line: number, accountId: string): void;
}

export interface TableReadResult {
  readonly format: TableFormat;
  readonly compressed: boolean;
  readonly rows: number;
  readonly rejectedRows: number;
  /** size of the file as stored, and the sha256 of those bytes */
  readonly bytes: number;
  readonly sha256: string;
  /** columns of the file that are not in the contract (CSV header, Parquet schema; JSONL: not tracked) */
  readonly ignoredColumns: readonly string[];
}

type Row = Record<string, CellValue>;

interface ByteStats {
  bytes: number;
  readonly hash: Hash;
}

/** The stored bytes of a file (gunzipped when compressed), hashing and counting them as they are read. */
function openBytes(file: string, compressed: boolean, stats: ByteStats): Readable {
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      stats.bytes += chunk.length;
      stats.hash.update(chunk);
      done(null, chunk);
    },
  });
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const onEnd = () => undefined; // errors surface through the iterator of the last stream
  return compressed ? pipeline(raw, counting, createGunzip({ chunkSize: 1 << 18 }), onEnd) : pipeline(raw, counting, onEnd);
}

/** A stream failure as a DataFileError naming the file, or null for anything else. */
function streamError(file: string, line: number, error: unknown): DataFileError | null {
  const code = String((error as { code?: unknown }).code ?? '');
  const message = (error as Error).message;
  if (code.startsWith('Z_') || /unexpected end of file|incorrect header check/i.test(message)) {
    return new DataFileError(file, line, null, `the gzip data is truncated or corrupt after this line (${message})`, 'a complete gzip file');
  }
  if (/^E[A-Z]+$/.test(code)) return new DataFileError(file, 0, null, `cannot read the file (${code}: ${message})`, 'a readable file');
  return null;
}

function requiredColumnsMissing(table: ReadableTableName, present: ReadonlySet<string>): string[] {
  return READABLE_TABLE_COLUMNS[table].filter((c) => !c.optional && !present.has(c.name)).map((c) => c.name);
}

function contractColumnNames(table: ReadableTableName): Set<string> {
  return new Set(READABLE_TABLE_COLUMNS[table].map((c) => c.name));
}

/** Physical line of a byte offset inside a record (a quoted field may span lines). */
function lineAt(record: CsvRecordView, offset: number): number {
  let line = record.line;
  const buffer = record.buffer;
  for (let i = record.start; i < offset; i++) {
    const c = buffer[i];
    if (c === 10 || (c === 13 && buffer[i + 1] !== 10)) line++;
  }
  return line;
}

interface CsvColumn {
  readonly name: string;
  readonly index: number;
  readonly parse: CsvCellParser;
  readonly expected: string;
}

/** The account id of the row last built, when it is kept apart from the row. */
class AccountIdSlot {
  value = '';
}

class CsvRowBuilder {
  readonly header: string[];
  readonly ignoredColumns: string[];
  private readonly columns: CsvColumn[];

  constructor(
    private readonly file: string,
    table: ReadableTableName,
    header: string[],
    private readonly accountId: AccountIdSlot | null,
    private readonly keepAccount: ((accountId: string) => boolean) | undefined,
  ) {
    this.header = header;
    const known = contractColumnNames(table);
    const positions = new Map<string, number>();
    for (const [i, name] of header.entries()) {
      if (positions.has(name) && known.has(name)) {
        throw new DataFileError(
          file,
          1,
          name,
          `the header names column ${name} twice (positions ${(positions.get(name) as number) + 1} and ${i + 1})`,
          'each column once',
        );
      }
      positions.set(name, i);
    }
    const missing = requiredColumnsMissing(table, new Set(positions.keys()));
    if (missing.length > 0) throw new MissingColumnError(file, missing, header);
    this.ignoredColumns = header.filter((name) => !known.has(name));
    this.columns = READABLE_TABLE_COLUMNS[table]
      .filter((c) => positions.has(c.name))
      .map((c) => ({ name: c.name, index: positions.get(c.name) as number, parse: csvCellParserFor(c), expected: describeColumnKind(c.kind) }));
  }

  /** The row, or the first bad cell as an error on the cell's own physical line. */
  build(record: CsvRecordView): Row | DataFileError | typeof PASSED_OVER {
    const row: Row = {};
    const { buffer, bounds, escaped } = record;
    for (const column of this.columns) {
      const i = column.index;
      const start = bounds[2 * i] as number;
      const value = column.parse(buffer, start, bounds[2 * i + 1] as number, escaped[i] === 1);
      if (value instanceof CellProblem) return new DataFileError(this.file, lineAt(record, start), column.name, value.reason, column.expected);
      if (value === undefined) continue;
      if (column.name === 'account_id') {
        if (this.keepAccount && !this.keepAccount(value as string)) return PASSED_OVER;
        if (this.accountId) {
          this.accountId.value = value as string;
          continue;
        }
      }
      row[column.name] = value;
    }
    return row;
  }

  /** The first column whose bytes are not valid UTF-8, for a record that failed the whole-record check. */
  invalidUtf8Column(record: CsvRecordView): { column: string; line: number } {
    for (let i = 0; i < record.fieldCount; i++) {
      const start = record.bounds[2 * i] as number;
      if (!isUtf8(record.buffer.subarray(start, record.bounds[2 * i + 1] as number)))
        return { column: this.header[i] ?? `field ${i + 1}`, line: lineAt(record, start) };
    }
    return { column: this.header[0] ?? 'field 1', line: record.line };
  }
}

/** A row's source text, made only when the row is rejected (a closure per row would cost more than the row). */
type RawSource = string | CsvRecordView | ParquetRecord;

class ParquetRecord {
  constructor(readonly values: Record<string, unknown>) {}
}

function rawTextOf(raw: RawSource): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof ParquetRecord) return JSON.stringify(raw.values);
  return raw.buffer.toString('utf8', raw.start, raw.end);
}

/** Counts accepted and rejected rows; a DataFileError thrown by `onRow` turns the row into a rejected one. */
class RowSink {
  rows = 0;
  rejected = 0;
  readonly accountId: AccountIdSlot | null;
  constructor(private readonly options: ReaderOptions) {
    this.accountId = options.isAccountIdApart ? new AccountIdSlot() : null;
  }

  accept(row: Row, line: number, raw: RawSource): void {
    try {
      this.options.onRow(row, line, this.accountId?.value ?? '');
      this.rows++;
    } catch (error) {
      if (!(error instanceof DataFileError)) throw error;
      this.reject(error, raw);
    }
  }

  reject(error: DataFileError, raw: RawSource): void {
    this.rejected++;
    this.options.onBadRow(error, rawTextOf(raw));
  }
}

async function readCsv(file: string, table: ReadableTableName, compressed: boolean, options: ReaderOptions) {
  const stats: ByteStats = { bytes: 0, hash: createHash('sha256') };
  const scanner = new CsvRecordScanner();
  const sink = new RowSink(options);
  let builder: CsvRowBuilder | null = null;
  let lastLine = 1;
  const onRecord = (record: CsvRecordView) => {
    lastLine = record.line;
    if (!builder) {
      const header: string[] = [];
      for (let i = 0; i < record.fieldCount; i++) header.push(record.buffer.toString('utf8', record.bounds[2 * i], record.bounds[2 * i + 1]).trim());
      builder = new CsvRowBuilder(file, table, header, sink.accountId, options.keepAccount);
      return;
    }
    const width = builder.header.length;
    if (record.fieldCount !== width) {
      const isShort = record.fieldCount < width;
      const column = isShort ? (builder.header[record.fieldCount] as string) : null;
      const reason = `the row has ${record.fieldCount} fields but the header has ${width}${isShort ? ` (no value for ${column} onwards)` : ''}`;
      sink.reject(new DataFileError(file, record.line, column, reason, 'one field per header column'), record);
      return;
    }
    if (record.hasHighBytes && !isUtf8(record.buffer.subarray(record.start, record.end))) {
      const { column, line } = builder.invalidUtf8Column(record);
      sink.reject(new DataFileError(file, line, column, 'the bytes are not valid UTF-8 text', 'UTF-8 encoded text'), record);
      return;
    }
    const row = builder.build(record);
    if (row === PASSED_OVER) return;
    if (row instanceof DataFileError) sink.reject(row, record);
    else sink.accept(row, record.line, record);
  };
  try {
    for await (const chunk of openBytes(file, compressed, stats)) {
      scanner.push(chunk as Buffer, onRecord);
      options.onProgress?.(stats.bytes, sink.rows);
    }
    scanner.end(onRecord);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      const column =
        error.fieldIndex === null ? null : ((builder as CsvRowBuilder | null)?.header[error.fieldIndex] ?? `field ${error.fieldIndex + 1}`);
      throw new DataFileError(file, error.line, column, error.reason, 'RFC 4180 CSV');
    }
    throw streamError(file, lastLine, error) ?? error;
  }
  if (!builder) throw new DataFileError(file, 1, null, 'the file is empty', 'a header row naming the columns');
  return {
    rows: sink.rows,
    rejectedRows: sink.rejected,
    bytes: stats.bytes,
    sha256: stats.hash.digest('hex'),
    ignoredColumns: (builder as CsvRowBuilder).ignoredColumns,
  };
}

interface JsonColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly isOptional: boolean;
  readonly expected: string;
}

function jsonColumnsOf(table: ReadableTableName): JsonColumn[] {
  return READABLE_TABLE_COLUMNS[table].map((c) => ({
    name: c.name,
    kind: c.kind,
    isOptional: c.optional === true,
    expected: describeColumnKind(c.kind),
  }));
}

/** A JSON object's row, or the first bad value as an error. */
function rowFromObject(
  file: string,
  line: number,
  columns: readonly JsonColumn[],
  record: Record<string, unknown>,
  unit: 'line' | 'row',
  accountId: AccountIdSlot | null,
  keepAccount: ((accountId: string) => boolean) | undefined,
): Row | DataFileError | typeof PASSED_OVER {
  const row: Row = {};
  for (const column of columns) {
    const value = parseJsonCell(column.kind, record[column.name], column.isOptional);
    if (value instanceof CellProblem) return new DataFileError(file, line, column.name, value.reason, column.expected, unit);
    if (value === undefined) continue;
    if (column.name === 'account_id') {
      if (keepAccount && !keepAccount(value as string)) return PASSED_OVER;
      if (accountId) {
        accountId.value = value as string;
        continue;
      }
    }
    row[column.name] = value;
  }
  return row;
}

async function readJsonl(file: string, table: ReadableTableName, compressed: boolean, options: ReaderOptions) {
  const stats: ByteStats = { bytes: 0, hash: createHash('sha256') };
  const columns = jsonColumnsOf(table);
  const sink = new RowSink(options);
  let line = 0;
  const onLine = (buffer: Buffer, start: number, end: number) => {
    line++;
    if (line === 1 && buffer[start] === 0xef && buffer[start + 1] === 0xbb && buffer[start + 2] === 0xbf) start += 3;
    if (end > start && buffer[end - 1] === 13) end--;
    const bytes = buffer.subarray(start, end);
    if (!isUtf8(bytes)) {
      sink.reject(new DataFileError(file, line, null, 'the line is not valid UTF-8 text', 'UTF-8 encoded JSON'), bytes.toString('utf8'));
      return;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      sink.reject(new DataFileError(file, line, null, `the line is not valid JSON (${(error as Error).message})`, 'one JSON object per line'), text);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      sink.reject(
        new DataFileError(
          file,
          line,
          null,
          `the line holds a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`,
          'one JSON object per line',
        ),
        text,
      );
      return;
    }
    const row = rowFromObject(file, line, columns, value as Record<string, unknown>, 'line', sink.accountId, options.keepAccount);
    if (row === PASSED_OVER) return;
    if (row instanceof DataFileError) sink.reject(row, text);
    else sink.accept(row, line, text);
  };
  let carry: Buffer | null = null;
  try {
    for await (const chunk of openBytes(file, compressed, stats)) {
      const buffer: Buffer = carry ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let newline = buffer.indexOf(10, start); newline !== -1; newline = buffer.indexOf(10, start)) {
        onLine(buffer, start, newline);
        start = newline + 1;
      }
      carry = start < buffer.length ? Buffer.from(buffer.subarray(start)) : null;
      if (carry && carry.length > MAX_RECORD_BYTES)
        throw new DataFileError(file, line + 1, null, `the line is longer than ${MAX_RECORD_BYTES >> 20} MiB`, 'one JSON object per line');
      options.onProgress?.(stats.bytes, sink.rows);
    }
    if (carry) onLine(carry, 0, carry.length);
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw streamError(file, line, error) ?? error;
  }
  return { rows: sink.rows, rejectedRows: sink.rejected, bytes: stats.bytes, sha256: stats.hash.digest('hex'), ignoredColumns: [] };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A DuckDB value as the JSON value the cell parsers take; Parquet's own types decide what is lossless. */
function jsonValueOfParquet(kind: ColumnKind, value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString();
  if (typeof value === 'bigint') {
    if (kind.type === 'id' || kind.type === 'text') return value.toString();
    return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
  }
  // an integer-typed id column is a normal Parquet schema; its digits are the identifier
  if (typeof value === 'number' && kind.type === 'id') return String(value);
  return value;
}

/** Size and sha256 of a file's bytes as stored (compressed files are not decompressed), as table summaries record them. */
export async function sha256OfFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const stats: ByteStats = { bytes: 0, hash: createHash('sha256') };
  try {
    for await (const chunk of openBytes(file, false, stats)) void chunk;
  } catch (error) {
    throw streamError(file, 0, error) ?? error;
  }
  return { bytes: stats.bytes, sha256: stats.hash.digest('hex') };
}

async function readParquet(file: string, table: ReadableTableName, options: ReaderOptions) {
  const { bytes, sha256 } = await sha256OfFile(file);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const sink = new RowSink(options);
  let ignoredColumns: string[] = [];
  try {
    const quoted = `'${file.replaceAll("'", "''")}'`;
    let result;
    let totalRows: number;
    try {
      // before the streaming query: a new query on the connection would end that stream
      const metadata = await connection.runAndReadAll(`SELECT sum(num_rows) FROM parquet_file_metadata(${quoted})`);
      totalRows = Number(metadata.getRows()[0]?.[0] ?? 0);
      result = await connection.stream(`SELECT * FROM read_parquet(${quoted})`);
    } catch (error) {
      throw new DataFileError(file, 0, null, `not a readable Parquet file (${(error as Error).message.split('\n')[0]})`, 'a Parquet file');
    }
    const names = result.columnNames();
    const known = contractColumnNames(table);
    const missing = requiredColumnsMissing(table, new Set(names));
    if (missing.length > 0) throw new MissingColumnError(file, missing, names, false);
    ignoredColumns = names.filter((n) => !known.has(n));
    const columns = jsonColumnsOf(table).filter((c) => names.includes(c.name));
    const positions = columns.map((c) => names.indexOf(c.name));
    let rowNumber = 0;
    const batches = result.yieldRowsJs()[Symbol.asyncIterator]();
    for (;;) {
      let batch: IteratorResult<unknown[][]>;
      try {
        batch = await batches.next();
      } catch (error) {
        throw new DataFileError(
          file,
          rowNumber + 1,
          null,
          `the Parquet data cannot be read (${(error as Error).message.split('\n')[0]})`,
          'a complete Parquet file',
          'row',
        );
      }
      if (batch.done) break;
      for (const values of batch.value) {
        rowNumber++;
        const record: Record<string, unknown> = {};
        for (const [k, column] of columns.entries()) record[column.name] = jsonValueOfParquet(column.kind, values[positions[k] as number]);
        const row = rowFromObject(file, rowNumber, columns, record, 'row', sink.accountId, options.keepAccount);
        if (row === PASSED_OVER) continue;
        if (row instanceof DataFileError) sink.reject(row, new ParquetRecord(record));
        else sink.accept(row, rowNumber, new ParquetRecord(record));
      }
      // bytes are read by DuckDB out of our sight; rows tell how far it is
      options.onProgress?.(totalRows > 0 ? Math.round((bytes * rowNumber) / totalRows) : 0, sink.rows);
    }
    options.onProgress?.(bytes, sink.rows);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { rows: sink.rows, rejectedRows: sink.rejected, bytes, sha256, ignoredColumns };
}

/**
 * Reads one table file, validating every cell against the input contract, and passes each row to `onRow`
 * and each bad row to `onBadRow`. Throws MissingColumnError, or DataFileError when the file as a whole cannot
 * be read (bad CSV syntax such as an unterminated quote, truncated gzip, not Parquet). Parquet rows are
 * numbered from 1 in place of lines.
 */
export async function readTable<N extends ReadableTableName>(file: string, table: N, options: ReadTableOptions<N>): Promise<TableReadResult> {
  const onRow = options.onRow as unknown as (row: Row, line: number) => void;
  return readAnyTable(file, table, { ...options, isAccountIdApart: false, onRow });
}

/** readTable with each row's account_id passed apart: what grouping events by account needs. */
export async function readTableByAccount<N extends ReadableTableName>(
  file: string,
  table: N,
  options: ReadTableByAccountOptions<N>,
): Promise<TableReadResult> {
  const onRow = options.onRow as unknown as (accountId: string, row: Row, line: number) => void;
  return readAnyTable(file, table, { ...options, isAccountIdApart: true, onRow: (row, line, accountId) => onRow(accountId, row, line) });
}

async function readAnyTable(file: string, table: ReadableTableName, options: ReaderOptions): Promise<TableReadResult> {
  const kind = tableFileFormat(file);
  if (!kind) throw new DataFileError(file, 0, null, 'unsupported file type', '.csv, .jsonl, .csv.gz, .jsonl.gz or .parquet');
  const result =
    kind.format === 'csv'
      ? await readCsv(file, table, kind.compressed, options)
      : kind.format === 'jsonl'
        ? await readJsonl(file, table, kind.compressed, options)
        : await readParquet(file, table, options);
  return { format: kind.format, compressed: kind.compressed, ...result };
}
