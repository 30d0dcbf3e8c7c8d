// Every route of the service with the scope it needs, matched on the raw path before anything else runs: so that
// the key is checked before a body is read or a path parameter decoded, and a refusal is counted under its route.
import type { RequestHandler } from 'express';
import type { Scope } from './api-keys.js';

export interface RouteEntry {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** the Express pattern, also the route label of metrics and logs */
  readonly path: string;
  /** the scope a key needs, or null: open to anyone (liveness, readiness, the API's description) */
  readonly scope: Scope | null;
}

export const ROUTES = {
  predict: { method: 'POST', path: '/v1/predict', scope: 'predict' },
  rings: { method: 'GET', path: '/v1/rings', scope: 'predict' },
  ring: { method: 'GET', path: '/v1/rings/:ring_id', scope: 'predict' },
  accountRing: { method: 'GET', path: '/v1/accounts/:account_id/ring', scope: 'predict' },
  forgetAccount: { method: 'DELETE', path: '/v1/accounts/:account_id', scope: 'admin' },
  recordDecisions: { method: 'POST', path: '/v1/decisions', scope: 'review' },
  accountDecisions: { method: 'GET', path: '/v1/decisions', scope: 'review' },
  model: { method: 'GET', path: '/v1/model', scope: 'predict' },
  reload: { method: 'POST', path: '/v1/model/reload', scope: 'admin' },
  metrics: { method: 'GET', path: '/metrics', scope: 'metrics' },
  healthz: { method: 'GET', path: '/healthz', scope: null },
  readyz: { method: 'GET', path: '/readyz', scope: null },
  openapi: { method: 'GET', path: '/openapi.json', scope: null },
} as const satisfies Record<string, RouteEntry>;

/** the browsable API page and its assets, open like the document it shows */
const DOCS: RouteEntry = { method: 'GET', path: '/docs', scope: null };
const DOCS_PATH = /^\/docs(\/|$)/i;

// a parameter matches one raw segment, still percent-encoded: decoding is the router's, after authentication
// case-insensitive and with an optional trailing slash, as Express matches its routes by default
const patternOf = (path: string) => new RegExp(`^${path.replace(/:[a-z_]+/g, '[^/]+')}/?$`, 'i');
const MATCHERS = Object.values(ROUTES).map((entry): [RegExp, RouteEntry] => [patternOf(entry.path), entry]);

/**
 * A route handler's first step: the request was matched to this very entry, so authenticate() checked its scope. A
 * route the table does not cover would otherwise be served without a key; this makes it a 500 instead.
 */
export const coveredBy =
  (entry: RouteEntry): RequestHandler =>
  (req, _res, next) =>
    next(
      req.routeEntry === entry
        ? undefined
        : new Error(`route ${entry.method} ${entry.path} was reached by ${req.method} ${req.routeEntry?.path ?? 'no entry'}`),
    );

/** The route a request is for (HEAD counts as GET, as in Express), or null: it will get a 404. */
export function matchRoute(method: string, path: string): RouteEntry | null {
  const wanted = method === 'HEAD' ? 'GET' : method;
  if (wanted === 'GET' && DOCS_PATH.test(path)) return DOCS;
  for (const [pattern, entry] of MATCHERS) if (entry.method === wanted && pattern.test(path)) return entry;
  return null;
}
