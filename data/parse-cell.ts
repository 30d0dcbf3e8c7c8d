// One parser per ColumnKind, shared by CSV, JSONL and Parquet: a cell's raw value → typed value, or why not.
//
// The zod schemas in tables.ts are derived from the same ColumnKind declarations; a test checks both accept
// and refuse the same cells. Parsing here avoids zod's per-object overhead on the loaders' hot path.
import { type ColumnKind, MAX_ID_LENGTH, MAX_TEXT_LENGTH, parseIsoUtc } from './tables.js';

export type CellValue = string | number | boolean | undefined;

/** `{ok: true, value}` or `{ok: false, reason}` (reason names the value's problem). */
export type CellResult = { ok: true; value: CellValue } | { ok: false; reason: string };

const COUNTRY = /^[A-Z]{2}$/;
const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function show(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}...` : JSON.stringify(text);
}

/** Parses a cell from text (CSV) or a JSON value (JSONL, Parquet). Empty/null is "missing". */
export function parseCell(kind: ColumnKind, raw: unknown, isOptional: boolean): CellResult {
  if (raw === undefined || raw === null || raw === '') {
    return isOptional ? { ok: true, value: undefined } : { ok: false, reason: 'is empty' };
  }
  switch (kind.type) {
    case 'id':
      if (typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
      if (typeof raw !== 'string') return { ok: false, reason: `${show(raw)} is not a string` };
      if (raw.length > MAX_ID_LENGTH) return { ok: false, reason: `is ${raw.length} characters long` };
      return { ok: true, value: raw };
    case 'text': {
      if (typeof raw !== 'string') return { ok: false, reason: `${show(raw)} is not a string` };
      const max = kind.maxLength ?? MAX_TEXT_LENGTH;
      if (raw.length > max) return { ok: false, reason: `is ${raw.length} characters long` };
      return { ok: true, value: raw };
    }
    case 'timestamp': {
      if (typeof raw !== 'string') return { ok: false, reason: `${show(raw)} is not a timestamp string` };
      const ms = parseIsoUtc(raw);
      return ms === null ? { ok: false, reason: `${show(raw)} is not an ISO-8601 UTC timestamp` } : { ok: true, value: ms };
    }
    case 'country':
      if (typeof raw !== 'string' || !COUNTRY.test(raw)) return { ok: false, reason: `${show(raw)} is not a country code` };
      return { ok: true, value: raw };
    case 'boolean':
      if (raw === true || raw === 'true' || raw === 'TRUE' || raw === 'True') return { ok: true, value: true };
      if (raw === false || raw === 'false' || raw === 'FALSE' || raw === 'False') return { ok: true, value: false };
      return { ok: false, reason: `${show(raw)} is not a boolean` };
    case 'label':
      if (raw === 0 || raw === '0') return { ok: true, value: 0 };
      if (raw === 1 || raw === '1') return { ok: true, value: 1 };
      return { ok: false, reason: `${show(raw)} is not a label` };
    case 'number': {
      let value: number;
      if (typeof raw === 'number') value = raw;
      else if (typeof raw === 'string' && NUMERIC.test(raw)) value = Number(raw);
      else return { ok: false, reason: `${show(raw)} is not a number` };
      if (!Number.isFinite(value)) return { ok: false, reason: `${show(raw)} is not a finite number` };
      if (kind.integer && !Number.isInteger(value)) return { ok: false, reason: `${value} is not an integer` };
      if (kind.min !== undefined && (kind.minExclusive ? value <= kind.min : value < kind.min)) {
        return { ok: false, reason: `${value} is out of range` };
      }
      if (kind.max !== undefined && value > kind.max) return { ok: false, reason: `${value} is out of range` };
      return { ok: true, value };
    }
  }
}
