import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpProblem, toProblem } from '../../serving/http-problem.js';
import { limitRequests, RATE_WINDOW_MS } from '../../serving/rate-limit.js';

/** The plain definition the service used: express-rate-limit's middleware with these options. */
function expressRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: RATE_WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new MemoryStore(),
    validate: { keyGeneratorIpFallback: false },
    keyGenerator: (req) => (req.apiKey ? `key:${req.apiKey.name}` : `addr:${req.socket.remoteAddress ?? '?'}`),
    handler: (_req, res, next) =>
      next(
        new HttpProblem('rate-limited', `more than ${perMinute} requests in a minute`, undefined, {
          'Retry-After': String(res.getHeader('Retry-After') ?? 1),
        }),
      ),
  });
}

/** An app whose requests carry the key named in X-Key (none without it), limited by `limiter`. */
function appWith(limiter: RequestHandler) {
  const app = express();
  app.use((req, _res, next) => {
    const name = req.get('x-key');
    req.apiKey = name ? { name, scope: 'predict', sha256: '', created_at: '' } : null;
    next();
  });
  app.use(limiter);
  app.get('/', (_req, res) => void res.send('ok'));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const problem = toProblem(error);
    res.status(problem.status).json({ slug: problem.slug, detail: problem.detail, headers: problem.headers });
  };
  app.use(onError);
  return app;
}

const answerOf = (res: request.Response) => ({
  status: res.status,
  policy: res.headers['ratelimit-policy'],
  limit: res.headers['ratelimit'],
  retryAfter: res.headers['retry-after'],
  body: res.status === 200 ? res.text : res.body,
});

describe('limitRequests', () => {
  afterEach(() => void vi.useRealTimers());

  it('counts, refuses and resets per key name or address as express-rate-limit did, with the same headers', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-08T03:00:00.400Z') });
    const ours = appWith(limitRequests(3));
    const plain = appWith(expressRateLimit(3));
    const sent: unknown[] = [];
    for (const [step, advanceMs] of [0, 7_000, 7_000, 13_500, 61_000, 1_000, 59_999, 1].entries()) {
      vi.setSystemTime(Date.now() + advanceMs);
      for (const key of [undefined, 'a', 'b', 'a']) {
        const [a, b] = [request(ours).get('/'), request(plain).get('/')].map((r) => (key ? r.set('X-Key', key) : r));
        const [ourAnswer, plainAnswer] = await Promise.all([a!, b!]);
        expect({ step, key, ...answerOf(ourAnswer!) }).toEqual({ step, key, ...answerOf(plainAnswer!) });
        sent.push(answerOf(ourAnswer!));
      }
    }
    // the sequence refused some requests and let others through after their window ended
    expect(sent.filter((a) => (a as { status: number }).status === 429).length).toBeGreaterThan(3);
    expect(sent.filter((a) => (a as { status: number }).status === 200).length).toBeGreaterThan(10);
  });

  it('refuses with a rate-limited problem carrying the Retry-After of the response', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-08T03:00:00Z') });
    const app = appWith(limitRequests(1));
    expect((await request(app).get('/')).status).toBe(200);
    vi.setSystemTime(Date.now() + 20_500);
    const refused = await request(app).get('/');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('40');
    expect(refused.body).toEqual({ slug: 'rate-limited', detail: 'more than 1 requests in a minute', headers: { 'Retry-After': '40' } });
  });
});
