// First middleware: gives the request an id and its route (matched on the raw path), and when it ends, however it
// ends, counts it in the metrics and writes its log line under that route.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { KeyRecord } from './api-keys.js';
import type { ServiceMetrics } from './metrics.js';
import { matchRoute, type RouteEntry } from './route-table.js';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    /** the key that authenticated the request, once it has */
    apiKey: KeyRecord | null;
    /** the route the path is for, or null (it gets a 404) */
    routeEntry: RouteEntry | null;
  }
}

export function requestLog(logger: Logger, metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    req.requestId = randomUUID();
    req.apiKey = null;
    req.routeEntry = matchRoute(req.method, req.path);
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    // 'close', not 'finish': a request whose client hung up is logged too
    res.on('close', () => {
      // the route pattern, never the URL: paths can hold account ids; a refusal before routing has its route too
      const route = req.routeEntry?.path ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // a client that hung up before the answer was sent got none: its status would be the unsent default 200
      const answered = res.headersSent;
      const labels = { route, method: req.method, status: answered ? String(res.statusCode) : 'client_closed' };
      metrics.requests.inc(labels);
      metrics.latency.observe(labels, seconds);
      logger.info(
        {
          req_id: req.requestId,
          method: req.method,
          route,
          status: answered ? res.statusCode : null,
          ...(answered ? {} : { client_closed: true }),
          ms: Math.round(seconds * 1e4) / 10,
          key: req.apiKey?.name ?? null,
        },
        'request',
      );
    });
    next();
  };
}
