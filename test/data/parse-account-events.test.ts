import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDataset } from '../../data/load-dataset.js';
import { parseAccountEventsQuickly } from '../../data/parse-account-events.js';
import { AccountEventsSchema, EVENT_TABLES } from '../../data/tables.js';
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

  it('agrees with zod on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expectAgreesWithZod(value);
      }),
      { numRuns: 1000 },
    );
  });
});
