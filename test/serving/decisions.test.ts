// Analysts' decisions over HTTP (in-process app): validation naming the field, the review scope, and the live
// effects on the next score without a retrain: links to confirmed fraud, benign groups, block and allow lists.
import path from 'node:path';
import request from 'supertest';
import { describe, expect, inject, it } from 'vitest';
import {
  AccountDecisionsSchema,
  DecisionsRecordedSchema,
  PredictResponseSchema,
  ProblemSchema,
  RingDetailSchema,
} from '../../serving/api-schemas.js';
import { readHashSecret } from '../../models/hash-secret.js';
import { openDecisionStore, readAllDecisions } from '../../training/decisions/decision-store.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { buildTestApp, fixtureRecords, newRingRecords, PREDICT_KEY, REVIEW_KEY } from './serving-helpers.js';

const fixture = inject('fixtureModel');
const predictAuth = { Authorization: `Bearer ${PREDICT_KEY}` };
const review = { Authorization: `Bearer ${REVIEW_KEY}` };
const temporaryDir = useTemporaryDirs('ringfence-decisions-http-');
type App = Parameters<typeof request>[0];

async function score(app: App, accounts: Record<string, unknown>[], record = false) {
  const res = await request(app).post('/v1/predict').set(predictAuth).send({ accounts, record });
  expect(res.status, res.text).toBe(200);
  return PredictResponseSchema.parse(res.body).results;
}

async function decide(app: App, body: object) {
  const res = await request(app).post('/v1/decisions').set(review).send(body);
  expect(res.status, res.text).toBe(201);
  return DecisionsRecordedSchema.parse(res.body);
}

/** A new account paid into `bank` (events of a fixture account, identifiers of its own otherwise). */
async function newAccount(id: string, bank: string, template = 0): Promise<Record<string, unknown>> {
  const record = (await fixtureRecords(fixture, template + 1))[template] as Record<string, unknown>;
  return {
    ...record,
    account_id: id,
    logins: (record['logins'] as Record<string, unknown>[]).map((login, k) => ({
      ...login,
      ip: `198.51.${template}.${k % 250}`,
      device_id: `${id}-dev`,
    })),
    payouts: [{ added_at: record['created_at'], bank_hash: bank }],
  };
}

describe('POST /v1/decisions and GET /v1/decisions: validation and scope', () => {
  it('answers bad input with problem+json naming the field, in one decision and in a batch', async () => {
    const { app } = await buildTestApp(fixture);
    const one = await request(app).post('/v1/decisions').set(review).send({ type: 'account', account_id: 'a1', label: 'maybe', reviewer: 'ana' });
    expect(one.status).toBe(400);
    expect(one.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(ProblemSchema.parse(one.body).errors?.map((e) => e.pointer)).toEqual(['#/label']);

    const batch = await request(app)
      .post('/v1/decisions')
      .set(review)
      .send({
        decisions: [
          { type: 'account', account_id: 'a1', label: 'fraud', reviewer: 'ana' },
          { type: 'list', list: 'block', entry_kind: 'ip', value: '10.0.0.1', reviewer: 'ana' },
          { type: 'list', list: 'block', entry_kind: 'account', identifier: 'a9', reviewer: 'ana' },
        ],
      });
    expect(batch.status).toBe(400);
    const pointers = ProblemSchema.parse(batch.body).errors?.map((e) => e.pointer);
    expect(pointers).toEqual(['#/decisions/1/value', '#/decisions/2/identifier']);
    expect(JSON.stringify(batch.body)).not.toContain('10.0.0.1');

    const query = await request(app).get('/v1/decisions').set(review);
    expect(query.status).toBe(400);
    expect(ProblemSchema.parse(query.body).errors?.map((e) => e.pointer)).toEqual(['#/account_id']);
  });

  it('needs the review scope: a predict key is refused before the body is read', async () => {
    const { app } = await buildTestApp(fixture);
    const res = await request(app).post('/v1/decisions').set(predictAuth).send({ type: 'account' });
    expect(res.status).toBe(403);
    expect(ProblemSchema.parse(res.body).detail).toMatch(/review scope/);
    expect((await request(app).get('/v1/decisions?account_id=a1')).status).toBe(401);
  });

  it('records who, when and why; a raw identifier is hashed on arrival and never stored; the same decision twice is one', async () => {
    const location = path.join(await temporaryDir(), 'decision-store');
    const { app, holder } = await buildTestApp(fixture, {}, { decisionStore: location });
    const account = { type: 'account', account_id: 'acc-9', label: 'fraud', kind: 'ring', reviewer: 'ana', note: 'shares a bank with ring 4' };
    const first = await decide(app, {
      decisions: [account, { type: 'list', list: 'block', entry_kind: 'ip', identifier: '192.0.2.77', reviewer: 'ana', note: 'proxy' }],
    });
    expect(first.recorded).toHaveLength(2);
    expect(first.recorded[0]).toMatchObject({ recorded_by: 'api key ana', decision: { ...account, decided_at: expect.any(String) } });
    const listed = first.recorded[1]?.decision as { value: string };
    expect(listed.value).toMatch(/^[0-9a-f]{24}$/);
    expect(JSON.stringify(first)).not.toContain('192.0.2.77');

    const decidedAt = first.recorded[0]?.decision.decided_at;
    const again = await request(app)
      .post('/v1/decisions')
      .set(review)
      .send({ ...account, decided_at: decidedAt });
    expect(again.status).toBe(200);
    expect(DecisionsRecordedSchema.parse(again.body)).toEqual({ recorded: [], already_recorded: 1 });

    const got = AccountDecisionsSchema.parse((await request(app).get('/v1/decisions?account_id=acc-9').set(review)).body);
    expect(got.decisions.map((d) => d.decision)).toEqual([first.recorded[0]?.decision]);
    await holder.current()?.close();
    const store = await openDecisionStore(location, (await readHashSecret(fixture.modelsRoot, {})).fingerprint);
    const stored = JSON.stringify(await readAllDecisions(store));
    await store.close();
    expect(stored).toContain('acc-9');
    expect(stored).not.toContain('192.0.2.77');
  });
});

describe('live effects of decisions, without a retrain', () => {
  it("a confirmed-fraud account's bank makes a new account using it high risk, with a reason naming the decision", async () => {
    const { app } = await buildTestApp(fixture);
    await score(app, [await newAccount('src-1', 'bank-src-1', 3)], true);
    const newcomer = await newAccount('new-1', 'bank-src-1', 5);
    const [before] = await score(app, [newcomer]);
    await decide(app, { type: 'account', account_id: 'src-1', label: 'fraud', kind: 'ring', reviewer: 'ana', note: 'stolen cards' });
    const [after] = await score(app, [newcomer]);
    expect(before?.evidence).not.toContain('decisions');
    expect(after?.risk_score).toBeGreaterThanOrEqual(90);
    expect(after?.risk_score).toBeGreaterThan(before?.risk_score ?? 100);
    expect(after?.action).not.toBe('MONITOR');
    expect(after?.evidence).toContain('decisions');
    const reason = after?.reasons.find((r) => r.code === 'decision-linked-to-fraud');
    expect(reason?.kind).toBe('decision');
    expect(reason?.detail).toMatch(/shares bank with account src-1, confirmed fraud: decision [0-9a-f]{8} by ana on \d{4}-\d\d-\d\d: stolen cards/);
    // the confirmed account itself is blocked, by the decision
    const [self] = await score(app, [await newAccount('src-1', 'bank-src-1', 3)]);
    expect(self?.action).toBe('BLOCK_ACCOUNT');
    expect(self?.reasons[0]?.code).toBe('decision-confirmed-fraud');
  });

  it('a block-listed identifier (sent raw, stored hashed) raises a new account that uses it', async () => {
    const { app } = await buildTestApp(fixture);
    const account = await newAccount('new-2', 'bank-of-new-2', 7);
    const [before] = await score(app, [account]);
    await decide(app, { type: 'list', list: 'block', entry_kind: 'bank', identifier: 'bank-of-new-2', reviewer: 'ana', note: 'mule account' });
    const [after] = await score(app, [account]);
    expect(after?.risk_score).toBeGreaterThan(before?.risk_score ?? 100);
    expect(after?.reasons[0]?.code).toBe('decision-blocked-identifier');
    expect(after?.reasons[0]?.detail).toMatch(/block-listed bank .*: mule account/);
  });

  it('an allow-listed account is MONITOR with the reason given', async () => {
    const { app } = await buildTestApp(fixture);
    const ring = await newRingRecords(fixture, 'allow', 4);
    await score(app, ring, true);
    await decide(app, { type: 'account', account_id: 'allow-1', label: 'fraud', reviewer: 'ana' });
    const [flagged] = await score(app, [ring[0] as Record<string, unknown>]);
    expect(flagged?.action).not.toBe('MONITOR');
    await decide(app, { type: 'list', list: 'allow', entry_kind: 'account', value: 'allow-0', reviewer: 'lead', note: 'verified by video call' });
    const [allowed] = await score(app, [ring[0] as Record<string, unknown>]);
    expect(allowed?.action).toBe('MONITOR');
    expect(allowed?.reasons[0]).toMatchObject({ code: 'decision-allow-list', kind: 'decision' });
    expect(allowed?.reasons[0]?.detail).toMatch(/by lead .*verified by video call/);
  });

  it("a benign group's shared identifiers stop counting as ring evidence", async () => {
    const { app } = await buildTestApp(fixture);
    const records = await fixtureRecords(fixture, 1500);
    let inRing: Awaited<ReturnType<typeof score>>[number] | undefined;
    for (let start = 0; start < records.length && !inRing; start += 100)
      inRing = (await score(app, records.slice(start, start + 100))).find((r) => r.evidence.includes('ring') && r.components.identity > 0);
    expect(inRing, 'the fixture has a training ring').toBeDefined();
    const ringRes = await request(app).get(`/v1/accounts/${inRing!.account_id}/ring`).set(predictAuth);
    const ring = RingDetailSchema.parse(ringRes.body);
    const record = records.find((r) => r['account_id'] === inRing!.account_id) as Record<string, unknown>;
    await decide(app, {
      type: 'group',
      group_id: ring.ring_id,
      verdict: 'benign',
      kind: 'agency',
      account_ids: ring.members,
      reviewer: 'ana',
      note: 'a design agency sharing an office',
    });
    const [after] = await score(app, [record]);
    expect(after?.evidence).not.toContain('ring');
    expect(after?.components.identity).toBe(0);
    expect(after?.risk_score).toBeLessThan(inRing!.risk_score);
    expect(after?.reasons.find((r) => r.code === 'decision-benign-group')?.detail).toMatch(/judged benign \(agency\).*design agency/);
  });
});
