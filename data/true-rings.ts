// A generator's true rings (rings.csv beside the data, or .jsonl/.parquet) → member lists; evaluation only.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DataFileError, DatasetError } from './data-errors.js';
import { DEFAULT_MAX_ERRORS } from './load-dataset.js';
import { readTable, tableNameOfFile } from './read-table.js';
import type { TableRowTypes, TruthTableName } from './tables.js';

export interface TrueRing {
  readonly ring_id: string;
  readonly members: readonly string[];
}

/** How messages name each truth table. */
const TRUTH_NAMES: Record<TruthTableName, string> = { rings: 'true-rings', honest_groups: 'true honest groups' };

/** The folder's file of a truth table, or null when it has none; two of them is an error, as for input tables. */
async function findTruthFile(folder: string, table: TruthTableName): Promise<string | null> {
  let names: string[];
  try {
    names = (await readdir(folder, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    throw new DatasetError(folder, `cannot read the data folder ${folder}: ${(error as Error).message}`);
  }
  const found = names.filter((name) => tableNameOfFile(name) === table);
  if (found.length > 1)
    throw new DatasetError(folder, `the data folder ${folder} has two ${TRUTH_NAMES[table]} files, ${found.join(' and ')}: keep one`);
  return found[0] ? path.join(folder, found[0]) : null;
}

/**
 * Reads a truth table of `folder` through readTable, row by row; `onRow` may throw a DataFileError to refuse a row.
 * `knownAccounts`, when given, refuses a row whose account is not an account of the data set before `onRow` sees it.
 * Bad rows are collected (up to the usual limit) and thrown together. False when the folder has no such file.
 */
export async function readTruthTable<N extends TruthTableName>(
  folder: string,
  table: N,
  knownAccounts: ReadonlySet<string> | undefined,
  onRow: (row: TableRowTypes[N], line: number, file: string) => void,
): Promise<boolean> {
  const file = await findTruthFile(folder, table);
  if (file === null) return false;
  const errors: DataFileError[] = [];
  let moreErrors = 0;
  const onBadRow = (error: DataFileError) => {
    if (errors.length < DEFAULT_MAX_ERRORS) errors.push(error);
    else moreErrors++;
  };
  const onKnownRow = (row: TableRowTypes[N], line: number) => {
    if (knownAccounts && !knownAccounts.has(row.account_id)) {
      throw new DataFileError(
        file,
        line,
        'account_id',
        `account ${JSON.stringify(row.account_id)} is not in the accounts table`,
        'an account_id listed in accounts',
      );
    }
    onRow(row, line, file);
  };
  await readTable(file, table, { onBadRow, onRow: onKnownRow });
  if (errors.length > 0) {
    const count = errors.length + moreErrors;
    throw new DatasetError(
      folder,
      `${path.basename(file)} has ${count} bad row${count > 1 ? 's' : ''}; the ${TRUTH_NAMES[table].replace('-', ' ')} were not read`,
      errors,
      moreErrors,
    );
  }
  return true;
}

/**
 * True rings of a synthetic data folder (columns ring_id, account_id), validated like any table: bad rows and an
 * account listed in two rings are errors naming file and line. `knownAccounts`, when given, refuses members that are
 * not accounts of the data set. Null when the folder has no rings file.
 */
export async function readTrueRings(folder: string, knownAccounts?: ReadonlySet<string>): Promise<TrueRing[] | null> {
  const members = new Map<string, string[]>();
  const ringOf = new Map<string, string>();
  const found = await readTruthTable(folder, 'rings', knownAccounts, (row, line, file) => {
    const earlier = ringOf.get(row.account_id);
    if (earlier !== undefined) {
      throw new DataFileError(
        file,
        line,
        'account_id',
        `account ${JSON.stringify(row.account_id)} is already a member of ring ${JSON.stringify(earlier)}`,
        'each account in at most one ring',
      );
    }
    ringOf.set(row.account_id, row.ring_id);
    let list = members.get(row.ring_id);
    if (!list) members.set(row.ring_id, (list = []));
    list.push(row.account_id);
  });
  return found ? [...members].map(([ring_id, list]) => ({ ring_id, members: list })) : null;
}
