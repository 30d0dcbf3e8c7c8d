// createApp({config, modelHolder, logger, keys}) → express app; no listen, no env
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import { findApiKey, hasScope, type KeyRecord, type Scope } from './api-keys.js';
import type { ServeConfig } from './config.js';
import { HttpProblem, problemBody, toProblem } from './http-problem.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import type { ModelHolder, ScoringModel } from './model-holder.js';
import { buildOpenApiDocument } from './openapi.js';
import { healthRoutes } from './routes/health-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { predictRoutes } from './routes/predict-routes.js';
import type { RouteDeps } from './routes/route-deps.js';
import { ringRoutes } from './routes/ring-routes.js';

export interface AppDeps {
  readonly config: ServeConfig;
  readonly modelHolder: ModelHolder;
  readonly logger: Logger;
  /** API keys; null = no authentication (allowed only on loopback, enforced by the config) */
  readonly keys: readonly KeyRecord[] | null;
  readonly metrics?: ServiceMetrics;
  readonly version?: string;
  /** what a cluster worker replaces so that all workers act as one service; absent, this process is the service */
  readonly cluster?: ClusterHooks;
}

export interface ClusterHooks {
  /** POST /v1/model/reload: puts the version in service on every worker, or on none */
  reloadModel(version?: string): Promise<ScoringModel>;
  /** GET /metrics: the metrics of all workers together, Prometheus text */
  metricsText(): Promise<string>;
  /** rate-limit counts shared by all workers (each worker's own count would multiply the limit by their number) */
  readonly rateLimitStore: Store;
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    apiKey: KeyRecord | null;
  }
}

const WINDOW_MS = 60_000;

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  const metrics = deps.metrics ?? createServiceMetrics();
  const showModel = (model: ScoringModel) => {
    metrics.modelInfo.reset();
    metrics.modelInfo.set({ name: model.name, version: model.version }, 1);
  };
  const current = deps.modelHolder.current();
  if (current) showModel(current);
  deps.modelHolder.onInstall(showModel);
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    req.requestId = randomUUID();
    req.apiKey = null;
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    // 'close', not 'finish': a request whose client hung up is logged too
    res.on('close', () => {
      // the route pattern, never the URL: paths can hold account ids
      const route = (req.route as { path?: string } | undefined)?.path ?? (res.statusCode === 404 ? 'unmatched' : req.path.startsWith('/docs') ? '/docs' : 'unmatched');
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { route, method: req.method, status: String(res.statusCode) };
      metrics.requests.inc(labels);
      metrics.latency.observe(labels, seconds);
      deps.logger.info({ req_id: req.requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, key: req.apiKey?.name ?? null }, 'request');
    });
    next();
  });
  app.use(helmet({ contentSecurityPolicy: false }));

  const requireScope = (scope: Scope): RequestHandler => (req, _res, next) => {
    if (deps.keys === null) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new HttpProblem('unauthorized', 'send an API key as Authorization: Bearer <key>', undefined, { 'WWW-Authenticate': 'Bearer' }));
    const key = findApiKey(deps.keys, match[1] as string);
    if (!key) return next(new HttpProblem('unauthorized', 'the API key is not valid', undefined, { 'WWW-Authenticate': 'Bearer' }));
    req.apiKey = key;
    if (!hasScope(key, scope)) return next(new HttpProblem('forbidden', `this route needs the ${scope} scope; the key has ${key.scope}`));
    next();
  };

  const limiter = rateLimit({
    windowMs: WINDOW_MS,
    limit: deps.config.rate_limit_per_minute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(deps.cluster ? { store: deps.cluster.rateLimitStore } : {}),
    keyGenerator: (req) => {
      const header = req.get('authorization');
      return header ? `key:${header.slice(-16)}` : `addr:${req.socket.remoteAddress ?? '?'}`;
    },
    handler: (_req, _res, next) => next(new HttpProblem('rate-limited', `more than ${deps.config.rate_limit_per_minute} requests in a minute`, undefined, { 'Retry-After': String(WINDOW_MS / 1000) })),
  });
  app.use('/v1', limiter);

  app.use('/v1', (req, _res, next) => {
    if (req.method === 'POST' && req.headers['content-length'] !== '0' && (req.headers['transfer-encoding'] || Number(req.headers['content-length'] ?? 0) > 0) && !req.is('application/json')) {
      return next(new HttpProblem('unsupported-media-type', `the body must be application/json, got ${req.get('content-type') ?? 'none'}`));
    }
    next();
  });
  app.use(express.json({ limit: deps.config.body_limit_bytes, strict: false }));

  const routeDeps: RouteDeps = {
    config: deps.config,
    modelHolder: deps.modelHolder,
    metrics,
    reloadModel: deps.cluster ? (version) => deps.cluster!.reloadModel(version) : (version) => deps.modelHolder.reload(version),
    metricsText: deps.cluster ? () => deps.cluster!.metricsText() : () => metrics.registry.metrics(),
    requireScope,
    requireModel: () => {
      const model = deps.modelHolder.current();
      if (!model) throw new HttpProblem('model-not-ready', 'no model is loaded yet', undefined, { 'Retry-After': '5' });
      return model;
    },
  };
  app.use(healthRoutes(routeDeps));
  app.use(predictRoutes(routeDeps));
  app.use(ringRoutes(routeDeps));
  app.use(modelRoutes(routeDeps));
  const openApi = buildOpenApiDocument(deps.version ?? '1');
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi, { customSiteTitle: 'ringfence API' }));

  app.use((_req, _res, next) => next(new HttpProblem('not-found', 'no such route')));
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500 && problem.slug === 'internal-error') {
      deps.logger.error({ req_id: req.requestId, err: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } }, 'unhandled error');
    }
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problemBody(problem, req.requestId ?? randomUUID())));
  };
  app.use(onError);
  return app;
}
