// Issue 21 findings 3, 8 and 9 through HTTP: the key is checked before a body is read, failures are limited per
// address, requests per key name, every path is limited, /metrics needs its scope, refusals keep their route.
import zlib from 'node:zlib';
import request from 'supertest';
import { describe, expect, inject, it } from 'vitest';
import { realisticAccountRecord } from '../../bench/realistic-account.js';
import type { AccountEventsInput } from '../../data/tables.js';
import { ProblemSchema } from '../../serving/api-schemas.js';
import { loadServeConfig } from '../../serving/config.js';
import { ADMIN_KEY, buildTestApp, fixtureRecords, METRICS_KEY, PREDICT_KEY } from './serving-helpers.js';

const fixture = inject('fixtureModel');
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

function expectProblem(res: request.Response, status: number, slug: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(ProblemSchema.parse(JSON.parse(res.text)).type).toBe(`urn:ringfence:problem:${slug}`);
}

describe('authentication before the body (finding 3)', () => {
  it('answers an unknown path 404 and a keyed route 401 without reading, parsing or decompressing the body', async () => {
    const { app } = await buildTestApp(fixture);
    const junk = (path: string) => request(app).post(path).set('Content-Type', 'application/json').send('{junk');
    expectProblem(await junk('/zzz'), 404, 'not-found');
    expectProblem(await junk('/v1/zzz'), 404, 'not-found');
    expectProblem(await junk('/v1/predict'), 401, 'unauthorized');
    expectProblem(await junk('/V1/PREDICT/'), 401, 'unauthorized');
    expectProblem(await request(app).get('/v1/rings/%zz'), 401, 'unauthorized');
    const bomb = zlib.gzipSync(Buffer.alloc(20 * 2 ** 20, 0x20));
    expectProblem(
      await request(app).post('/v1/predict').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(bomb),
      401,
      'unauthorized',
    );
    expectProblem(
      await request(app).post('/v1/predict').set(bearer(PREDICT_KEY)).set('Content-Type', 'application/json').send('{junk'),
      400,
      'malformed-json',
    );
  });

  it('refuses an address after too many failed authentications, whatever key it then sends, and tells when to retry', async () => {
    const { app } = await buildTestApp(fixture, { auth_failures_per_minute: 3 });
    for (let i = 0; i < 3; i++)
      expectProblem(
        await request(app)
          .get('/v1/model')
          .set(bearer(`rf_guess_${i}`)),
        401,
        'unauthorized',
      );
    const refused = await request(app).get('/v1/model').set(bearer(PREDICT_KEY));
    expectProblem(refused, 429, 'rate-limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // open routes do not need a key, so they stay open
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('limits requests per key name, not per address or made-up key, and every other request per address', async () => {
    const { app } = await buildTestApp(fixture, { rate_limit_per_minute: 3 });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/v1/model').set(bearer(PREDICT_KEY))).status).toBe(200);
    expectProblem(await request(app).get('/v1/model').set(bearer(PREDICT_KEY)), 429, 'rate-limited');
    // another key from the same address (a gateway) has its own allowance
    expect((await request(app).get('/v1/model').set(bearer(ADMIN_KEY))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await request(app).get(i === 2 ? '/nowhere' : '/healthz')).status).not.toBe(429);
    expectProblem(await request(app).get('/healthz'), 429, 'rate-limited');
    expectProblem(await request(app).get('/elsewhere'), 429, 'rate-limited');
  });

  it('says in Retry-After how much of the window is left', async () => {
    const { app } = await buildTestApp(fixture, { rate_limit_per_minute: 1 });
    expect((await request(app).get('/v1/model').set(bearer(PREDICT_KEY))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const refused = await request(app).get('/v1/model').set(bearer(PREDICT_KEY));
    expectProblem(refused, 429, 'rate-limited');
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(58);
  });
});

describe('/metrics and route labels (finding 8)', () => {
  it('needs a key with the metrics (or admin) scope, and counts refusals under their route', async () => {
    const { app } = await buildTestApp(fixture, { rate_limit_per_minute: 1 });
    expectProblem(await request(app).get('/metrics'), 401, 'unauthorized');
    expectProblem(await request(app).get('/metrics').set(bearer(PREDICT_KEY)), 403, 'forbidden');
    expectProblem(await request(app).post('/v1/predict').set('Content-Type', 'application/json').send('{}'), 401, 'unauthorized');
    expectProblem(
      await request(app).post('/v1/predict').set(bearer(PREDICT_KEY)).set('Content-Type', 'text/plain').send('x'),
      415,
      'unsupported-media-type',
    );
    expectProblem(
      await request(app).post('/v1/predict').set(bearer(PREDICT_KEY)).set('Content-Type', 'application/json').send('{}'),
      429,
      'rate-limited',
    );
    const metrics = await request(app).get('/metrics').set(bearer(METRICS_KEY));
    expect(metrics.status).toBe(200);
    for (const status of [401, 415, 429])
      expect(metrics.text).toMatch(new RegExp(`ringfence_http_requests_total\\{route="/v1/predict",method="POST",status="${status}"\\} 1`));
    expect(metrics.text).toMatch(/ringfence_http_requests_total\{route="\/metrics",method="GET",status="403"\} 1/);
    expect(metrics.text).not.toMatch(/route="unmatched"/);
    expect((await request(app).get('/metrics').set(bearer(ADMIN_KEY))).status).toBe(200);
  });
});

describe('default body limit (finding 9)', () => {
  it('is derived from the batch limit, so that a default batch of realistic accounts is scored', async () => {
    const config = loadServeConfig({ RINGFENCE_MODELS: '/m' });
    expect(config.body_limit_bytes).toBe(100 * 64 * 1024);
    expect(loadServeConfig({ RINGFENCE_MODELS: '/m', RINGFENCE_MAX_ACCOUNTS: '10' }).body_limit_bytes).toBe(10 * 64 * 1024);
    expect(loadServeConfig({ RINGFENCE_MODELS: '/m', RINGFENCE_BODY_LIMIT_BYTES: '4096' }).body_limit_bytes).toBe(4096);
    const records = await fixtureRecords(fixture, 100);
    const accounts = records.map((r, i) => realisticAccountRecord(r as AccountEventsInput, i));
    const body = JSON.stringify({ accounts });
    expect(JSON.stringify(accounts[0]).length).toBeGreaterThan(22_000);
    expect(body.length).toBeGreaterThan(2 * 2 ** 20);
    const { app } = await buildTestApp(fixture);
    const res = await request(app).post('/v1/predict').set(bearer(PREDICT_KEY)).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(200);
  });
});
