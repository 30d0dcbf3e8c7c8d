// The canonical order of an account's events: the one order every path (file loaders, HTTP, library) scores in.
//
// Features that read a sequence (country changes between consecutive logins, impossible travel, the middle proposal
// as a ring's template) would otherwise depend on the order a client happened to send. Each list is sorted by its
// time column, then by every other column in declared order (numbers numerically, strings by UTF-16 code units,
// false before true), a total order: rows that tie on every column are identical, so any permutation of a list sorts
// to the same list.
import { type AccountEvents, EVENT_TABLES, EVENT_TIME_COLUMN, type EventTableName, TABLE_COLUMNS } from './tables.js';

type Row = Record<string, unknown>;
type Compare = (a: Row, b: Row) => number;

function compareValues(x: unknown, y: unknown): number {
  if (x === y) return 0;
  if (x === undefined) return -1;
  if (y === undefined) return 1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : 1;
}

function comparatorOf(table: EventTableName): Compare {
  const time = EVENT_TIME_COLUMN[table];
  const columns = [time, ...TABLE_COLUMNS[table].map((c) => c.name).filter((name) => name !== time && name !== 'account_id')];
  return (a, b) => {
    const byTime = (a[time] as number) - (b[time] as number);
    if (byTime !== 0) return byTime;
    for (const column of columns) {
      const order = compareValues(a[column], b[column]);
      if (order !== 0) return order;
    }
    return 0;
  };
}

const COMPARE = Object.fromEntries(EVENT_TABLES.map((table) => [table, comparatorOf(table)])) as Record<EventTableName, Compare>;

/**
 * Whether no two neighbours compare > 0, as the comparator decides it: by time first, and the other columns only on a
 * tie. Each row's time is read once and the comparator runs only on a tie, instead of a call and two reads per pair.
 */
function isInOrder(list: readonly Row[], table: EventTableName): boolean {
  if (list.length < 2) return true;
  const time = EVENT_TIME_COLUMN[table];
  let previous = (list[0] as Row)[time] as number;
  for (let i = 1; i < list.length; i++) {
    const current = (list[i] as Row)[time] as number;
    const byTime = previous - current;
    if (byTime > 0 || (byTime === 0 && COMPARE[table](list[i - 1] as Row, list[i] as Row) > 0)) return false;
    previous = current;
  }
  return true;
}

/** Puts each event list of `account` in canonical order, in place (the loaders own the lists they build). */
export function sortEventsCanonically(account: AccountEvents): void {
  for (const table of EVENT_TABLES) {
    const list = account[table] as unknown as Row[];
    if (!isInOrder(list, table)) list.sort(COMPARE[table]);
  }
}

/**
 * The account with each event list in canonical order: `account` itself when it already is (the common case, one
 * pass per list), else a copy with sorted copies of the lists; the caller's arrays are never reordered.
 */
export function inCanonicalOrder(account: AccountEvents): AccountEvents {
  let ordered: AccountEvents | null = null;
  for (const table of EVENT_TABLES) {
    const list = account[table] as unknown as Row[];
    if (isInOrder(list, table)) continue;
    ordered ??= { ...account };
    (ordered as unknown as Record<EventTableName, Row[]>)[table] = [...list].sort(COMPARE[table]);
  }
  return ordered ?? account;
}
