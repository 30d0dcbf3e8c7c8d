// utcFromFields computes epoch ms in integer arithmetic instead of calling Date.UTC (issue 21, predict path): the
// two must agree on every valid date and time it accepts, and invalid fields stay NaN.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../data/seeded-random.js';
import { daysInMonth, utcFromFields } from '../../data/tables.js';

describe('utcFromFields', () => {
  it('equals Date.UTC on every day of the years 1999-2101 and on month ends and leap days of the years 1000-9999', () => {
    const disagreeing: string[] = [];
    for (let year = 1000; year <= 9999; year++) {
      const everyDay = year >= 1999 && year <= 2101;
      for (let month = 1; month <= 12; month++) {
        const last = daysInMonth(year, month);
        for (let day = 1; day <= last; day++) {
          if (!everyDay && day !== 1 && day < last - 1) continue;
          if (utcFromFields(year, month, day, 23, 59, 59, 999) !== Date.UTC(year, month - 1, day, 23, 59, 59, 999))
            disagreeing.push(`${year}-${month}-${day}`);
        }
      }
    }
    expect(disagreeing).toEqual([]);
  });

  it('equals Date.UTC at random times of random dates', () => {
    const random = createSeededRandom(21);
    const disagreeing: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const [year, month] = [random.int(1000, 9999), random.int(1, 12)];
      const fields = [
        year,
        month,
        random.int(1, daysInMonth(year, month)),
        random.int(0, 23),
        random.int(0, 59),
        random.int(0, 59),
        random.int(0, 999),
      ] as const;
      if (utcFromFields(...fields) !== Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], fields[6]))
        disagreeing.push(fields.join(','));
    }
    expect(disagreeing).toEqual([]);
  });

  it('is NaN for a field out of range or a day the month does not have', () => {
    type Fields = [number, number, number, number, number, number, number];
    const invalid: Fields[] = [
      [999, 1, 1, 0, 0, 0, 0],
      [2026, 0, 1, 0, 0, 0, 0],
      [2026, 13, 1, 0, 0, 0, 0],
      [2026, 2, 29, 0, 0, 0, 0],
      [2026, 4, 31, 0, 0, 0, 0],
      [2026, 1, 0, 0, 0, 0, 0],
      [2026, 1, 1, 24, 0, 0, 0],
      [2026, 1, 1, 0, 60, 0, 0],
      [2026, 1, 1, 0, 0, 60, 0],
    ];
    for (const fields of invalid) {
      expect(utcFromFields(...fields)).toBeNaN();
    }
    expect(utcFromFields(2024, 2, 29, 0, 0, 0, 0)).toBe(Date.UTC(2024, 1, 29));
  });
});
