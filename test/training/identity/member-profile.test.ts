// The activity signature's fast code (int32, four hashes per pass) against its definition written out plainly in
// unsigned arithmetic: signatures are stored in identity stores and compared across processes, so they must not change.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { integerSetSignature } from '../../../training/identity/member-profile.js';

/** The definition: two multiply-xorshift rounds per value, then 32 keyed multiply-xorshift hashes, minimum of each. */
function referenceSignature(values: ReadonlySet<number>): number[] {
  const multipliers = Array.from({ length: 32 }, (_, i) => Math.imul(0x85ebca6b, 2 * i + 3) | 1);
  const signature = new Array<number>(32).fill(0xffffffff);
  for (const value of values) {
    let h = Math.imul(value ^ (value >>> 16), 0x7feb352d) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
    for (let k = 0; k < 32; k++) {
      const mixed = Math.imul(h ^ k, multipliers[k] as number) >>> 0;
      signature[k] = Math.min(signature[k] as number, (mixed ^ (mixed >>> 16)) >>> 0);
    }
  }
  return signature;
}

describe('integerSetSignature', () => {
  it('equals the definition on empty, small and large sets of hour numbers and of arbitrary 32-bit values', () => {
    const random = createSeededRandom(19);
    const sets: Set<number>[] = [new Set(), new Set([0]), new Set([0xffffffff]), new Set([490_000, 490_001, 490_002])];
    for (let trial = 0; trial < 200; trial++) {
      const size = random.int(1, trial < 100 ? 300 : 2000);
      const start = random.int(260_000, 500_000); // hours since the epoch, 2000-2027
      sets.push(new Set(Array.from({ length: size }, () => (trial % 2 ? start + random.int(0, 5000) : random.int(0, 0xffffffff)))));
    }
    for (const set of sets) expect(integerSetSignature(set)).toEqual(referenceSignature(set));
  });
});
