// A predict record the size of a real account's (issue 21 finding 9): 150 events, 60 of them proposals of ~350 characters
// each, ~25-30 KB of JSON. Built from a generated account, whose identity (IP, device, bank) it
// keeps, with its events repeated or stretched to that count; used by the load bench and the body-limit test.
import type { AccountEventsInput } from '../data/tables.js';
import type { FreshAccountBodies } from './load-generator.js';

// ~190 characters: with its other fields a proposal record is ~300 characters of JSON
const LETTER =
  'Hello, I have read your job description and I am confident I can deliver what you need. I have five years of experience with similar projects, ' +
  'including API integrations. I can start today.';

const COUNTS = { logins: 80, proposals: 60, tests: 8, payouts: 2 } as const;

/** `base` (a record of accountEventsToRecord) with 150 events spread over its first 90 days. */
export function realisticAccountRecord(base: AccountEventsInput, index = 0): AccountEventsInput {
  const created = Date.parse(String(base.created_at));
  const at = (i: number, n: number) => new Date(created + Math.floor(((i + 1) / (n + 1)) * 90 * 86_400_000)).toISOString();
  const login = base.logins?.[0] ?? { ts: '', ip: `10.0.${index % 250}.1`, country: base.country, device_id: `dev-${index}` };
  const bank = base.payouts?.[0]?.bank_hash ?? `bank-${index}`;
  return {
    ...base,
    logins: Array.from({ length: COUNTS.logins }, (_, i) => ({ ...login, ts: at(i, COUNTS.logins) })),
    proposals: Array.from({ length: COUNTS.proposals }, (_, i) => ({
      ts: at(i, COUNTS.proposals),
      job_id: `job-${index}-${i}`,
      job_posted_at: at(i - 1, COUNTS.proposals),
      bid_amount: 40 + (i % 7) * 5,
      job_budget: 50 + (i % 5) * 10,
      text: `${LETTER} (${i})`,
    })),
    tests: Array.from({ length: COUNTS.tests }, (_, i) => ({
      test_id: `test-${i}`,
      started_at: at(i, COUNTS.tests),
      duration_s: 600 + i * 30,
      score: 70 + i,
      typical_duration_s: 900,
    })),
    payouts: Array.from({ length: COUNTS.payouts }, (_, i) => ({ added_at: at(i, COUNTS.payouts), bank_hash: bank })),
  };
}

/**
 * The predict body of `record` (one account) as a template whose account is new in every request: its id, IPs,
 * device ids and bank hashes replaced per request (load-generator.ts), so that each request adds a new sign-up to the
 * live identity state instead of re-recording the same account.
 */
export function freshAccountBodies(record: AccountEventsInput): FreshAccountBodies {
  const literal = (value: unknown) => JSON.stringify(String(value));
  const ids = new Set([record.account_id, ...(record.logins ?? []).map((l) => l.device_id), ...(record.payouts ?? []).map((p) => p.bank_hash)]);
  const ips = new Set((record.logins ?? []).map((l) => l.ip));
  return {
    template: JSON.stringify({ accounts: [record] }),
    fresh: [
      ...[...ids].map((id) => ({ literal: literal(id), kind: 'id' as const })),
      ...[...ips].map((ip) => ({ literal: literal(ip), kind: 'ip' as const })),
    ],
  };
}
