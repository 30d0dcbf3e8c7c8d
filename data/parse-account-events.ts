// Plain-JS parser of one predict record (AccountEvents), derived from TABLE_COLUMNS like AccountEventsSchema.
//
// zod spends ~2 µs per event on the predict hot path (a 135-event account costs more to validate than to score).
// This parser accepts a subset of what AccountEventsSchema accepts and returns the same output; whatever it does not
// accept (every invalid record, and rare valid spellings it does not bother with) returns null, and the caller asks
// zod, which names every problem. A test checks both directions on random and mutated records.
import { CellProblem, checkNumber, parseTextCell } from './parse-cell.js';
import { type AccountEvents, type ColumnKind, type ColumnSpec, EVENT_TABLES, type EventTableName, TABLE_COLUMNS } from './tables.js';

/** Marks a value the quick path does not take. */
const REFUSED = Symbol('refused');
type ValueParser = (value: unknown) => unknown;

/**
 * The loaders' cell rules, held to zod's JSON types: identifiers, text, timestamps and countries must be strings,
 * numbers numbers and booleans booleans (the loaders also take CSV spellings such as "12" or "true"; zod does not).
 */
function valueParserFor(kind: ColumnKind): ValueParser {
  switch (kind.type) {
    case 'id':
    case 'text':
    case 'timestamp':
    case 'country':
      return (v) => {
        if (typeof v !== 'string') return REFUSED;
        const parsed = parseTextCell(kind, v, false);
        return parsed instanceof CellProblem ? REFUSED : parsed;
      };
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : REFUSED);
    case 'label':
      return (v) => (v === 0 || v === 1 ? v : REFUSED);
    case 'number':
      return (v) => {
        if (typeof v !== 'number') return REFUSED;
        const parsed = checkNumber(kind, v);
        return parsed instanceof CellProblem ? REFUSED : parsed;
      };
  }
}

type RowParser = (value: unknown) => Record<string, unknown> | null;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

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
const parseEventRow = Object.fromEntries(EVENT_TABLES.map((table) => [table, rowParserFor(withoutAccountId(TABLE_COLUMNS[table]))])) as Record<
  EventTableName,
  RowParser
>;

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
