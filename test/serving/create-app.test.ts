import fc from 'fast-check';
import request from 'supertest';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDataset } from '../../data/load-dataset.js';
import { PredictResponseSchema, ProblemSchema, RingDetailSchema, ModelSummarySchema } from '../../serving/api-schemas.js';
import { loadScoringParts } from '../../training/model-files.js';
import { assessAccount } from '../../training/scoring/risk-score.js';
import { accountEventsToRecord } from '../../data/tables.js';
import { ADMIN_KEY, buildTestApp, fixtureRecords, METRICS_KEY, PREDICT_KEY } from './serving-helpers.js';

const fixture = inject('fixtureModel');
const auth = { Authorization: `Bearer ${PREDICT_KEY}` };
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
const metricsAuth = { Authorization: `Bearer ${METRICS_KEY}` };

function expectProblem(res: request.Response, status: number, slug: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = ProblemSchema.parse(JSON.parse(res.text));
  expect(body.type).toBe(`urn:ringfence:problem:${slug}`);
  expect(body.instance).toBe(`urn:uuid:${res.headers['x-request-id']}`);
  return body;
}

describe('POST /v1/predict', () => {
  let app: Awaited<ReturnType<typeof buildTestApp>>['app'];
  let records: Record<string, unknown>[];
  beforeAll(async () => {
    ({ app } = await buildTestApp(fixture));
    records = await fixtureRecords(fixture, 30);
  });

  it('scores accounts in request order, the same alone as in a batch and as the library does', async () => {
    const batch = await request(app).post('/v1/predict').set(auth).send({ accounts: records });
    expect(batch.status).toBe(200);
    const body = PredictResponseSchema.parse(batch.body);
    expect(body.model).toEqual({ name: fixture.name, version: fixture.version });
    expect(body.results.map((r) => r.account_id)).toEqual(records.map((r) => r.account_id));
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const dataset = await loadDataset(fixture.dataDir);
    for (const i of [0, 7, 29]) {
      const alone = PredictResponseSchema.parse(
        (
          await request(app)
            .post('/v1/predict')
            .set(auth)
            .send({ accounts: [records[i]] })
        ).body,
      ).results[0];
      expect(alone).toEqual(body.results[i]);
      // training accounts recorded again are counted once: the state's links are the training index's
      const { ring_id, ring, ...assessment } = alone!;
      expect(assessAccount(parts, dataset.accounts[i]!)).toEqual(assessment);
      expect(ring_id).toBe(parts.identityIndex.ringOfAccount.get(dataset.accounts[i]!.account_id) ?? null);
      expect(ring?.size ?? null).toBe(ring_id ? parts.identityIndex.rings.get(ring_id)!.members.length : null);
      expect(accountEventsToRecord(dataset.accounts[i]!)).toEqual(records[i]);
    }
  });

  it('lists every invalid field at once as JSON pointers', async () => {
    const bad = { ...records[0], country: 'germany', logins: [{ ts: 'yesterday', ip: '', country: 'DE', device_id: 'd' }] };
    const res = await request(app)
      .post('/v1/predict')
      .set(auth)
      .send({ accounts: [bad] });
    const problem = expectProblem(res, 400, 'invalid-request');
    const pointers = problem.errors?.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['#/accounts/0/country', '#/accounts/0/logins/0/ts', '#/accounts/0/logins/0/ip']));
    expect(res.text).not.toContain('germany');
  });

  it('answers problems for malformed JSON, wrong media type, empty batch and oversized requests', async () => {
    expectProblem(
      await request(app).post('/v1/predict').set(auth).set('Content-Type', 'application/json').send('{"accounts": ['),
      400,
      'malformed-json',
    );
    expectProblem(await request(app).post('/v1/predict').set(auth).set('Content-Type', 'text/plain').send('hello'), 415, 'unsupported-media-type');
    expectProblem(await request(app).post('/v1/predict').set(auth).send({ accounts: [] }), 400, 'invalid-request');
    const { app: small } = await buildTestApp(fixture, { body_limit_bytes: 2048, max_accounts_per_request: 2, max_events_per_account: 3 });
    expect(
      expectProblem(
        await request(small)
          .post('/v1/predict')
          .set(auth)
          .send({ accounts: records.slice(0, 5) }),
        413,
        'payload-too-large',
      ).detail,
    ).toMatch(/limit of 2048 bytes/);
    const tiny = { account_id: 'x', created_at: '2026-01-01T00:00:00Z', country: 'DE', has_2fa: true };
    expect(
      expectProblem(
        await request(small)
          .post('/v1/predict')
          .set(auth)
          .send({ accounts: [tiny, tiny, tiny] }),
        413,
        'payload-too-large',
      ).detail,
    ).toMatch(/3 accounts.*limit is 2/);
    const manyEvents = { ...tiny, payouts: Array.from({ length: 4 }, () => ({ added_at: '2026-01-02T00:00:00Z', bank_hash: 'b' })) };
    expect(
      expectProblem(
        await request(small)
          .post('/v1/predict')
          .set(auth)
          .send({ accounts: [manyEvents] }),
        413,
        'payload-too-large',
      ).detail,
    ).toMatch(/4 events/);
  });

  it('never answers 5xx, whatever the body (property test)', async () => {
    const valid = records[0] as Record<string, unknown>;
    const mutated = fc
      .record({ key: fc.constantFrom(...Object.keys(valid)), value: fc.anything() })
      .map(({ key, value }) => ({ accounts: [{ ...valid, [key]: value }] }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.anything(), fc.json(), mutated, fc.record({ accounts: fc.array(fc.anything(), { maxLength: 3 }) })),
        async (body) => {
          // strings from fc.json() go as they are (often not JSON objects); everything else is serialised
          const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? 'null');
          const res = await request(app).post('/v1/predict').set(auth).set('Content-Type', 'application/json').send(text);
          expect(res.status).toBeLessThan(500);
          if (res.status !== 200) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        },
      ),
      { numRuns: 1500 },
    );
  }, 120_000);
});

describe('authentication and limits', () => {
  it('answers 401 without or with a wrong key, 403 with the wrong scope', async () => {
    const { app } = await buildTestApp(fixture);
    expectProblem(await request(app).get('/v1/model'), 401, 'unauthorized');
    expectProblem(await request(app).get('/v1/model').set('Authorization', 'Bearer nope'), 401, 'unauthorized');
    expectProblem(await request(app).post('/v1/model/reload').set(auth).send({}), 403, 'forbidden');
    expect((await request(app).get('/v1/model').set(admin)).status).toBe(200);
  });

  it('rate-limits with 429 and Retry-After', async () => {
    const { app } = await buildTestApp(fixture, { rate_limit_per_minute: 3 });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/v1/model').set(auth)).status).toBe(200);
    const res = await request(app).get('/v1/model').set(auth);
    expectProblem(res, 429, 'rate-limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(55);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});

describe('rings, model, health and docs', () => {
  it('returns a ring by id and by member, 404 otherwise', async () => {
    const { app } = await buildTestApp(fixture);
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const dataset = await loadDataset(fixture.dataDir);
    const member = dataset.accounts.find((a) => parts.identityIndex.ringOfAccount.has(a.account_id));
    expect(member).toBeDefined();
    const byAccount = RingDetailSchema.parse((await request(app).get(`/v1/accounts/${member!.account_id}/ring`).set(auth)).body);
    expect(byAccount.members).toContain(member!.account_id);
    const byId = RingDetailSchema.parse((await request(app).get(`/v1/rings/${byAccount.ring_id}`).set(auth)).body);
    expect(byId).toEqual(byAccount);
    expectProblem(await request(app).get('/v1/rings/R-nothing').set(auth), 404, 'not-found');
    expectProblem(await request(app).get('/v1/accounts/nobody/ring').set(auth), 404, 'not-found');
    expectProblem(await request(app).get('/v2/anything'), 404, 'not-found');
  });

  it('is live but not ready until a model loads, then serves the summary, metrics and OpenAPI', async () => {
    const { app, holder } = await buildTestApp(fixture, {}, { loaded: false });
    expect((await request(app).get('/healthz')).status).toBe(200);
    const notReady = await request(app).get('/readyz');
    expectProblem(notReady, 503, 'model-not-ready');
    expect(notReady.headers['retry-after']).toBe('5');
    expectProblem(
      await request(app)
        .post('/v1/predict')
        .set(auth)
        .send({ accounts: [{}] }),
      503,
      'model-not-ready',
    );
    await holder.reload();
    expect((await request(app).get('/readyz')).body.status).toBe('ready');
    const summary = ModelSummarySchema.parse((await request(app).get('/v1/model').set(auth)).body);
    expect(summary.version).toBe(fixture.version);
    const metrics = await request(app).get('/metrics').set(metricsAuth);
    expect(metrics.text).toMatch(/ringfence_http_requests_total\{route="\/readyz",method="GET",status="503"\} 1/);
    const openapi = await request(app).get('/openapi.json');
    expect(openapi.body.paths['/v1/predict'].post.responses['400']).toBeDefined();
    expect(openapi.body.components.schemas.PredictRequest.properties.accounts.type).toBe('array');
    const docs = await request(app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger-ui/);
  });
});

describe('POST /v1/model/reload', () => {
  it('keeps the old model serving when the new version fails integrity (422 naming the problem)', async () => {
    const { app, holder } = await buildTestApp(fixture);
    const res = await request(app).post('/v1/model/reload').set(admin).send({ version: '19990101T000000Z' });
    expect(expectProblem(res, 422, 'model-rejected').detail).toMatch(/no version "19990101T000000Z"/);
    expect(holder.current()?.version).toBe(fixture.version);
  });

  it('drops no request while reloading under load', async () => {
    const { app } = await buildTestApp(fixture);
    const records = await fixtureRecords(fixture, 3);
    const inFlight = Array.from({ length: 40 }, () => request(app).post('/v1/predict').set(auth).send({ accounts: records }));
    const reloads = [
      request(app).post('/v1/model/reload').set(admin).send({}),
      request(app).post('/v1/model/reload').set(admin).send({ version: fixture.version }),
    ];
    const responses = await Promise.all([...inFlight, ...reloads]);
    for (const res of responses) expect(res.status).toBe(200);
  });
});
