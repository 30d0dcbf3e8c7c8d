import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import { roundToDecimals } from '../../../training/scoring/round-decimals.js';

const definition = (value: number, digits: number) => Number(value.toFixed(digits));

/** Object.is: -0 and +0 differ, NaN equals NaN. */
function expectSameAsToFixed(values: readonly number[], digits: number): void {
  const differing = values.filter((v) => !Object.is(roundToDecimals(v, digits), definition(v, digits)));
  expect(differing.map((v) => ({ v, digits, got: roundToDecimals(v, digits), want: definition(v, digits) }))).toEqual([]);
}

describe('roundToDecimals', () => {
  const random = createSeededRandom(41);

  it('equals Number(value.toFixed(digits)) on random values of every magnitude and sign', () => {
    for (let digits = 0; digits <= 8; digits++) {
      const values = Array.from({ length: 40_000 }, () => {
        const magnitude = 10 ** random.int(-9, 12);
        return (random.next() < 0.5 ? -1 : 1) * random.next() * magnitude;
      });
      expectSameAsToFixed(values, digits);
    }
  });

  it('equals it at and around halfway points and whole decimals, where the product rounds', () => {
    for (let digits = 0; digits <= 6; digits++) {
      const scale = 10 ** digits;
      const values: number[] = [];
      for (let i = 0; i < 20_000; i++) {
        const n = random.int(0, 10 ** random.int(1, 9));
        for (const offset of [0, 0.5, -0.5]) {
          const x = (n + offset) / scale;
          values.push(x, -x, x + Number.EPSILON * x, x - Number.EPSILON * x, x * (1 + 1e-9), x * (1 - 1e-9));
        }
      }
      // classic cases: 1.005, 2.675 and 1.0005 sit just below or above their halfway points in binary
      values.push(1.005, 2.675, 1.0005, 0.125, 0.375, 1.45, 8.345, 1e-7, 999_999_999.5 / scale);
      expectSameAsToFixed(values, digits);
    }
  });

  it('keeps the signs of zero, NaN, infinities and values beyond the fast range as toFixed gives them', () => {
    const special = [0, -0, -1e-9, 1e-9, -0.0004, 0.0004, NaN, Infinity, -Infinity, 1e21, -1e21, 1e9, -1e9, 5e-324, Number.MAX_VALUE];
    for (let digits = 0; digits <= 10; digits++) expectSameAsToFixed(special, digits);
  });
});
