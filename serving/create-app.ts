// createApp({config, modelHolder, logger, keys}) → express app; no listen, no env. The middleware runs in the order
// the service's safety needs: log and route, authenticate, limit, then (per route) read the body, then the route.
import express from 'express';
import { MemoryStore, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import { AuthFailureLimit } from './auth-failure-limit.js';
import { authenticate } from './authenticate.js';
import type { ServeConfig } from './config.js';
import { HttpProblem } from './http-problem.js';
import type { KeyRing } from './key-ring.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import type { ModelHolder, ScoringModel } from './model-holder.js';
import { buildOpenApiDocument } from './openapi.js';
import { notFound, problemResponse } from './problem-response.js';
import { limitRequests, RATE_WINDOW_MS } from './rate-limit.js';
import { readJsonBody } from './read-body.js';
import { requestLog } from './request-log.js';
import { ROUTES } from './route-table.js';
import { accountRoutes } from './routes/account-routes.js';
import { decisionRoutes } from './routes/decision-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { predictRoutes } from './routes/predict-routes.js';
import type { RouteDeps } from './routes/route-deps.js';
import { ringRoutes } from './routes/ring-routes.js';

export interface AppDeps {
  readonly config: ServeConfig;
  readonly modelHolder: ModelHolder;
  readonly logger: Logger;
  /** the API keys in service; KeyRing.none() = no authentication (allowed only on loopback, enforced by the config) */
  readonly keys: KeyRing;
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
  /** a rate-limit count shared by all workers (each worker's own count would multiply the limit by their number) */
  createRateLimitStore(): Store;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  const metrics = deps.metrics ?? createServiceMetrics();
  followModelVersion(deps.modelHolder, metrics);
  app.disable('x-powered-by');
  app.set('etag', false);
  const newStore = () => deps.cluster?.createRateLimitStore() ?? new MemoryStore();

  app.use(requestLog(deps.logger, metrics));
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(authenticate(deps.keys, new AuthFailureLimit(newStore(), deps.config.auth_failures_per_minute, RATE_WINDOW_MS)));
  app.use(limitRequests(deps.config.rate_limit_per_minute, newStore()));

  const routeDeps: RouteDeps = {
    config: deps.config,
    modelHolder: deps.modelHolder,
    metrics,
    reloadModel: deps.cluster ? (version) => deps.cluster!.reloadModel(version) : (version) => deps.modelHolder.reload(version),
    metricsText: deps.cluster ? () => deps.cluster!.metricsText() : () => metrics.registry.metrics(),
    readBody: readJsonBody(deps.config.body_limit_bytes),
    requireModel: () => {
      const model = deps.modelHolder.current();
      if (!model) throw new HttpProblem('model-not-ready', 'no model is loaded yet', undefined, { 'Retry-After': '5' });
      return model;
    },
  };
  // one router for all routes: a request walks its route layers once instead of entering a sub-router per module;
  // each path's methods all belong to one module, so an OPTIONS request is answered with the same Allow list as before
  const routes = express.Router();
  for (const addRoutes of [healthRoutes, predictRoutes, ringRoutes, accountRoutes, decisionRoutes, modelRoutes]) addRoutes(routes, routeDeps);
  app.use(routes);
  const openApi = buildOpenApiDocument(deps.version ?? '1');
  app.get(ROUTES.openapi.path, (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi, { customSiteTitle: 'ringfence API' }));

  app.use(notFound);
  app.use(problemResponse(deps.logger));
  return app;
}

/** The model-info gauge names the version in service, from now on and after each reload. */
function followModelVersion(holder: ModelHolder, metrics: ServiceMetrics): void {
  const show = (model: ScoringModel) => {
    metrics.modelInfo.reset();
    metrics.modelInfo.set({ name: model.name, version: model.version }, 1);
  };
  const current = holder.current();
  if (current) show(current);
  holder.onInstall(show);
}
