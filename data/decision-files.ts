// Decision files (CSV or JSONL) and feedback files (CSV account_id,label[,kind]) ⇄ validated decisions; read errors name file, line, field.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { forEachCsvRecord } from './csv-text.js';
import { DataFileError, DatasetError, MissingColumnError } from './data-errors.js';
import { formatCsvRow, writeLinesAtomically } from './csv-writer.js';
import {
  csvCellsToDecisionInput,
  type Decision,
  DECISION_CSV_COLUMNS,
  type DecisionRequest,
  DecisionRequestSchema,
  decisionToCsvCells,
} from './decisions.js';
import { LabelRowSchema } from './tables.js';

/** The fields a decisions file may hold: those of the CSV form, and the raw `identifier` of a list entry. */
const DECISION_FILE_FIELDS: readonly string[] = [...DECISION_CSV_COLUMNS, 'identifier'];

/** Errors listed in full before the rest are only counted (as the table loader does). */
const MAX_LISTED_ERRORS = 20;

export interface LineRecord {
  readonly line: number;
  readonly record: Record<string, unknown>;
}

/** A decision with the line of the file it came from (a list entry may still carry a raw identifier, to be hashed). */
export interface DecisionAtLine {
  readonly line: number;
  readonly decision: DecisionRequest;
}

async function readText(file: string, expected: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new DataFileError(file, 0, null, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, expected);
  }
}

/** The records of a CSV file with a header, as objects of their non-empty cells; `toRecord` maps header + fields. */
function csvRecords(
  file: string,
  text: string,
  toRecord: (header: readonly string[], fields: readonly string[]) => Record<string, unknown>,
  required: readonly string[],
  /** when given, a header column outside it is refused (a misspelt column would otherwise be dropped unseen) */
  allowed?: readonly string[],
): LineRecord[] {
  let header: string[] | null = null;
  const records: LineRecord[] = [];
  const onRecord = ({ fields, line }: { fields: string[]; line: number }) => {
    if (!header) {
      header = fields.map((f) => f.trim());
      const missing = required.filter((c) => !header?.includes(c));
      if (missing.length > 0) throw new MissingColumnError(file, missing, header);
      const unknown = allowed ? header.filter((c) => !allowed.includes(c)) : [];
      if (unknown.length > 0)
        throw new DataFileError(
          file,
          1,
          unknown.join(', '),
          `unknown column${unknown.length > 1 ? 's' : ''}`,
          `columns among ${allowed?.join(', ')}`,
        );
      return;
    }
    if (fields.length === 1 && fields[0]?.trim() === '') return; // a blank line
    if (fields.length !== header.length)
      throw new DataFileError(
        file,
        line,
        null,
        `the row has ${fields.length} fields but the header has ${header.length}`,
        'one field per header column',
      );
    records.push({ line, record: toRecord(header, fields) });
  };
  forEachCsvRecord(file, text, onRecord);
  return records;
}

function jsonlRecords(file: string, text: string): LineRecord[] {
  const records: LineRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataFileError(file, i + 1, null, `not valid JSON (${(error as Error).message})`, 'one JSON object per line');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new DataFileError(file, i + 1, null, 'the line is not a JSON object', 'one JSON object per line');
    records.push({ line: i + 1, record: value as Record<string, unknown> });
  });
  return records;
}

/**
 * Parses every record with `schema`; every bad field becomes a DataFileError, and any error fails the file. With
 * `allowedKeys`, a field outside them is an error too, instead of being dropped by the schema unseen.
 */
function parseRecords<S extends z.ZodType>(
  file: string,
  records: readonly LineRecord[],
  schema: S,
  allowedKeys?: readonly string[],
): { line: number; value: z.output<S> }[] {
  const errors: DataFileError[] = [];
  const parsed: { line: number; value: z.output<S> }[] = [];
  for (const { line, record } of records) {
    const unknown = allowedKeys ? Object.keys(record).filter((key) => !allowedKeys.includes(key)) : [];
    for (const key of unknown) errors.push(new DataFileError(file, line, key, 'unknown field', `fields among ${allowedKeys?.join(', ')}`));
    if (unknown.length > 0) continue;
    const result = schema.safeParse(record);
    if (result.success) parsed.push({ line, value: result.data });
    else
      for (const issue of result.error.issues)
        errors.push(new DataFileError(file, line, issue.path.length ? issue.path.join('.') : null, issue.message));
  }
  if (errors.length > 0) {
    throw new DatasetError(
      path.dirname(file),
      `${path.basename(file)}: ${errors.length} invalid field${errors.length > 1 ? 's' : ''}`,
      errors.slice(0, MAX_LISTED_ERRORS),
      Math.max(0, errors.length - MAX_LISTED_ERRORS),
    );
  }
  return parsed;
}

/**
 * Reads a decisions file: `.jsonl` (one decision object per line) or `.csv` (columns of DECISION_CSV_COLUMNS, plus an
 * optional `identifier` column of raw list entries, which the importer hashes).
 */
export async function readDecisionsFile(file: string): Promise<DecisionAtLine[]> {
  const isJsonl = /\.jsonl$/i.test(file);
  if (!isJsonl && !/\.csv$/i.test(file)) throw new DataFileError(file, 0, null, 'unknown file type', 'a .csv or .jsonl file');
  const text = await readText(file, 'a decisions file');
  const records = isJsonl
    ? jsonlRecords(file, text)
    : csvRecords(file, text, csvCellsToDecisionInput, ['type', 'reviewer', 'decided_at'], DECISION_FILE_FIELDS);
  return parseRecords(file, records, DecisionRequestSchema, DECISION_FILE_FIELDS).map(({ line, value }) => ({ line, decision: value }));
}

const FeedbackRowSchema = LabelRowSchema.pick({ account_id: true, label: true, kind: true });
export type FeedbackRow = z.output<typeof FeedbackRowSchema> & { readonly line: number };

/**
 * Reads a feedback file, CSV `account_id,label[,kind]` (label 1 fraud, 0 honest), the analyst's shortcut for account
 * decisions. A repeated account is an error: two verdicts for one account in one file cannot both be meant.
 */
export async function readFeedbackCsv(file: string): Promise<FeedbackRow[]> {
  const text = await readText(file, 'a feedback CSV (account_id,label[,kind])');
  const records = csvRecords(
    file,
    text,
    (header, fields) => {
      const record: Record<string, unknown> = {};
      header.forEach((column, j) => {
        const cell = (fields[j] ?? '').trim();
        if (column === 'label') record[column] = cell === '1' ? 1 : cell === '0' ? 0 : cell;
        else if (cell !== '') record[column] = cell;
      });
      return record;
    },
    ['account_id', 'label'],
  );
  const rows = parseRecords(file, records, FeedbackRowSchema).map(({ line, value }) => ({ ...value, line }));
  const firstLine = new Map<string, number>();
  const repeats: DataFileError[] = [];
  for (const row of rows) {
    const first = firstLine.get(row.account_id);
    if (first === undefined) firstLine.set(row.account_id, row.line);
    else
      repeats.push(
        new DataFileError(file, row.line, 'account_id', `account ${row.account_id} already has a label on line ${first}`, 'one label per account'),
      );
  }
  if (repeats.length > 0)
    throw new DatasetError(
      path.dirname(file),
      `${path.basename(file)}: ${repeats.length} repeated account${repeats.length > 1 ? 's' : ''}`,
      repeats.slice(0, MAX_LISTED_ERRORS),
      Math.max(0, repeats.length - MAX_LISTED_ERRORS),
    );
  return rows;
}

/** Feedback rows that name accounts the data does not have, each reported with its line: never dropped silently. */
export function assertFeedbackAccountsKnown(file: string, rows: readonly FeedbackRow[], isKnown: (accountId: string) => boolean): void {
  const unknown = rows
    .filter((row) => !isKnown(row.account_id))
    .map(
      (row) =>
        new DataFileError(
          file,
          row.line,
          'account_id',
          `unknown account ${row.account_id}: it is not in the training data`,
          'an account of the data folder',
        ),
    );
  if (unknown.length > 0) {
    throw new DatasetError(
      path.dirname(file),
      `${path.basename(file)}: ${unknown.length} of ${rows.length} labelled accounts are not in the training data`,
      unknown.slice(0, MAX_LISTED_ERRORS),
      Math.max(0, unknown.length - MAX_LISTED_ERRORS),
    );
  }
}

/** Writes decisions as `.jsonl` or `.csv` (by extension), atomically: no half-written file is left behind. */
export async function writeDecisionsFile(file: string, decisions: readonly Decision[]): Promise<void> {
  const isJsonl = /\.jsonl$/i.test(file);
  if (!isJsonl && !/\.csv$/i.test(file)) throw new DataFileError(file, 0, null, 'unknown file type', 'a .csv or .jsonl file');
  function* lines(): Generator<string> {
    if (!isJsonl) yield formatCsvRow(DECISION_CSV_COLUMNS);
    for (const decision of decisions) yield isJsonl ? `${JSON.stringify(decision)}\n` : formatCsvRow(decisionToCsvCells(decision));
  }
  await writeLinesAtomically(file, lines());
}
