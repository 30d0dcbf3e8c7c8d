// parseIsoUtc reads the common spellings (`YYYY-MM-DDTHH:MM:SSZ`, `...SS.sssZ`) character by character, with one sign
// test for all digits (issue 21, predict path). Held here to the plain definition: the contract's regex, then
// Date.parse, refusing whatever Date.parse rolls over into another date, hour or minute (2026-02-31, T24:00).
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../data/seeded-random.js';
import { parseIsoUtc } from '../../data/tables.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]00:?00)$/;

function plainIsoUtc(value: string): number | null {
  if (!ISO_UTC.test(value)) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  return new Date(ms).toISOString().slice(0, 16) === value.slice(0, 16) ? ms : null;
}

// characters around the digits' codes and beyond ASCII: ASCII neighbours of '0' and '9', other separators, controls,
// Arabic-Indic and full-width digits, a lone surrogate and the last code unit
const ODD_CHARACTERS = [
  '/',
  ':',
  '.',
  '-',
  'T',
  'Z',
  'z',
  't',
  ' ',
  '\t',
  '\n',
  '\u0000',
  '\u007f',
  '\u0660',
  '\u0669',
  '\uff10',
  '\uff19',
  '\ud800',
  '\uffff',
  'é',
  '+',
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('parseIsoUtc', () => {
  it('agrees with the plain definition on random timestamps, valid and impossible fields, in every spelling', () => {
    const random = createSeededRandom(2112);
    const disagreeing: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      // field values a little past their ranges, so that day 29-32, month 0/13, hour 24, minute/second 60 occur
      const year = random.int(0, 5) === 0 ? random.int(0, 9999) : random.int(1995, 2030);
      const fields = `${pad(year, 4)}-${pad(random.int(0, 13), 2)}-${pad(random.int(0, 32), 2)}T${pad(random.int(0, 24), 2)}:${pad(random.int(0, 60), 2)}`;
      const seconds = `:${pad(random.int(0, 60), 2)}`;
      const spelling = random.int(0, 7);
      const value =
        spelling <= 2
          ? `${fields}${seconds}Z`
          : spelling <= 4
            ? `${fields}${seconds}.${pad(random.int(0, 999), 3)}Z`
            : spelling === 5
              ? `${fields}${seconds}.${'7'.repeat(random.int(1, 10))}${random.int(0, 1) ? 'Z' : '+00:00'}`
              : spelling === 6
                ? `${fields}${random.int(0, 1) ? '-0000' : 'Z'}`
                : `${fields}${seconds}${['+00:00', '-00:00', '+0000', '+01:00', 'z', ''][random.int(0, 5)]}`;
      if (parseIsoUtc(value) !== plainIsoUtc(value)) disagreeing.push(value);
    }
    expect(disagreeing).toEqual([]);
  });

  it('agrees with the plain definition when any one character of a common spelling is replaced, dropped or added', () => {
    const random = createSeededRandom(2113);
    const disagreeing: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 40_000; i++) {
      const ms = Date.UTC(
        random.int(1000, 2100),
        random.int(0, 11),
        random.int(1, 28),
        random.int(0, 23),
        random.int(0, 59),
        random.int(0, 59),
        random.int(0, 999),
      );
      const iso = new Date(ms).toISOString();
      const base = random.int(0, 1) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
      const at = random.int(0, base.length - 1);
      const odd = random.int(0, 1) ? (ODD_CHARACTERS[random.int(0, ODD_CHARACTERS.length - 1)] as string) : String(random.int(0, 9));
      const edit = random.int(0, 3);
      const value =
        edit === 0
          ? base
          : edit === 1
            ? base.slice(0, at) + odd + base.slice(at + 1)
            : edit === 2
              ? base.slice(0, at) + base.slice(at + 1)
              : base.slice(0, at) + odd + base.slice(at);
      const parsed = parseIsoUtc(value);
      if (parsed !== plainIsoUtc(value)) disagreeing.push(JSON.stringify(value));
      if (parsed !== null) accepted++;
    }
    expect(disagreeing).toEqual([]);
    // both sides are reached
    expect(accepted).toBeGreaterThan(10_000);
    expect(accepted).toBeLessThan(35_000);
  });

  it('agrees on the edges: empty, padded, leap days, year boundaries, the window start and odd lengths', () => {
    const values = [
      '',
      'Z',
      ' 2026-03-01T12:00:00Z',
      '2026-03-01T12:00:00Z ',
      '2026-03-01T12:00:00Z\n',
      '2026-03-01T12:00:00.Z',
      '2026-03-01T12:00:00.1Z',
      '2026-03-01T12:00:00.12Z',
      '2026-03-01T12:00:00.1234Z',
      '2024-02-29T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2000-02-29T23:59:59.999Z',
      '1900-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '1999-12-31T23:59:59.999Z',
      '2000-01-01T00:00:00Z',
      '2000-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00Z',
      '0999-12-31T23:59:59Z',
      '1000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '2026-12-31T24:00:00Z',
      '2026-12-31T23:60:00Z',
      '2026-12-31T23:59:60Z',
      '2026-00-10T00:00:00Z',
      '2026-13-10T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-04-00T00:00:00Z',
      '２０２６-03-01T12:00:00Z',
      '2026-03-01T12:00:00\u0000',
      '2026\u000003-01T12:00:00Z',
    ];
    for (const value of values) expect([value, parseIsoUtc(value)]).toEqual([value, plainIsoUtc(value)]);
  });
});
