// Issue 21 finding 5: the same account with its events in another order gets the same assessment, through the
// library and over HTTP (which once scored logins in the order sent: 13.34 shuffled against 22.83 in order).
import request from 'supertest';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { inCanonicalOrder } from '../../data/event-order.js';
import { loadDataset } from '../../data/load-dataset.js';
import { createSeededRandom } from '../../data/seeded-random.js';
import { type AccountEvents, accountEventsToRecord } from '../../data/tables.js';
import { type PredictResult, PredictResponseSchema } from '../../serving/api-schemas.js';
import { computeLoginFeatures } from '../../training/features/login-features.js';
import { loadScoringParts } from '../../training/model-files.js';
import { assessAccount, type ScoringParts } from '../../training/scoring/risk-score.js';
import { buildTestApp, PREDICT_KEY } from './serving-helpers.js';

const fixture = inject('fixtureModel');

function permuted(account: AccountEvents, seed: number): AccountEvents {
  const random = createSeededRandom(seed);
  const lists = { logins: [...account.logins], proposals: [...account.proposals], tests: [...account.tests], payouts: [...account.payouts] };
  if (seed === 0) for (const list of Object.values(lists)) list.reverse();
  else for (const list of Object.values(lists) as unknown[][]) random.shuffle(list);
  return { ...account, ...lists };
}

/** The account with its first logins moved to one instant: equal timestamps whose order only the tie-break decides. */
function withTiedLogins(account: AccountEvents): AccountEvents {
  const ts = account.logins[0]!.ts;
  return { ...account, logins: account.logins.map((login, i) => (i < 4 ? { ...login, ts } : login)) };
}

describe('event order', () => {
  let parts: ScoringParts;
  let app: Awaited<ReturnType<typeof buildTestApp>>['app'];
  let accounts: AccountEvents[];
  beforeAll(async () => {
    ({ parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version));
    ({ app } = await buildTestApp(fixture));
    // accounts whose logins hop between countries: the features that read a sequence see their order
    const all = (await loadDataset(fixture.dataDir)).accounts.filter(
      (a) => a.logins.length >= 5 && new Set(a.logins.map((l) => l.country)).size >= 3,
    );
    accounts = all.slice(0, 6).flatMap((a) => [a, withTiedLogins(a)]);
  });

  it('changes nothing in the assessment, through the library and over HTTP, for any permutation (equal timestamps included)', async () => {
    expect(accounts.length).toBeGreaterThanOrEqual(8);
    // the precondition that makes the test able to fail: read in the order given, the login sequence differs
    const sensitive = accounts.filter(
      (a) => JSON.stringify(computeLoginFeatures(permuted(a, 0))) !== JSON.stringify(computeLoginFeatures(inCanonicalOrder(a))),
    );
    expect(sensitive.length).toBeGreaterThan(0);
    for (const account of accounts) {
      const expected = assessAccount(parts, account);
      const variants = [0, 1, 2, 3, 4].map((seed) => permuted(account, seed));
      for (const variant of variants) expect(assessAccount(parts, variant)).toEqual(expected);
      // one request per order, none recorded: each is scored against the same identity state (the model's index, which
      // already holds these training accounts), so the live ring fields must agree too
      const answers: PredictResult[] = [];
      for (const sent of [account, ...variants]) {
        const res = await request(app)
          .post('/v1/predict')
          .set({ Authorization: `Bearer ${PREDICT_KEY}` })
          .send({ accounts: [accountEventsToRecord(sent)], record: false });
        expect(res.status).toBe(200);
        answers.push(PredictResponseSchema.parse(res.body).results[0] as PredictResult);
      }
      // a resubmitted training account is counted once among the users of its identifiers, hubs included
      for (const answer of answers) {
        const { ring_id: _ringId, ring: _ring, ...assessment } = answer;
        expect(assessment).toEqual(expected);
        expect(answer).toEqual(answers[0]);
      }
    }
  });
});
