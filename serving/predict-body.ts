// The predict body → the accounts to score, or a 400 that lists at most MAX_LISTED_PROBLEMS problems: validation
// costs about the same for a valid body and for one made of millions of broken rows.
import type { z } from 'zod';
import { parseAccountEventsQuickly } from '../data/parse-account-events.js';
import { type AccountEvents, AccountEventsSchema, EVENT_TABLES, type EventTableName } from '../data/tables.js';
import type { ServeConfig } from './config.js';
import { type FieldError, HttpProblem, toJsonPointer } from './http-problem.js';

/** Problems listed in one answer; the rest are counted (per account), not listed. */
export const MAX_LISTED_PROBLEMS = 100;

// the row schemas as AccountEventsSchema holds them (each table is an array of rows with a default)
const ROW_SCHEMAS = Object.fromEntries(EVENT_TABLES.map((table) => [table, AccountEventsSchema.shape[table].unwrap().element])) as unknown as Record<
  EventTableName,
  z.ZodType
>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const issuesAt = (error: z.ZodError, prefix: readonly PropertyKey[]): FieldError[] =>
  error.issues.map((issue) => ({ pointer: toJsonPointer([...prefix, ...issue.path]), detail: issue.message, code: issue.code }));

/** Collects problems, listing the first MAX_LISTED_PROBLEMS. */
class ProblemList {
  readonly listed: FieldError[] = [];
  get full(): boolean {
    return this.listed.length >= MAX_LISTED_PROBLEMS;
  }
  add(errors: readonly FieldError[]): void {
    for (const error of errors) {
      if (this.full) return;
      this.listed.push(error);
    }
  }
}

/**
 * One account's problems: its own fields first, then row by row, so that a table of broken rows is not validated
 * whole; stops at the first problem once the list is full (the account is then only counted as invalid). An account
 * whose rows all pass is parsed whole, so that rules across fields still apply.
 */
function validateAccount(raw: unknown, index: number, problems: ProblemList): AccountEvents | null {
  const prefix = ['accounts', index];
  if (!isRecord(raw)) {
    const parsed = AccountEventsSchema.safeParse(raw);
    if (!parsed.success) problems.add(issuesAt(parsed.error, prefix));
    return null;
  }
  // the account's own fields, with its (valid) tables emptied: a table that is not an array is named here
  const fields = AccountEventsSchema.safeParse({
    ...raw,
    ...Object.fromEntries(EVENT_TABLES.filter((t) => Array.isArray(raw[t])).map((t) => [t, []])),
  });
  let valid = fields.success;
  if (!fields.success) {
    problems.add(issuesAt(fields.error, prefix));
    if (problems.full) return null;
  }
  for (const table of EVENT_TABLES) {
    const rows = raw[table];
    if (!Array.isArray(rows)) continue;
    for (let row = 0; row < rows.length; row++) {
      const parsed = ROW_SCHEMAS[table].safeParse(rows[row]);
      if (parsed.success) continue;
      valid = false;
      problems.add(issuesAt(parsed.error, [...prefix, table, row]));
      if (problems.full) return null;
    }
  }
  if (!valid) return null;
  const whole = AccountEventsSchema.safeParse(raw);
  if (whole.success) return whole.data;
  problems.add(issuesAt(whole.error, prefix));
  return null;
}

/** Limits first, so that an oversized batch is refused before anything is validated. */
function checkLimits(accounts: readonly unknown[], config: Pick<ServeConfig, 'max_accounts_per_request' | 'max_events_per_account'>): void {
  if (accounts.length > config.max_accounts_per_request) {
    throw new HttpProblem('payload-too-large', `${accounts.length} accounts in one request; the limit is ${config.max_accounts_per_request}`);
  }
  accounts.forEach((account, i) => {
    if (!isRecord(account)) return;
    const events = EVENT_TABLES.reduce((sum, table) => sum + (Array.isArray(account[table]) ? (account[table] as unknown[]).length : 0), 0);
    if (events > config.max_events_per_account) {
      throw new HttpProblem('payload-too-large', `account ${i} has ${events} events; the limit is ${config.max_events_per_account} per account`);
    }
  });
}

/** The accounts of a predict body, or an HttpProblem: 413 over a limit, 400 naming (at most 100 of) the problems. */
export function parsePredictBody(body: unknown, config: Pick<ServeConfig, 'max_accounts_per_request' | 'max_events_per_account'>): AccountEvents[] {
  const accounts = isRecord(body) ? body['accounts'] : undefined;
  if (!Array.isArray(accounts) || accounts.length === 0) {
    const detail = Array.isArray(accounts) ? 'must hold at least one account' : 'expected an object with an array of accounts';
    throw new HttpProblem('invalid-request', `the predict request: 1 invalid field`, [
      { pointer: '#/accounts', detail, code: Array.isArray(accounts) ? 'too_small' : 'invalid_type' },
    ]);
  }
  checkLimits(accounts, config);
  const parsed: AccountEvents[] = [];
  const problems = new ProblemList();
  let invalid = 0;
  for (let i = 0; i < accounts.length; i++) {
    const account = parseAccountEventsQuickly(accounts[i]) ?? validateAccount(accounts[i], i, problems);
    if (account === null) invalid += 1;
    else parsed.push(account);
  }
  if (invalid === 0) return parsed;
  const listed = problems.listed.length;
  const more = problems.full ? `; the first ${listed} problems are listed, the rest of the body was checked only for which accounts are invalid` : '';
  throw new HttpProblem(
    'invalid-request',
    `the predict request: ${invalid} of ${accounts.length} accounts invalid, ${listed}${problems.full ? '+' : ''} invalid field${listed === 1 ? '' : 's'}${more}`,
    problems.listed,
  );
}
