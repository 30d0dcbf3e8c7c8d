// zod row schema + type per input table (DESIGN.md, input data contract v1).
//
// Each table is declared once as a list of typed columns. The zod schemas (HTTP, JSONL, docs), the
// JSON Schema export and the loaders' fast per-cell parsers are all derived from these declarations,
// so a column's rule lives in exactly one place.
import { z } from 'zod';

export const INPUT_CONTRACT_VERSION = 1;

/** The kinds of cell the contract knows; each has one parser shared by CSV, JSONL, Parquet and HTTP. */
export type ColumnKind =
  | { type: 'id' }
  | { type: 'timestamp' }
  | { type: 'country' }
  | { type: 'boolean' }
  | { type: 'number'; min?: number; max?: number; minExclusive?: boolean; integer?: boolean }
  | { type: 'label' }
  | { type: 'text'; maxLength?: number };

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly description: string;
  /** optional columns may be absent from a file or empty in a row */
  readonly optional?: boolean;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]00:?00)$/;
const ALPHA2 = /^[A-Z]{2}$/;
export const MAX_ID_LENGTH = 256;
export const MAX_TEXT_LENGTH = 20_000;

/**
 * Milliseconds since the epoch, or null when `value` is not an ISO-8601 UTC timestamp. The calendar check is
 * ours because Date.parse rolls impossible dates over (2026-02-31 → March 3, T24:00 → next day) instead of refusing.
 */
export function parseIsoUtc(value: string): number | null {
  const common = commonIsoUtc(value);
  if (common === common) return common; // not NaN
  if (!ISO_UTC.test(value)) return null;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(value.slice(11, 13)) > 23 || Number(value.slice(14, 16)) > 59) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * The common spellings `YYYY-MM-DDTHH:MM:SSZ` and `...SS.sssZ` without regex or Date.parse (the predict hot path
 * reads thousands), or NaN for anything else. Only valid dates from year 1000 on, where Date.UTC agrees with Date.parse.
 * Each digit is its code minus 48; `bad` collects them and their complements to 9, so one sign test refuses any
 * non-digit (a code below 48 makes the digit negative, one above 57 its complement).
 */
export function commonIsoUtc(value: string): number {
  const length = value.length;
  if (length !== 20 && length !== 24) return NaN;
  if (
    value.charCodeAt(4) !== 45 ||
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 ||
    value.charCodeAt(13) !== 58 ||
    value.charCodeAt(16) !== 58 ||
    value.charCodeAt(length - 1) !== 90
  )
    return NaN;
  const y0 = value.charCodeAt(0) - 48;
  const y1 = value.charCodeAt(1) - 48;
  const y2 = value.charCodeAt(2) - 48;
  const y3 = value.charCodeAt(3) - 48;
  const m0 = value.charCodeAt(5) - 48;
  const m1 = value.charCodeAt(6) - 48;
  const d0 = value.charCodeAt(8) - 48;
  const d1 = value.charCodeAt(9) - 48;
  const h0 = value.charCodeAt(11) - 48;
  const h1 = value.charCodeAt(12) - 48;
  const i0 = value.charCodeAt(14) - 48;
  const i1 = value.charCodeAt(15) - 48;
  const s0 = value.charCodeAt(17) - 48;
  const s1 = value.charCodeAt(18) - 48;
  let bad = y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1 | h0 | h1 | i0 | i1 | s0 | s1;
  bad |= (9 - y0) | (9 - y1) | (9 - y2) | (9 - y3) | (9 - m0) | (9 - m1) | (9 - d0) | (9 - d1);
  bad |= (9 - h0) | (9 - h1) | (9 - i0) | (9 - i1) | (9 - s0) | (9 - s1);
  let millis = 0;
  if (length === 24) {
    if (value.charCodeAt(19) !== 46) return NaN;
    const f0 = value.charCodeAt(20) - 48;
    const f1 = value.charCodeAt(21) - 48;
    const f2 = value.charCodeAt(22) - 48;
    bad |= f0 | f1 | f2 | (9 - f0) | (9 - f1) | (9 - f2);
    millis = f0 * 100 + f1 * 10 + f2;
  }
  if (bad < 0) return NaN;
  return utcFromFields(y0 * 1000 + y1 * 100 + y2 * 10 + y3, m0 * 10 + m1, d0 * 10 + d1, h0 * 10 + h1, i0 * 10 + i1, s0 * 10 + s1, millis);
}

/** The earliest time an account or event may carry: nothing on a marketplace this toolkit scores is older. */
export const EARLIEST_PLAUSIBLE_TIME = Date.UTC(2000, 0, 1);
/** How far ahead of the clock a time may be (clock skew between the producer and this machine). */
export const FUTURE_TOLERANCE_MS = 86_400_000;
let latestPlausible = Date.now() + FUTURE_TOLERANCE_MS;

/**
 * Whether `ms` lies in the plausible window, 2000-01-01 to one day after now. "Now" is this machine's clock, read
 * again only for a time beyond the bound read last: the bound only moves forward, so a file that loads once loads at
 * any later time (and the hot path reads no clock for ordinary times). A time year 0000 or 9999 is a producer's bug.
 */
export function isPlausibleTime(ms: number): boolean {
  if (ms < EARLIEST_PLAUSIBLE_TIME) return false;
  if (ms <= latestPlausible) return true;
  latestPlausible = Date.now() + FUTURE_TOLERANCE_MS;
  return ms <= latestPlausible;
}

/** Why a well-formed timestamp was refused, naming the window. */
export function implausibleTimeReason(): string {
  return `outside the plausible window from 2000-01-01 to one day after now (${new Date(latestPlausible).toISOString().slice(0, 10)})`;
}

/**
 * Epoch ms of a calendar date and time, or NaN when a field is out of range (a digit read as -1000 makes it so).
 * Years from 1000 only: there Date.UTC agrees with Date.parse. Shared by the string and byte fast paths.
 */
export function utcFromFields(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return NaN;
  if (day > daysInMonth(year, month)) return NaN;
  return daysSinceEpoch(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil), in integer
 * arithmetic: what Date.UTC computes, at a fraction of its cost on the predict path (~220 timestamps per account).
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year; // years counted from March, so that a leap day ends its year
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Days in a month (1-12) of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** What a valid value of this kind looks like, for error messages. */
export function describeColumnKind(kind: ColumnKind): string {
  switch (kind.type) {
    case 'id':
      return `a non-empty identifier of at most ${MAX_ID_LENGTH} characters`;
    case 'timestamp':
      return 'an ISO-8601 UTC timestamp such as 2026-03-01T12:00:00Z';
    case 'country':
      return 'an ISO-3166 alpha-2 country code such as DE';
    case 'boolean':
      return 'true or false';
    case 'label':
      return '0 (normal) or 1 (fraud)';
    case 'text':
      return `text of at most ${kind.maxLength ?? MAX_TEXT_LENGTH} characters`;
    case 'number': {
      const parts = [kind.integer ? 'an integer' : 'a number'];
      if (kind.min !== undefined) parts.push(`${kind.minExclusive ? '>' : '>='} ${kind.min}`);
      if (kind.max !== undefined) parts.push(`<= ${kind.max}`);
      return parts.join(' ');
    }
  }
}

function zodForKind(kind: ColumnKind): z.ZodType {
  switch (kind.type) {
    case 'id':
      return z.string().min(1).max(MAX_ID_LENGTH);
    case 'timestamp':
      return (
        z
          .string()
          .regex(ISO_UTC, { message: describeColumnKind(kind), abort: true })
          // one calendar check and parse per value (the predict hot path parses thousands of timestamps)
          .transform((s, ctx) => {
            const ms = parseIsoUtc(s);
            if (ms === null || !isPlausibleTime(ms)) {
              ctx.addIssue({ code: 'custom', message: ms === null ? describeColumnKind(kind) : `${s} is ${implausibleTimeReason()}` });
              return z.NEVER;
            }
            return ms;
          })
          .meta({ format: 'date-time', description: 'ISO-8601 UTC timestamp' })
      );
    case 'country':
      return z.string().regex(ALPHA2, { message: describeColumnKind(kind) });
    case 'boolean':
      return z.boolean();
    case 'label':
      return z.union([z.literal(0), z.literal(1)]);
    case 'text':
      return z.string().max(kind.maxLength ?? MAX_TEXT_LENGTH);
    case 'number': {
      let schema = kind.integer ? z.number().int() : z.number();
      if (kind.min !== undefined) schema = kind.minExclusive ? schema.gt(kind.min) : schema.gte(kind.min);
      if (kind.max !== undefined) schema = schema.lte(kind.max);
      return schema.refine(Number.isFinite, { message: 'must be a finite number' });
    }
  }
}

type ZodForKind<K extends ColumnKind> = K extends { type: 'timestamp' }
  ? z.ZodType<number, string>
  : K extends { type: 'number' }
    ? z.ZodType<number, number>
    : K extends { type: 'boolean' }
      ? z.ZodBoolean
      : K extends { type: 'label' }
        ? z.ZodType<0 | 1, 0 | 1>
        : z.ZodString;
type ShapeOf<C extends readonly ColumnSpec[]> = {
  [S in C[number] as S['name']]: S extends { optional: true } ? z.ZodOptional<ZodForKind<S['kind']>> : ZodForKind<S['kind']>;
};

/** The zod object of one table, derived from its column declarations. */
function tableSchemaOf<C extends readonly ColumnSpec[]>(columns: C): z.ZodObject<ShapeOf<C>> {
  const shape: Record<string, z.ZodType> = {};
  for (const column of columns) {
    const base = zodForKind(column.kind).describe(column.description);
    shape[column.name] = column.optional ? base.optional() : base;
  }
  return z.object(shape) as unknown as z.ZodObject<ShapeOf<C>>;
}

export const TABLE_COLUMNS = {
  accounts: [
    { name: 'account_id', kind: { type: 'id' }, description: 'opaque account identifier' },
    { name: 'created_at', kind: { type: 'timestamp' }, description: 'when the account was created' },
    { name: 'country', kind: { type: 'country' }, description: 'ISO-3166 alpha-2 country the user declared' },
    { name: 'has_2fa', kind: { type: 'boolean' }, description: 'whether two-factor authentication is on' },
  ],
  logins: [
    { name: 'account_id', kind: { type: 'id' }, description: 'account that logged in' },
    { name: 'ts', kind: { type: 'timestamp' }, description: 'login time' },
    { name: 'ip', kind: { type: 'id' }, description: 'IP address (raw or keyed hash)' },
    { name: 'country', kind: { type: 'country' }, description: 'ISO-3166 alpha-2 country of the IP' },
    { name: 'device_id', kind: { type: 'id' }, description: 'device fingerprint hash' },
  ],
  proposals: [
    { name: 'account_id', kind: { type: 'id' }, description: 'account that sent the proposal' },
    { name: 'ts', kind: { type: 'timestamp' }, description: 'when the proposal was sent' },
    { name: 'job_id', kind: { type: 'id' }, description: 'job the proposal answers' },
    { name: 'job_posted_at', kind: { type: 'timestamp' }, description: 'when the job was posted' },
    { name: 'bid_amount', kind: { type: 'number', min: 0 }, description: 'amount bid, in the job currency' },
    { name: 'job_budget', kind: { type: 'number', min: 0, minExclusive: true }, description: "the job's budget, in the job currency" },
    { name: 'text', kind: { type: 'text' }, description: 'cover letter text' },
  ],
  tests: [
    { name: 'account_id', kind: { type: 'id' }, description: 'account that took the test' },
    { name: 'test_id', kind: { type: 'id' }, description: 'skills test identifier' },
    { name: 'started_at', kind: { type: 'timestamp' }, description: 'when the test started' },
    { name: 'duration_s', kind: { type: 'number', min: 0, minExclusive: true }, description: 'seconds taken' },
    { name: 'score', kind: { type: 'number', min: 0, max: 100 }, description: 'score 0-100' },
    {
      name: 'typical_duration_s',
      kind: { type: 'number', min: 0, minExclusive: true },
      description: "the test's median duration over all takers, seconds",
    },
  ],
  payouts: [
    { name: 'account_id', kind: { type: 'id' }, description: 'account whose payout details changed' },
    { name: 'added_at', kind: { type: 'timestamp' }, description: 'when the payout method was added' },
    { name: 'bank_hash', kind: { type: 'id' }, description: 'keyed hash of the bank details' },
  ],
  labels: [
    { name: 'account_id', kind: { type: 'id' }, description: 'labelled account' },
    { name: 'label', kind: { type: 'label' }, description: '0 normal, 1 fraud' },
    {
      name: 'kind',
      kind: { type: 'text', maxLength: 64 },
      description:
        'label 1: the fraud kind (ring, bot, takeover, ...); label 0: the honest group kind (agency, household, reopened, shared_network) or empty',
      optional: true,
    },
    {
      name: 'difficulty',
      kind: { type: 'text', maxLength: 16 },
      description: 'easy or hard (synthetic data only; for per-difficulty evaluation)',
      optional: true,
    },
  ],
} as const satisfies Record<string, readonly ColumnSpec[]>;

export type TableName = keyof typeof TABLE_COLUMNS;

/**
 * Tables of a data set's truth, written beside the input by a generator: read for evaluation only, never model input,
 * so they are not tables of the input contract (a data folder's rings.csv is listed among its ignored files).
 */
export const TRUTH_TABLE_COLUMNS = {
  rings: [
    { name: 'ring_id', kind: { type: 'id' }, description: 'true fraud ring the account belongs to' },
    { name: 'account_id', kind: { type: 'id' }, description: 'member account' },
  ],
  honest_groups: [
    { name: 'group_id', kind: { type: 'id' }, description: 'true honest group (agency, household, re-opened pair, shared network)' },
    { name: 'kind', kind: { type: 'text', maxLength: 64 }, description: 'agency, household, reopened or shared_network' },
    {
      name: 'variant',
      kind: { type: 'text', maxLength: 64 },
      description: 'e.g. new or established agency; office, coworking, mobile_nat, ... network',
      optional: true,
    },
    { name: 'account_id', kind: { type: 'id' }, description: 'member account (an account may be in several groups)' },
  ],
} as const satisfies Record<string, readonly ColumnSpec[]>;
export type TruthTableName = keyof typeof TRUTH_TABLE_COLUMNS;
/** Every table the readers know: the input contract's and the truth tables. */
export type ReadableTableName = TableName | TruthTableName;
export const READABLE_TABLE_COLUMNS: Record<ReadableTableName, readonly ColumnSpec[]> = { ...TABLE_COLUMNS, ...TRUTH_TABLE_COLUMNS };
export const TABLE_NAMES = Object.keys(TABLE_COLUMNS) as TableName[];
/** Tables a dataset folder must hold; the others may be absent (an account with no events of a kind is normal). */
export const REQUIRED_TABLES: readonly TableName[] = ['accounts'];

export const AccountSchema = tableSchemaOf(TABLE_COLUMNS.accounts);
export const LoginRowSchema = tableSchemaOf(TABLE_COLUMNS.logins);
export const ProposalRowSchema = tableSchemaOf(TABLE_COLUMNS.proposals);
export const TestRowSchema = tableSchemaOf(TABLE_COLUMNS.tests);
export const PayoutRowSchema = tableSchemaOf(TABLE_COLUMNS.payouts);
export const LabelRowSchema = tableSchemaOf(TABLE_COLUMNS.labels);
export const TrueRingRowSchema = tableSchemaOf(TRUTH_TABLE_COLUMNS.rings);
export const HonestGroupRowSchema = tableSchemaOf(TRUTH_TABLE_COLUMNS.honest_groups);

/** Parsed rows: timestamps are epoch milliseconds (UTC). */
export type AccountRow = z.output<typeof AccountSchema>;
export type LoginRow = z.output<typeof LoginRowSchema>;
export type ProposalRow = z.output<typeof ProposalRowSchema>;
export type TestRow = z.output<typeof TestRowSchema>;
export type PayoutRow = z.output<typeof PayoutRowSchema>;
export type LabelRow = z.output<typeof LabelRowSchema>;
export type TrueRingRow = z.output<typeof TrueRingRowSchema>;
export type HonestGroupRow = z.output<typeof HonestGroupRowSchema>;

export const TABLE_SCHEMAS = {
  accounts: AccountSchema,
  logins: LoginRowSchema,
  proposals: ProposalRowSchema,
  tests: TestRowSchema,
  payouts: PayoutRowSchema,
  labels: LabelRowSchema,
} as const;

export interface TableRowTypes {
  accounts: AccountRow;
  logins: LoginRow;
  proposals: ProposalRow;
  tests: TestRow;
  payouts: PayoutRow;
  labels: LabelRow;
  rings: TrueRingRow;
  honest_groups: HonestGroupRow;
}

/** The timestamp column that orders each event table (and is checked against account creation). */
export const EVENT_TIME_COLUMN = {
  logins: 'ts',
  proposals: 'ts',
  tests: 'started_at',
  payouts: 'added_at',
} as const;
export type EventTableName = keyof typeof EVENT_TIME_COLUMN;
export const EVENT_TABLES = Object.keys(EVENT_TIME_COLUMN) as EventTableName[];

// One account with all its events: the unit features are computed on, and the predict API's record.
// Event rows drop account_id (it is the parent's).
export const LoginEventSchema = LoginRowSchema.omit({ account_id: true });
export const ProposalEventSchema = ProposalRowSchema.omit({ account_id: true });
export const TestEventSchema = TestRowSchema.omit({ account_id: true });
export const PayoutEventSchema = PayoutRowSchema.omit({ account_id: true });

export const AccountEventsSchema = AccountSchema.extend({
  logins: z.array(LoginEventSchema).default([]),
  proposals: z.array(ProposalEventSchema).default([]),
  tests: z.array(TestEventSchema).default([]),
  payouts: z.array(PayoutEventSchema).default([]),
});
export type LoginEvent = z.output<typeof LoginEventSchema>;
export type ProposalEvent = z.output<typeof ProposalEventSchema>;
export type TestEvent = z.output<typeof TestEventSchema>;
export type PayoutEvent = z.output<typeof PayoutEventSchema>;
/** One account and its events, timestamps in epoch ms, each event list in any order (scoring reads them in canonical order, data/event-order.ts). */
export type AccountEvents = z.output<typeof AccountEventsSchema>;
/** The same on the wire (ISO timestamps, event lists optional). */
export type AccountEventsInput = z.input<typeof AccountEventsSchema>;

/** An account as the JSON record the predict API takes (timestamps as ISO strings): AccountEventsSchema parses it back to the same account. */
export function accountEventsToRecord(account: AccountEvents): AccountEventsInput {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    account_id: account.account_id,
    created_at: iso(account.created_at),
    country: account.country,
    has_2fa: account.has_2fa,
    logins: account.logins.map((l) => ({ ...l, ts: iso(l.ts) })),
    proposals: account.proposals.map((p) => ({ ...p, ts: iso(p.ts), job_posted_at: iso(p.job_posted_at) })),
    tests: account.tests.map((t) => ({ ...t, started_at: iso(t.started_at) })),
    payouts: account.payouts.map((p) => ({ ...p, added_at: iso(p.added_at) })),
  };
}

/** JSON Schema of every table row and of one account record (input side: timestamps as ISO strings). */
export function inputContractJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const name of TABLE_NAMES) defs[name] = z.toJSONSchema(TABLE_SCHEMAS[name], { io: 'input', unrepresentable: 'any' });
  defs['account_events'] = z.toJSONSchema(AccountEventsSchema, { io: 'input', unrepresentable: 'any' });
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: `ringfence input contract v${INPUT_CONTRACT_VERSION}`, $defs: defs };
}
