// GET /healthz (live), GET /readyz (model loaded): open; GET /metrics: the metrics scope (route-table.ts)
import type { IRouter } from 'express';
import { HttpProblem } from '../http-problem.js';
import { coveredBy, ROUTES } from '../route-table.js';
import type { RouteDeps } from './route-deps.js';

export function healthRoutes(router: IRouter, deps: RouteDeps): void {
  const modelRef = () => {
    const model = deps.modelHolder.current();
    return model ? { name: model.name, version: model.version } : null;
  };
  router.get(ROUTES.healthz.path, coveredBy(ROUTES.healthz), (_req, res) => {
    res.json({ status: 'ok', model: modelRef() });
  });
  router.get(ROUTES.readyz.path, coveredBy(ROUTES.readyz), (_req, res) => {
    if (!deps.modelHolder.current()) throw new HttpProblem('model-not-ready', 'no model is loaded yet', undefined, { 'Retry-After': '5' });
    res.json({ status: 'ready', model: modelRef() });
  });
  router.get(ROUTES.metrics.path, coveredBy(ROUTES.metrics), async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metricsText());
  });
}
