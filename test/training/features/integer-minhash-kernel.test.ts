// The integer MinHash kernel (WebAssembly SIMD) against min-hashes.ts's JavaScript loop, its definition: the member
// profile's activity signatures are stored in identity stores and compared across processes.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { writeMinHashes } from '../../../training/features/min-hashes.js';
import { createIntegerMinHashKernel } from '../../../training/features/minhash-kernel.js';

const EXTREMES = [0, -1, 1, 0x7fffffff, -0x80000000, 0x10000, 0xffff, 490_000];

describe('createIntegerMinHashKernel', () => {
  it('writes the minimum hashes the JavaScript loop writes, salted or not, for empty, small, extreme and large inputs', () => {
    const random = createSeededRandom(32);
    const configurations = [
      { multipliers: Int32Array.from({ length: 32 }, (_, i) => Math.imul(0x85ebca6b, 2 * i + 3) | 1), hash: { shift: 16, salted: true } },
      { multipliers: Int32Array.from({ length: 32 }, (_, i) => Math.imul(0x9e3779b1, i + 1) | 1), hash: { shift: 13, salted: false } },
      { multipliers: Int32Array.from({ length: 32 }, () => random.int(0, 0xffffffff) | 0), hash: { shift: 0, salted: true } },
    ];
    for (const { multipliers, hash } of configurations) {
      const kernel = createIntegerMinHashKernel(multipliers, hash);
      expect(kernel).not.toBeNull();
      // sizes up to past the first memory page of values (16,288), which makes the kernel grow its memory
      for (const count of [0, 1, 2, 3, 5, 150, 1000, 20_000, 7]) {
        const values = Int32Array.from({ length: count + 3 }, () => (random.chance(0.1) ? random.pick(EXTREMES) : random.int(0, 0xffffffff) | 0));
        const expected = new Uint32Array(40).fill(7);
        const actual = new Uint32Array(40).fill(7);
        writeMinHashes(values, count, multipliers, hash, expected, 5);
        kernel?.writeMinHashes(values, count, actual, 5);
        expect(Array.from(actual)).toEqual(Array.from(expected));
      }
    }
  });

  it('refuses other than 32 multipliers and a shift outside 0-31', () => {
    expect(() => createIntegerMinHashKernel(new Int32Array(16), { shift: 16, salted: true })).toThrow(/32 multipliers/);
    expect(() => createIntegerMinHashKernel(new Int32Array(32), { shift: 32, salted: true })).toThrow(/shift/);
  });
});
