import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDataset } from '../../data/load-dataset.js';
import { parseAccountEventsQuickly } from '../../data/parse-account-events.js';
import {
  AccountEventsSchema,
  EARLIEST_PLAUSIBLE_TIME,
  EVENT_TABLES,
  FUTURE_TOLERANCE_MS,
  MAX_ID_LENGTH,
  MAX_TEXT_LENGTH,
} from '../../data/tables.js';
import { accountEventsToRecord } from '../../data/tables.js';

const fixture = inject('fixtureModel');
type JsonRecord = Record<string, unknown>;
let records: JsonRecord[];

beforeAll(async () => {
  records = (await loadDataset(fixture.dataDir)).accounts.slice(0, 300).map(accountEventsToRecord);
});

/** The quick parser may decline (null) but must never accept what zod refuses, nor answer differently. */
function expectAgreesWithZod(value: unknown): 'quick' | 'zod-only' | 'refused' {
  const quick = parseAccountEventsQuickly(value);
  const zod = AccountEventsSchema.safeParse(value);
  if (quick !== null) {
    expect(zod.success).toBe(true);
    expect(quick).toEqual(zod.data);
    return 'quick';
  }
  return zod.success ? 'zod-only' : 'refused';
}

const edgeValues = fc.constantFrom<unknown>(
  '2026-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2026-03-01T12:00:00+00:00',
  '2026-03-01T12:00Z',
  '2026-03-01T24:00:00Z',
  '2026-03-01T12:00:00.123456789Z',
  '2026-03-01 12:00:00Z',
  '',
  'DE',
  'de',
  'D',
  'x'.repeat(256),
  'x'.repeat(257),
  0,
  -0,
  -1,
  100,
  100.5,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  'true',
  null,
  [],
  {},
);
const mutatedValue = fc.oneof(edgeValues, fc.anything());

describe('parseAccountEventsQuickly', () => {
  it('takes every valid record of the fixture data and returns what zod returns', () => {
    for (const record of records) expect(expectAgreesWithZod(record)).toBe('quick');
  });

  it('takes records without event lists (they default to empty) and drops unknown keys, as zod does', () => {
    const { logins: _l, proposals: _p, tests: _t, payouts: _b, ...bare } = records[0] as JsonRecord;
    expect(expectAgreesWithZod({ ...bare, extra: 'ignored' })).toBe('quick');
    expect(parseAccountEventsQuickly(bare)).toMatchObject({ logins: [], proposals: [], tests: [], payouts: [] });
  });

  it('never accepts what zod refuses, for mutated account fields and event fields (property test)', () => {
    const withEvents = () => records.filter((r) => EVENT_TABLES.every((t) => (r[t] as unknown[]).length > 0));
    const candidates = withEvents();
    expect(candidates.length).toBeGreaterThan(0);
    const outcomes = { quick: 0, 'zod-only': 0, refused: 0 };
    const mutation = fc.record({
      index: fc.nat({ max: candidates.length - 1 }),
      table: fc.constantFrom<string | null>(null, ...EVENT_TABLES),
      key: fc.oneof(
        fc.constantFrom(
          'account_id',
          'created_at',
          'country',
          'has_2fa',
          'ts',
          'ip',
          'device_id',
          'job_posted_at',
          'bid_amount',
          'job_budget',
          'text',
          'started_at',
          'duration_s',
          'score',
          'typical_duration_s',
          'added_at',
          'bank_hash',
          'logins',
          'tests',
        ),
        fc.string(),
      ),
      value: mutatedValue,
      remove: fc.boolean(),
    });
    fc.assert(
      fc.property(mutation, ({ index, table, key, value, remove }) => {
        const record = structuredClone(candidates[index]) as JsonRecord;
        const target = table === null ? record : ((record[table] as JsonRecord[])[0] as JsonRecord);
        if (remove) delete target[key];
        else target[key] = value;
        outcomes[expectAgreesWithZod(record)]++;
      }),
      { numRuns: 3000 },
    );
    // the generator must reach both sides, or the property proves nothing
    expect(outcomes.quick).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(200);
  });

  it('gives every fixture record the same keys in the same order as zod, so that its JSON is the same', () => {
    for (const record of records) {
      const withExtras = { ...record, extra: 1, logins: (record['logins'] as JsonRecord[]).map((l) => ({ junk: true, ...l })) };
      expect(JSON.stringify(parseAccountEventsQuickly(withExtras))).toBe(JSON.stringify(AccountEventsSchema.parse(withExtras)));
    }
  });

  it('agrees with zod cell by cell on the edges of every column kind, and takes every valid one itself', () => {
    const record = records.find((r) => EVENT_TABLES.every((t) => (r[t] as unknown[]).length > 0)) as JsonRecord;
    const iso = (ms: number) => new Date(ms).toISOString();
    const soon = Date.now() + FUTURE_TOLERANCE_MS - 60_000;
    const timestamps = {
      valid: [
        iso(EARLIEST_PLAUSIBLE_TIME),
        iso(EARLIEST_PLAUSIBLE_TIME).replace('.000', ''),
        iso(soon),
        '2024-02-29T12:00:00+00:00',
        '2026-03-01T12:00Z',
      ],
      invalid: [
        iso(EARLIEST_PLAUSIBLE_TIME - 1),
        '1999-12-31T23:59:59Z',
        iso(Date.now() + 2 * FUTURE_TOLERANCE_MS),
        '0000-01-01T00:00:00Z',
        '9999-12-31T23:59:59Z',
        '2026-02-29T00:00:00Z',
        '2026-03-01T12:00:00\u0000',
        '2026-03-01T12:00:0\u0661Z',
        '2026-03-01T12:00:00.00\u0000Z',
        '',
        1767225600000,
      ],
    };
    const ids = { valid: ['x', 'x'.repeat(MAX_ID_LENGTH), 'é\u0000\n\ud800', ' '], invalid: ['', 'x'.repeat(MAX_ID_LENGTH + 1), 7, null] };
    const texts = {
      valid: ['', 'x'.repeat(MAX_TEXT_LENGTH), '\u0000\u001f\u007f', 'Grüße 👋\ud800'],
      invalid: ['x'.repeat(MAX_TEXT_LENGTH + 1), 0, false],
    };
    const countries = { valid: ['DE', 'AZ', 'ZA'], invalid: ['de', 'D', 'DEU', '@A', 'A[', 'ÄB', '\u0000A', ''] };
    const booleans = { valid: [true, false], invalid: ['true', 0, 1, null] };
    const kinds: Record<string, { valid: unknown[]; invalid: unknown[] }> = {
      account_id: ids,
      created_at: timestamps,
      country: countries,
      has_2fa: booleans,
      ts: timestamps,
      ip: ids,
      device_id: ids,
      job_id: ids,
      job_posted_at: timestamps,
      bid_amount: { valid: [0, -0, 0.5, 1e9], invalid: [-1e-9, Number.NaN, Number.POSITIVE_INFINITY, '1'] },
      job_budget: { valid: [1e-9, 50], invalid: [0, -0, -1, Number.NaN] },
      text: texts,
      test_id: ids,
      started_at: timestamps,
      duration_s: { valid: [1e-9, 30], invalid: [0, -1] },
      score: { valid: [0, 100, 99.5], invalid: [-1e-9, 100.000001, Number.NaN] },
      typical_duration_s: { valid: [600], invalid: [0, Number.POSITIVE_INFINITY] },
      added_at: timestamps,
      bank_hash: ids,
    };
    const columns: [string | null, string][] = [
      ...['account_id', 'created_at', 'country', 'has_2fa'].map((c) => [null, c] as [null, string]),
      ...EVENT_TABLES.flatMap((t) => Object.keys((record[t] as JsonRecord[])[0] as JsonRecord).map((c) => [t, c] as [string, string])),
    ];
    expect(columns.length).toBe(4 + 4 + 6 + 5 + 2);
    for (const [table, column] of columns) {
      const kind = kinds[column];
      expect(kind, column).toBeDefined();
      for (const [validity, values] of Object.entries(kind as { valid: unknown[]; invalid: unknown[] })) {
        for (const value of values) {
          const copy = structuredClone(record);
          const rows = table === null ? [] : (copy[table] as JsonRecord[]);
          // the last row too, so that a refusal is not only ever met first
          for (const target of table === null ? [copy] : [rows[0] as JsonRecord, rows[rows.length - 1] as JsonRecord]) target[column] = value;
          expect([table, column, value, expectAgreesWithZod(copy)]).toEqual([table, column, value, validity === 'valid' ? 'quick' : 'refused']);
        }
      }
    }
  });

  it('agrees with zod on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expectAgreesWithZod(value);
      }),
      { numRuns: 1000 },
    );
  });
});
