// sortAscending against the sort it replaced, (a, b) => a - b, over the finite values without -0 it is given.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { sortAscending } from '../../../training/features/sort-numbers.js';

const EXTREMES = [0, 1, -1, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1e-300, 2 ** 53, Infinity, -Infinity];

describe('sortAscending', () => {
  it('orders ranges of every length class as the comparator sort does: sorted, reversed, tied, random, extreme', () => {
    const random = createSeededRandom(64);
    for (let trial = 0; trial < 2000; trial++) {
      const count = random.int(0, random.chance(0.8) ? 70 : 400);
      const kind = trial % 5;
      let values = Array.from({ length: count }, (_, i) =>
        kind === 0 ? i : kind === 1 ? count - i : kind === 2 ? random.int(0, 3) : kind === 3 ? random.normal() * 1e6 : random.pick(EXTREMES),
      );
      if (kind === 0 && count > 2 && random.chance(0.5)) values = values.map((v, i) => (i === count - 1 ? -v : v)); // one out of place at the end
      const typed = Float64Array.from([...values, 7, 7]); // values past count are left alone
      sortAscending(typed, count);
      expect(Array.from(typed)).toEqual([...[...values].sort((a, b) => a - b), 7, 7]);
    }
  });
});
