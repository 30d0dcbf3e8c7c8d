// Plain-JS parser of one predict record (AccountEvents), derived from TABLE_COLUMNS like AccountEventsSchema.
//
// zod spends ~2 µs per event on the predict hot path (a 135-event account costs more to validate than to score).
// This parser accepts a subset of what AccountEventsSchema accepts and returns the same output; whatever it does not
// accept (every invalid record, and rare valid spellings it does not bother with) returns null, and the caller asks
// zod, which names every problem. A test checks both directions on random and mutated records.
import {
  type AccountEvents,
  type ColumnKind,
  type ColumnSpec,
  EVENT_TABLES,
  type EventTableName,
  MAX_ID_LENGTH,
  MAX_TEXT_LENGTH,
  parseIsoUtc,
  TABLE_COLUMNS,
} from './tables.js';

/** Marks a value the quick path does not take. */
const REFUSED = Symbol('refused');
type ValueParser = (value: unknown) => unknown;

const ALPHA2 = /^[A-Z]{2}$/;

function valueParserFor(kind: ColumnKind): ValueParser {
  switch (kind.type) {
    case 'id':
      return (v) => (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH ? v : REFUSED);
    case 'text': {
      const max = kind.maxLength ?? MAX_TEXT_LENGTH;
      return (v) => (typeof v === 'string' && v.length <= max ? v : REFUSED);
    }
    case 'timestamp':
      return (v) => (typeof v === 'string' ? (parseIsoUtc(v) ?? REFUSED) : REFUSED);
    case 'country':
      return (v) => (typeof v === 'string' && ALPHA2.test(v) ? v : REFUSED);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : REFUSED);
    case 'label':
      return (v) => (v === 0 || v === 1 ? v : REFUSED);
    case 'number': {
      const { min, max, minExclusive, integer } = kind;
      return (v) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) return REFUSED;
        if (integer && !Number.isInteger(v)) return REFUSED;
        if (min !== undefined && (minExclusive ? v <= min : v < min)) return REFUSED;
        if (max !== undefined && v > max) return REFUSED;
        return v;
      };
    }
  }
}

type RowParser = (value: unknown) => Record<string, unknown> | null;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Copies the declared columns (unknown keys are dropped, as zod's object does); null when a column is refused. */
function rowParserFor(columns: readonly ColumnSpec[]): RowParser {
  // optional columns never occur in the predict record's tables; leave them to zod rather than guess its rules
  if (columns.some((c) => c.optional)) return () => null;
  const names = columns.map((c) => c.name);
  const parsers = columns.map((c) => valueParserFor(c.kind));
  return (value) => {
    if (!isPlainObject(value)) return null;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const parsed = (parsers[i] as ValueParser)(value[name]);
      if (parsed === REFUSED) return null;
      out[name] = parsed;
    }
    return out;
  };
}

const withoutAccountId = (columns: readonly ColumnSpec[]) => columns.filter((c) => c.name !== 'account_id');
const parseAccountRow = rowParserFor(TABLE_COLUMNS.accounts);
const parseEventRow = Object.fromEntries(EVENT_TABLES.map((table) => [table, rowParserFor(withoutAccountId(TABLE_COLUMNS[table]))])) as Record<EventTableName, RowParser>;

/** The parsed record, equal to what AccountEventsSchema gives; null = let zod decide (and explain). */
export function parseAccountEventsQuickly(value: unknown): AccountEvents | null {
  const account = parseAccountRow(value);
  if (account === null) return null;
  const record = value as Record<string, unknown>;
  for (const table of EVENT_TABLES) {
    const rows = record[table];
    if (rows === undefined) {
      account[table] = [];
      continue;
    }
    if (!Array.isArray(rows)) return null;
    const parsed = new Array<Record<string, unknown>>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = parseEventRow[table](rows[i]);
      if (row === null) return null;
      parsed[i] = row;
    }
    account[table] = parsed;
  }
  return account as AccountEvents;
}
