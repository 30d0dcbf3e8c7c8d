// Issue 21 finding 9 (timestamps) over HTTP: a time in year 0000 or 9999 gets a 400 problem naming the field.
import request from 'supertest';
import { describe, expect, inject, it } from 'vitest';
import { ProblemSchema } from '../../serving/api-schemas.js';
import { buildTestApp, fixtureRecords, PREDICT_KEY } from './serving-helpers.js';

const fixture = inject('fixtureModel');

describe('POST /v1/predict with implausible times', () => {
  it('answers 400 problem+json with a pointer to each such field and the window in its message', async () => {
    const { app } = await buildTestApp(fixture);
    const [record] = await fixtureRecords(fixture, 1);
    const logins = [...((record!['logins'] as Record<string, unknown>[] | undefined) ?? [])];
    logins.unshift({ ts: '9999-12-31T23:59:59Z', ip: '10.1.1.1', country: 'DE', device_id: 'dev' });
    const bad = { ...record, created_at: '0000-01-01T00:00:00Z', logins };
    const res = await request(app)
      .post('/v1/predict')
      .set({ Authorization: `Bearer ${PREDICT_KEY}` })
      .send({ accounts: [record, bad] });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = ProblemSchema.parse(JSON.parse(res.text));
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['#/accounts/1/created_at', '#/accounts/1/logins/0/ts']);
    for (const error of problem.errors ?? [])
      expect(JSON.stringify(error)).toMatch(/outside the plausible window from 2000-01-01 to one day after now/);
  });
});
