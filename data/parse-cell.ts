// One parser per ColumnKind, shared by CSV, JSONL and Parquet: a cell → typed value, or the value's problem.
//
// The zod schemas in tables.ts are derived from the same ColumnKind declarations and accept exactly the same
// JSON-typed values (a test checks both on good and bad cells). These parsers exist because zod's per-object
// work costs more than the whole rest of the CSV hot path; the CSV ones read numbers, timestamps, countries,
// booleans and labels straight from the bytes, and fall back to the text rules for anything unusual, so the
// fast path can only ever agree with them.
//
// JSONL and Parquet values may be JSON-typed (number, boolean) or strings written the CSV way ("12.5",
// "true", "1"), because many producers stringify everything; the string is then held to the CSV rule, never
// guessed at. Identifiers, text, timestamps and countries must be strings: a JSON number is refused for an
// identifier because large ids lose digits in JSON numbers.
import {
  type ColumnKind,
  type ColumnSpec,
  implausibleTimeReason,
  isPlausibleTime,
  MAX_ID_LENGTH,
  MAX_TEXT_LENGTH,
  parseIsoUtc,
  utcFromFields,
} from './tables.js';

export type CellValue = string | number | boolean | undefined;

/** What is wrong with a cell; returned rather than thrown, because bad rows are routine on the hot path. */
export class CellProblem {
  constructor(readonly reason: string) {}
}

const COUNTRY = /^[A-Z]{2}$/;
/** the CSV spelling of a number: decimal, optional sign and exponent, no spaces, no hex, no Infinity/NaN */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A value as quoted in messages: strings in JSON quotes (cut at 40 characters), numbers as they are. */
function show(raw: unknown): string {
  if (typeof raw !== 'string') return String(raw);
  return raw.length > 40 ? `${JSON.stringify(raw.slice(0, 40))}...` : JSON.stringify(raw);
}

/** A number held to its column's rule (finite, integer, bounds). */
export function checkNumber(kind: Extract<ColumnKind, { type: 'number' }>, value: number): number | CellProblem {
  if (!Number.isFinite(value)) return new CellProblem(`${value} is not a finite number`);
  if (kind.integer && !Number.isInteger(value)) return new CellProblem(`${value} is not an integer`);
  if (kind.min !== undefined && (kind.minExclusive ? value <= kind.min : value < kind.min)) return new CellProblem(`${value} is out of range`);
  if (kind.max !== undefined && value > kind.max) return new CellProblem(`${value} is out of range`);
  return value;
}

/** A cell given as text (CSV, or a string in JSONL/Parquet). An empty cell is "absent". */
export function parseTextCell(kind: ColumnKind, text: string, isOptional: boolean): CellValue | CellProblem {
  if (text === '') {
    if (isOptional) return undefined;
    return kind.type === 'text' ? '' : new CellProblem('the cell is empty');
  }
  switch (kind.type) {
    case 'id':
      return text.length > MAX_ID_LENGTH ? new CellProblem(`the identifier is ${text.length} characters long`) : text;
    case 'text': {
      const max = kind.maxLength ?? MAX_TEXT_LENGTH;
      return text.length > max ? new CellProblem(`the text is ${text.length} characters long`) : text;
    }
    case 'timestamp': {
      const ms = parseIsoUtc(text);
      if (ms === null) return new CellProblem(`${show(text)} is not an ISO-8601 UTC timestamp`);
      return isPlausibleTime(ms) ? ms : new CellProblem(`${show(text)} is ${implausibleTimeReason()}`);
    }
    case 'country':
      return COUNTRY.test(text) ? text : new CellProblem(`${show(text)} is not an ISO-3166 alpha-2 country code`);
    case 'boolean':
      if (text === 'true' || text === 'True' || text === 'TRUE') return true;
      if (text === 'false' || text === 'False' || text === 'FALSE') return false;
      return new CellProblem(`${show(text)} is not a boolean`);
    case 'label':
      if (text === '0') return 0;
      if (text === '1') return 1;
      return new CellProblem(`${show(text)} is not a label`);
    case 'number':
      return DECIMAL.test(text) ? checkNumber(kind, Number(text)) : new CellProblem(`${show(text)} is not a number`);
  }
}

/** A JSON value (JSONL, or a Parquet value converted to JSON types). null or a missing field is "absent". */
export function parseJsonCell(kind: ColumnKind, value: unknown, isOptional: boolean): CellValue | CellProblem {
  if (value === undefined || value === null)
    return isOptional ? undefined : new CellProblem(value === null ? 'the value is null' : 'the field is missing');
  if (typeof value === 'string') return parseTextCell(kind, value, isOptional);
  if (typeof value === 'number') {
    if (kind.type === 'number') return checkNumber(kind, value);
    if (kind.type === 'label') return value === 0 || value === 1 ? value : new CellProblem(`${value} is not a label`);
    return new CellProblem(`the JSON number ${show(value)} is not a string`);
  }
  if (typeof value === 'boolean') {
    return kind.type === 'boolean'
      ? value
      : new CellProblem(`the JSON boolean ${value} is not ${kind.type === 'number' || kind.type === 'label' ? 'a number' : 'a string'}`);
  }
  return new CellProblem(`a JSON ${Array.isArray(value) ? 'array' : typeof value} is not a single value`);
}

export type CsvCellParser = (buffer: Buffer, start: number, end: number, isEscaped: boolean) => CellValue | CellProblem;

const COUNTRY_CODES = Array.from({ length: 26 * 26 }, (_, i) => String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26)));
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

function digitAt(buffer: Buffer, i: number): number {
  const d = (buffer[i] as number) - 48;
  return d >= 0 && d <= 9 ? d : -1000;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` or `...SS.sssZ` from bytes, or NaN for anything else (then the text rule decides).
 * Only in-range dates from year 1000 on are taken here, where Date.UTC and parseIsoUtc agree.
 */
function timestampFromBytes(b: Buffer, s: number, e: number): number {
  const length = e - s;
  if (length !== 20 && length !== 24) return NaN;
  if (b[s + 4] !== 45 || b[s + 7] !== 45 || b[s + 10] !== 84 || b[s + 13] !== 58 || b[s + 16] !== 58 || b[e - 1] !== 90) return NaN;
  const year = digitAt(b, s) * 1000 + digitAt(b, s + 1) * 100 + digitAt(b, s + 2) * 10 + digitAt(b, s + 3);
  const month = digitAt(b, s + 5) * 10 + digitAt(b, s + 6);
  const day = digitAt(b, s + 8) * 10 + digitAt(b, s + 9);
  const hour = digitAt(b, s + 11) * 10 + digitAt(b, s + 12);
  const minute = digitAt(b, s + 14) * 10 + digitAt(b, s + 15);
  const second = digitAt(b, s + 17) * 10 + digitAt(b, s + 18);
  let millis = 0;
  if (length === 24) {
    if (b[s + 19] !== 46) return NaN;
    millis = digitAt(b, s + 20) * 100 + digitAt(b, s + 21) * 10 + digitAt(b, s + 22);
    if (millis < 0) return NaN;
  }
  return utcFromFields(year, month, day, hour, minute, second, millis);
}

/**
 * A plain decimal of at most 15 digits from bytes, or NaN (then the text rule decides). Exact: the digits
 * and the power of ten are both exact doubles, so one correctly rounded division gives what Number() gives.
 */
function decimalFromBytes(b: Buffer, s: number, e: number): number {
  let i = s;
  const isNegative = b[i] === 45;
  if (isNegative) i++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; i < e; i++) {
    const c = b[i] as number;
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fractionDigits >= 0) fractionDigits++;
    } else if (c === 46 && fractionDigits < 0) fractionDigits = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const value = fractionDigits > 0 ? mantissa / (POWERS_OF_TEN[fractionDigits] as number) : mantissa;
  return isNegative ? -value : value;
}

/** The parser of one column's CSV cells (bytes of the field, quotes stripped). */
export function csvCellParserFor(column: ColumnSpec): CsvCellParser {
  const { kind } = column;
  const isOptional = column.optional === true;
  const byText: CsvCellParser = (buffer, start, end, isEscaped) => {
    const text = buffer.toString('utf8', start, end);
    return parseTextCell(kind, isEscaped ? text.replaceAll('""', '"') : text, isOptional);
  };
  switch (kind.type) {
    case 'timestamp':
      return (buffer, start, end, isEscaped) => {
        const ms = timestampFromBytes(buffer, start, end);
        // an implausible time goes to the text rule too, which names the window
        return Number.isNaN(ms) || !isPlausibleTime(ms) ? byText(buffer, start, end, isEscaped) : ms;
      };
    case 'number':
      return (buffer, start, end, isEscaped) => {
        const value = decimalFromBytes(buffer, start, end);
        return Number.isNaN(value) ? byText(buffer, start, end, isEscaped) : checkNumber(kind, value);
      };
    case 'country':
      return (buffer, start, end, isEscaped) => {
        if (end - start === 2) {
          const a = (buffer[start] as number) - 65;
          const b = (buffer[start + 1] as number) - 65;
          // one shared string per code instead of a new one per row
          if (a >= 0 && a < 26 && b >= 0 && b < 26) return COUNTRY_CODES[a * 26 + b] as string;
        }
        return byText(buffer, start, end, isEscaped);
      };
    case 'boolean':
      return (buffer, start, end, isEscaped) => {
        if (end - start === 4 && buffer[start] === 116 && buffer[start + 1] === 114 && buffer[start + 2] === 117 && buffer[start + 3] === 101)
          return true;
        if (
          end - start === 5 &&
          buffer[start] === 102 &&
          buffer[start + 1] === 97 &&
          buffer[start + 2] === 108 &&
          buffer[start + 3] === 115 &&
          buffer[start + 4] === 101
        )
          return false;
        return byText(buffer, start, end, isEscaped);
      };
    case 'label':
      return (buffer, start, end, isEscaped) => {
        if (end - start === 1 && buffer[start] === 48) return 0;
        if (end - start === 1 && buffer[start] === 49) return 1;
        return byText(buffer, start, end, isEscaped);
      };
    case 'id':
    case 'text':
      return byText;
  }
}
