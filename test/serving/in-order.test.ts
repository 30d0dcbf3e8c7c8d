import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { inOrder } from '../../serving/in-order.js';

/** An app whose first layer is `first`, then a route answering what ran, with an error handler naming the error. */
function appWith(first: RequestHandler) {
  const app = express();
  app.use((req, _res, next) => {
    (req as unknown as { ran: string[] }).ran = [];
    next();
  });
  app.use(first);
  app.get('/', (req, res) => void res.json({ ran: (req as unknown as { ran: string[] }).ran }));
  const onError: ErrorRequestHandler = (error, req, res, _next) =>
    void res.status(500).json({ error: String((error as Error).message ?? error), ran: (req as unknown as { ran: string[] }).ran });
  app.use(onError);
  return app;
}

const step =
  (name: string, then: (next: (error?: unknown) => void) => unknown = (next) => next()): RequestHandler =>
  (req, _res, next) => {
    (req as unknown as { ran: string[] }).ran.push(name);
    return then(next);
  };

/** The same middlewares as inOrder of them and as separate layers of the router: the answers must be equal. */
async function bothWays(handlers: RequestHandler[]) {
  const composed = await request(appWith(inOrder(handlers))).get('/');
  const separate = express.Router();
  for (const handler of handlers) separate.use(handler);
  const layered = await request(appWith(separate)).get('/');
  expect({ status: composed.status, body: composed.body }).toEqual({ status: layered.status, body: layered.body });
  return composed;
}

describe('inOrder', () => {
  it('runs the middlewares in turn, synchronous and asynchronous, then the route', async () => {
    const res = await bothWays([
      step('a'),
      step('b', async (next) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        next();
      }),
      step('c', (next) => setImmediate(next)),
      step('d', (next) => next('route')),
      step('e'),
    ]);
    expect(res.body).toEqual({ ran: ['a', 'b', 'c', 'd', 'e'] });
  });

  it('stops at an error passed to next, thrown, or a rejected promise, and hands it to the error handler', async () => {
    for (const failing of [
      step('x', (next) => next(new Error('passed'))),
      step('x', () => {
        throw new Error('thrown');
      }),
      step('x', async () => {
        await Promise.resolve();
        throw new Error('rejected');
      }),
    ]) {
      const res = await bothWays([step('a'), failing, step('never')]);
      expect(res.status).toBe(500);
      expect(res.body.ran).toEqual(['a', 'x']);
      expect(res.body.error).toMatch(/passed|thrown|rejected/);
    }
  });

  it('lets a middleware answer and end the chain, and runs nothing after an empty list', async () => {
    const answering: RequestHandler = (_req, res) => void res.status(204).end();
    const res = await bothWays([step('a'), answering, step('never')]);
    expect(res.status).toBe(204);
    expect((await bothWays([])).body).toEqual({ ran: [] });
  });
});
