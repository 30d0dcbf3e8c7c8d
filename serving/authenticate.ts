// Second middleware: a keyed route needs a valid key with its scope, checked before the body is read or a path
// parameter decoded; failures are counted per client address (auth-failure-limit.ts).
import type { RequestHandler } from 'express';
import { findApiKey, hasScope } from './api-keys.js';
import type { AuthFailureLimit } from './auth-failure-limit.js';
import { HttpProblem } from './http-problem.js';
import type { KeyRing } from './key-ring.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

export function authenticate(keyRing: KeyRing, failures: AuthFailureLimit): RequestHandler {
  return async (req, _res, next) => {
    const scope = req.routeEntry?.scope ?? null;
    const keys = keyRing.current();
    if (scope === null || keys === null) return next();
    const address = req.socket.remoteAddress ?? '?';
    const wait = failures.retryAfter(address);
    if (wait !== null)
      return next(new HttpProblem('rate-limited', 'too many failed authentications from this address', undefined, { 'Retry-After': String(wait) }));
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const key = match ? findApiKey(keys, match[1] as string) : null;
    if (!key) {
      await failures.recordFailure(address);
      return next(
        new HttpProblem('unauthorized', match ? 'the API key is not valid' : 'send an API key as Authorization: Bearer <key>', undefined, CHALLENGE),
      );
    }
    req.apiKey = key;
    if (!hasScope(key, scope)) return next(new HttpProblem('forbidden', `this route needs the ${scope} scope; the key has ${key.scope}`));
    next();
  };
}
