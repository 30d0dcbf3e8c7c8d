// A generator's true honest groups (honest_groups.csv beside the data) → member lists; evaluation only, so that a
// benchmark can say how many agencies, households, re-opened pairs and shared networks it took for rings.
import { DataFileError } from './data-errors.js';
import { readTruthTable } from './true-rings.js';

export interface TrueHonestGroup {
  readonly group_id: string;
  readonly kind: string;
  readonly variant: string;
  readonly members: readonly string[];
}

/**
 * True honest groups of a synthetic data folder (columns group_id, kind, variant, account_id), validated like any
 * table. An account may be in several groups (a household member who also uses a carrier NAT), but a group has one
 * kind. `knownAccounts`, when given, refuses members that are not accounts of the data set. Null without the file.
 */
export async function readTrueHonestGroups(folder: string, knownAccounts?: ReadonlySet<string>): Promise<TrueHonestGroup[] | null> {
  const groups = new Map<string, { kind: string; variant: string; members: string[] }>();
  const found = await readTruthTable(folder, 'honest_groups', knownAccounts, (row, line, file) => {
    const group = groups.get(row.group_id);
    if (!group) groups.set(row.group_id, { kind: row.kind, variant: row.variant ?? '', members: [row.account_id] });
    else if (group.kind !== row.kind) {
      throw new DataFileError(
        file,
        line,
        'kind',
        `group ${JSON.stringify(row.group_id)} was of kind ${JSON.stringify(group.kind)} on an earlier line`,
        'one kind per group',
      );
    } else group.members.push(row.account_id);
  });
  return found ? [...groups].map(([group_id, g]) => ({ group_id, ...g })) : null;
}
