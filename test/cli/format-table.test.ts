import { describe, expect, it } from 'vitest';
import { formatTable } from '../../cli/format-table.js';

describe('formatTable', () => {
  it('gives every number of a column the same decimals and right-aligns numeric columns', () => {
    const text = formatTable(
      ['id', 'risk', 'count'],
      [
        ['a', 78, 3],
        ['b', 70.68, 12],
        ['c', 0.1234567, 5],
      ],
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[2]).toBe('a   78.000      3');
    expect(lines[3]).toBe('b   70.680     12');
    expect(lines[4]).toBe('c    0.123      5');
  });

  it('uses only the decimals a column needs, and one from 100 up', () => {
    expect(
      formatTable(['risk'], [[78], [70.68]])
        .split('\n')
        .slice(2, 4),
    ).toEqual(['78.00', '70.68']);
    expect(
      formatTable(['seconds'], [[123.456], [100]])
        .split('\n')
        .slice(2, 4),
    ).toEqual(['  123.5', '  100.0']);
    expect(
      formatTable(['n'], [[1], [20]])
        .split('\n')
        .slice(2, 4),
    ).toEqual([' 1', '20']);
  });
});
