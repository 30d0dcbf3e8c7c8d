// Issue 21 findings 2 and 4: a client's mistake is a bounded 4xx problem, never a 500, an enormous answer or a
// stack in the log.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ProblemSchema } from '../../serving/api-schemas.js';
import { buildTestApp, fixtureRecords, memoryLogger, PREDICT_KEY } from './serving-helpers.js';

const fixture = inject('fixtureModel');
const auth = { Authorization: `Bearer ${PREDICT_KEY}` };

function expectProblem(res: request.Response, status: number, slug: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = ProblemSchema.parse(JSON.parse(res.text));
  expect(body.type).toBe(`urn:ringfence:problem:${slug}`);
  return body;
}

describe('client mistakes (finding 4)', () => {
  let app: Awaited<ReturnType<typeof buildTestApp>>['app'];
  let log: ReturnType<typeof memoryLogger>;
  let server: http.Server;
  beforeAll(async () => {
    log = memoryLogger();
    ({ app } = await buildTestApp(fixture, {}, { logger: log.logger }));
    server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers 400 to a path that is not valid percent-encoding, and logs neither an error nor the raw value', async () => {
    for (const path of ['/v1/rings/%zz', '/v1/rings/%', '/v1/rings/%C0%AF', '/v1/accounts/acct%zzsecret/ring']) {
      expectProblem(await request(app).get(path).set(auth), 400, 'invalid-request');
    }
    const logged = JSON.stringify(log.lines());
    expect(logged).not.toContain('acct%zzsecret');
    expect(log.lines().filter((l) => (l['level'] as number) >= 50)).toEqual([]);
  });

  it('answers 400 to a body that does not decompress as its Content-Encoding says, 415 to an unknown encoding', async () => {
    const plain = JSON.stringify({ accounts: await fixtureRecords(fixture, 1) });
    const post = () => request(app).post('/v1/predict').set(auth).set('Content-Type', 'application/json');
    expectProblem(await post().set('Content-Encoding', 'gzip').send(plain), 400, 'undecodable-body');
    expectProblem(await post().set('Content-Encoding', 'br').send('garbage, not brotli at all'), 400, 'undecodable-body');
    expectProblem(await post().set('Content-Encoding', 'deflate').send('garbage'), 400, 'undecodable-body');
    expectProblem(await post().set('Content-Encoding', 'zstd-or-whatever').send(plain), 415, 'unsupported-media-type');
    // the same body, compressed as it says, is scored
    const { port } = server.address() as AddressInfo;
    for (const [encoding, body] of [
      ['gzip', zlib.gzipSync(plain)],
      ['br', zlib.brotliCompressSync(plain)],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/predict`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'content-encoding': encoding },
        body,
      });
      expect(res.status).toBe(200);
    }
    expect(log.lines().filter((l) => (l['level'] as number) >= 50)).toEqual([]);
  });

  it('does not log a client that hangs up mid-body at error level', async () => {
    const { port } = server.address() as AddressInfo;
    const before = log.lines().length;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/predict HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PREDICT_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"accounts": [`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    for (
      let waited = 0;
      waited < 5000 &&
      !log
        .lines()
        .slice(before)
        .some((l) => l['msg'] === 'request');
      waited += 50
    )
      await new Promise((r) => setTimeout(r, 50));
    const lines = log.lines().slice(before);
    expect(lines.some((l) => l['msg'] === 'request')).toBe(true);
    expect(lines.filter((l) => (l['level'] as number) >= 50)).toEqual([]);
  });
});

describe('an invalid body with millions of problems (finding 2)', () => {
  it('answers 400 listing the first 100 problems and counting the invalid accounts, quickly and small', async () => {
    const { app } = await buildTestApp(fixture);
    const account = {
      account_id: 'a',
      created_at: '2026-01-01T00:00:00Z',
      country: 'DE',
      has_2fa: true,
      logins: Array.from({ length: 5000 }, () => ({})),
    };
    const body = JSON.stringify({ accounts: Array.from({ length: 100 }, (_, i) => ({ ...account, account_id: `a${i}` })) });
    expect(body.length).toBeGreaterThan(1_000_000);
    const started = performance.now();
    const res = await request(app).post('/v1/predict').set(auth).set('Content-Type', 'application/json').send(body);
    const ms = performance.now() - started;
    const problem = expectProblem(res, 400, 'invalid-request');
    expect(problem.errors).toHaveLength(100);
    expect(problem.errors?.[0]?.pointer).toBe('#/accounts/0/logins/0/ts');
    expect(problem.detail).toMatch(/100 of 100 accounts invalid/);
    expect(res.text.length).toBeLessThan(30_000);
    expect(ms).toBeLessThan(3000);
  });

  it('still names a problem in the last account when the first ones are fine', async () => {
    const { app } = await buildTestApp(fixture);
    const records = await fixtureRecords(fixture, 5);
    const bad = { ...records[4], country: 'germany' };
    const problem = expectProblem(
      await request(app)
        .post('/v1/predict')
        .set(auth)
        .send({ accounts: [...records.slice(0, 4), bad] }),
      400,
      'invalid-request',
    );
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['#/accounts/4/country']);
    expect(problem.detail).toMatch(/1 of 5 accounts invalid/);
  });
});
