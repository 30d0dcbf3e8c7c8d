// Plain-JS parser of one predict record (AccountEvents): the fast path beside AccountEventsSchema.
//
// zod spends ~2 µs per event on the predict hot path (a 135-event account costs more to validate than to score).
// This parser accepts a subset of what AccountEventsSchema accepts and returns the same output; whatever it does not
// accept (every invalid record, and rare valid spellings it does not bother with) returns null, and the caller asks
// zod, which names every problem. A test checks both directions on random and mutated records.
//
// Each table has its own row parser that reads its columns by name and builds the row as one object literal, so that
// every property access and every row has one shape (a loop over column names made each access a keyed lookup and
// each row a chain of map transitions: most of the cost). TypeScript holds each literal to the table's row type,
// which tables.ts derives from TABLE_COLUMNS, so a column added or renamed there fails to compile here; the cell
// rules are tables.ts's and parse-cell.ts's.
import { CellProblem, checkNumber, parseTextCell } from './parse-cell.js';
import {
  type AccountEvents,
  type ColumnKind,
  type ColumnSpec,
  commonIsoUtc,
  isPlausibleTime,
  type LoginEvent,
  MAX_ID_LENGTH,
  MAX_TEXT_LENGTH,
  type PayoutEvent,
  type ProposalEvent,
  TABLE_COLUMNS,
  type TestEvent,
} from './tables.js';

type Row = Record<string, unknown>;
type NumberKind = Extract<ColumnKind, { type: 'number' }>;

const isPlainObject = (v: unknown): v is Row =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** An identifier: a non-empty string of at most MAX_ID_LENGTH characters. */
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;

/** Free text: a string of at most MAX_TEXT_LENGTH characters, empty included (no column read here sets maxLength). */
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT_LENGTH;

/** /^[A-Z]{2}$/ without the regex. */
function isCountry(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 2) return false;
  const a = v.charCodeAt(0) - 65;
  const b = v.charCodeAt(1) - 65;
  return a >= 0 && a < 26 && b >= 0 && b < 26;
}

const TIMESTAMP: ColumnKind = { type: 'timestamp' };

/** A timestamp cell as epoch ms, or NaN when refused: the common spellings directly, anything else by the text rule. */
function timestampOf(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const ms = commonIsoUtc(v);
  if (ms === ms) return isPlausibleTime(ms) ? ms : NaN;
  const parsed = parseTextCell(TIMESTAMP, v, false);
  return typeof parsed === 'number' ? parsed : NaN;
}

const isNumberOf = (kind: NumberKind, v: unknown): v is number => typeof v === 'number' && !(checkNumber(kind, v) instanceof CellProblem);

/**
 * The kind each row parser below reads each column as, checked against TABLE_COLUMNS when this module loads: a rule
 * changed there (a kind, a text limit, an optional column) stops the service here instead of drifting from zod.
 */
const COLUMNS_READ = {
  accounts: { account_id: 'id', created_at: 'timestamp', country: 'country', has_2fa: 'boolean' },
  logins: { account_id: 'id', ts: 'timestamp', ip: 'id', country: 'country', device_id: 'id' },
  proposals: {
    account_id: 'id',
    ts: 'timestamp',
    job_id: 'id',
    job_posted_at: 'timestamp',
    bid_amount: 'number',
    job_budget: 'number',
    text: 'text',
  },
  tests: { account_id: 'id', test_id: 'id', started_at: 'timestamp', duration_s: 'number', score: 'number', typical_duration_s: 'number' },
  payouts: { account_id: 'id', added_at: 'timestamp', bank_hash: 'id' },
} as const;
for (const [table, read] of Object.entries(COLUMNS_READ) as [string, Record<string, ColumnKind['type']>][]) {
  const declared = TABLE_COLUMNS[table as keyof typeof COLUMNS_READ] as readonly ColumnSpec[];
  const matches =
    declared.length === Object.keys(read).length &&
    declared.every((c) => read[c.name] === c.kind.type && c.optional !== true && !(c.kind.type === 'text' && c.kind.maxLength !== undefined));
  if (!matches) throw new Error(`parse-account-events.ts reads the ${table} table by rules TABLE_COLUMNS no longer declares`);
}

/** The declared kind of a number column (its bounds), read from TABLE_COLUMNS. */
function numberKind(table: keyof typeof TABLE_COLUMNS, name: string): NumberKind {
  const kind = TABLE_COLUMNS[table].find((c) => c.name === name)?.kind;
  if (kind?.type !== 'number') throw new Error(`${table}.${name} is not a number column`);
  return kind;
}
const BID_AMOUNT = numberKind('proposals', 'bid_amount');
const JOB_BUDGET = numberKind('proposals', 'job_budget');
const DURATION_S = numberKind('tests', 'duration_s');
const SCORE = numberKind('tests', 'score');
const TYPICAL_DURATION_S = numberKind('tests', 'typical_duration_s');

function parseLogin(v: unknown): LoginEvent | null {
  if (!isPlainObject(v)) return null;
  const ts = timestampOf(v['ts']);
  const { ip, country, device_id } = v;
  if (ts !== ts || !isId(ip) || !isCountry(country) || !isId(device_id)) return null;
  return { ts, ip, country, device_id };
}

function parseProposal(v: unknown): ProposalEvent | null {
  if (!isPlainObject(v)) return null;
  const ts = timestampOf(v['ts']);
  const job_posted_at = timestampOf(v['job_posted_at']);
  const { job_id, bid_amount, job_budget, text } = v;
  if (ts !== ts || job_posted_at !== job_posted_at || !isId(job_id) || !isText(text)) return null;
  if (!isNumberOf(BID_AMOUNT, bid_amount) || !isNumberOf(JOB_BUDGET, job_budget)) return null;
  return { ts, job_id, job_posted_at, bid_amount, job_budget, text };
}

function parseTest(v: unknown): TestEvent | null {
  if (!isPlainObject(v)) return null;
  const started_at = timestampOf(v['started_at']);
  const { test_id, duration_s, score, typical_duration_s } = v;
  if (started_at !== started_at || !isId(test_id)) return null;
  if (!isNumberOf(DURATION_S, duration_s) || !isNumberOf(SCORE, score) || !isNumberOf(TYPICAL_DURATION_S, typical_duration_s)) return null;
  return { test_id, started_at, duration_s, score, typical_duration_s };
}

function parsePayout(v: unknown): PayoutEvent | null {
  if (!isPlainObject(v)) return null;
  const added_at = timestampOf(v['added_at']);
  const { bank_hash } = v;
  if (added_at !== added_at || !isId(bank_hash)) return null;
  return { added_at, bank_hash };
}

/** One event list: [] when absent (zod's default), null when not an array or a row is refused. */
function parseRows<T>(rows: unknown, parseRow: (v: unknown) => T | null): T[] | null {
  if (rows === undefined) return [];
  if (!Array.isArray(rows)) return null;
  const parsed = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = parseRow(rows[i]);
    if (row === null) return null;
    parsed[i] = row;
  }
  return parsed;
}

/** The parsed record, equal to what AccountEventsSchema gives; null = let zod decide (and explain). */
export function parseAccountEventsQuickly(value: unknown): AccountEvents | null {
  if (!isPlainObject(value)) return null;
  const { account_id, country, has_2fa } = value;
  const created_at = timestampOf(value['created_at']);
  if (!isId(account_id) || created_at !== created_at || !isCountry(country) || typeof has_2fa !== 'boolean') return null;
  const logins = parseRows(value['logins'], parseLogin);
  if (logins === null) return null;
  const proposals = parseRows(value['proposals'], parseProposal);
  if (proposals === null) return null;
  const tests = parseRows(value['tests'], parseTest);
  if (tests === null) return null;
  const payouts = parseRows(value['payouts'], parsePayout);
  if (payouts === null) return null;
  return { account_id, created_at, country, has_2fa, logins, proposals, tests, payouts };
}
