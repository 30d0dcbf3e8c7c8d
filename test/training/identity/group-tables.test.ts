import { describe, expect, it } from 'vitest';
import { buildIdentityIndex } from '../../../training/identity/identity-graph.js';
import { IdentityConfigSchema } from '../../../training/identity/identity-index.js';
import { GROUP_COLUMNS, groupRows, RING_COLUMNS, ringRows } from '../../../training/identity/group-tables.js';
import { DEFAULT_RING_ABOVE } from '../../../training/identity/ring-score.js';
import { agency, AS_OF, household, newRing } from './group-fixtures.js';

// the three cases in one population: an agency of 20 on one bank and office IP, a household of 3 on one laptop, and 6 new accounts made in two days with one template
const index = buildIdentityIndex([...agency(20), ...household(3), ...newRing(6)], {
  config: IdentityConfigSchema.parse({}),
  hashKey: 'test-key',
  judgement: { context: { as_of: AS_OF, unusual_above: 60, typical_bid_spread: 0.35 }, ring_above: DEFAULT_RING_ABOVE },
});
const column = (columns: readonly string[], row: (string | number)[], name: string) => row[columns.indexOf(name)];

describe('rings.csv and groups.csv rows', () => {
  it('lists only rings in rings.csv: each member of the new ring with its ring score, what it rests on and why', () => {
    const rows = [...ringRows(index.rings.values())];
    expect(rows.map((row) => column(RING_COLUMNS, row, 'account_id')).sort()).toEqual(
      newRing(6)
        .map((a) => a.account_id)
        .sort(),
    );
    expect(new Set(rows.map((row) => column(RING_COLUMNS, row, 'ring_id'))).size).toBe(1);
    for (const row of rows) {
      expect(String(column(RING_COLUMNS, row, 'ring_id'))).toMatch(/^R-/);
      expect(Number(column(RING_COLUMNS, row, 'ring_score'))).toBeGreaterThanOrEqual(DEFAULT_RING_ABOVE);
      expect(String(column(RING_COLUMNS, row, 'rests_on')).split(' ')).toEqual(expect.arrayContaining(['created-together', 'shared-template']));
      expect(column(RING_COLUMNS, row, 'reasons')).toMatch(/6 of 6 accounts were created within 7 days of each other/);
      expect(column(RING_COLUMNS, row, 'identifiers')).toMatch(/^device:\w+:6$/);
    }
  });

  it('writes the agency and the household to groups.csv, each with its score below the threshold and the reason it is not a ring', () => {
    const rows = [...groupRows(index.groups.values())];
    const byGroup = new Map<string, string[]>();
    for (const row of rows) {
      const id = String(column(GROUP_COLUMNS, row, 'group_id'));
      byGroup.set(id, [...(byGroup.get(id) ?? []), String(column(GROUP_COLUMNS, row, 'account_id'))]);
    }
    const groups = [...byGroup.values()].map((members) => members.sort());
    expect(groups.sort((a, b) => a.length - b.length)).toEqual([
      household(3)
        .map((a) => a.account_id)
        .sort(),
      agency(20)
        .map((a) => a.account_id)
        .sort(),
    ]);
    for (const row of rows) {
      expect(String(column(GROUP_COLUMNS, row, 'group_id'))).toMatch(/^G-/);
      expect(Number(column(GROUP_COLUMNS, row, 'ring_score'))).toBeLessThan(DEFAULT_RING_ABOVE);
      expect(column(GROUP_COLUMNS, row, 'not_ring_because')).toMatch(/^ring score [\d.]+ is below 50: .*against signs of an honest group: /);
    }
    const agencyRow = rows.find((row) => String(column(GROUP_COLUMNS, row, 'account_id')).startsWith('AG')) as (string | number)[];
    expect(String(column(GROUP_COLUMNS, agencyRow, 'honest_signs')).split(' ')).toEqual(expect.arrayContaining(['creation-spread']));
    expect(column(GROUP_COLUMNS, agencyRow, 'identifiers')).toMatch(/bank:\w+:20/);
    const householdRow = rows.find((row) => String(column(GROUP_COLUMNS, row, 'account_id')).startsWith('HH')) as (string | number)[];
    expect(column(GROUP_COLUMNS, householdRow, 'identifiers')).toMatch(/device:\w+:3/);
  });
});
