// Third middleware: every request is limited, an authenticated one per key name (clients behind one gateway share
// its address, not their keys), any other per client address: open routes and unknown paths too.
import { rateLimit, type Store } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { HttpProblem } from './http-problem.js';

export const RATE_WINDOW_MS = 60_000;

export function limitRequests(perMinute: number, store?: Store): RequestHandler {
  return rateLimit({
    windowMs: RATE_WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(store ? { store } : {}),
    // the address is a plain string key here: one client per address (no IPv6 subnet grouping), as for failures
    validate: { keyGeneratorIpFallback: false },
    keyGenerator: (req) => (req.apiKey ? `key:${req.apiKey.name}` : `addr:${req.socket.remoteAddress ?? '?'}`),
    // express-rate-limit has set Retry-After to the time left in this client's window; the problem keeps it
    handler: (_req, res, next) =>
      next(
        new HttpProblem('rate-limited', `more than ${perMinute} requests in a minute`, undefined, {
          'Retry-After': String(res.getHeader('Retry-After') ?? 1),
        }),
      ),
  });
}
