// inOrder(handlers): one middleware running the given ones in turn, as Express would run them as separate layers
// (a thrown error or a rejected promise goes to next, next(error) stops the chain and passes the error on), without
// the router's per-layer work (path match, parameter processing, prefix restore) for each of them.
import type { RequestHandler } from 'express';

const isPromise = (value: unknown): value is Promise<unknown> =>
  value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';

export function inOrder(handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let index = 0;
    const next = (error?: unknown): void => {
      // as in the router: 'route' from a middleware means go on, any other truthy value is an error
      if (error && error !== 'route') return done(error);
      const handler = handlers[index++];
      if (handler === undefined) return done();
      try {
        const returned: unknown = handler(req, res, next);
        if (isPromise(returned)) returned.then(undefined, (rejection: unknown) => next(rejection || new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    next();
  };
}
