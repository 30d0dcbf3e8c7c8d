// Third middleware: every request is limited, an authenticated one per key name (clients behind one gateway share
// its address, not their keys), any other per client address: open routes and unknown paths too.
//
// The counting is an express-rate-limit store (its MemoryStore, or a cluster's leased store); the middleware does
// what express-rate-limit's does with the options the service used (a fixed window of a minute, draft-7 headers, no
// legacy headers, Retry-After on refusal), without its per-request cost (~20-40 us: a chain of awaits, a debug
// logger whose arguments read req.ip, a non-enumerable property defined on each request's info).
import { MemoryStore, type Options, type Store } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { HttpProblem } from './http-problem.js';

export const RATE_WINDOW_MS = 60_000;

/** Whole seconds until `resetTime` (none: a whole window), as express-rate-limit's headers say it. */
function secondsUntil(resetTime: Date | undefined, windowMs: number): number {
  return resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
}

export function limitRequests(perMinute: number, store: Store = new MemoryStore()): RequestHandler {
  // a store made for express-rate-limit takes its window and limit from the options it is initialised with
  void store.init?.({ windowMs: RATE_WINDOW_MS, limit: perMinute } as Options);
  const policy = `${perMinute};w=${Math.ceil(RATE_WINDOW_MS / 1000)}`;
  return async (req, res, next) => {
    // the address is a plain string key here: one client per address (no IPv6 subnet grouping), as for failures
    const key = req.apiKey ? `key:${req.apiKey.name}` : `addr:${req.socket.remoteAddress ?? '?'}`;
    const { totalHits, resetTime } = await store.increment(key);
    const resetSeconds = secondsUntil(resetTime, RATE_WINDOW_MS);
    if (!res.headersSent) {
      res.setHeader('RateLimit-Policy', policy);
      res.setHeader('RateLimit', `limit=${perMinute}, remaining=${Math.max(perMinute - totalHits, 0)}, reset=${resetSeconds}`);
    }
    if (totalHits <= perMinute) return next();
    // Retry-After: the time left in this client's window, on the response and in the problem
    if (!res.headersSent) res.setHeader('Retry-After', String(resetSeconds));
    next(
      new HttpProblem('rate-limited', `more than ${perMinute} requests in a minute`, undefined, {
        'Retry-After': String(res.getHeader('Retry-After') ?? 1),
      }),
    );
  };
}
