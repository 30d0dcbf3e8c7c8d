// GET /v1/model (manifest summary), POST /v1/model/reload (admin)
import type { IRouter } from 'express';
import { ReloadRequestSchema } from '../api-schemas.js';
import { coveredBy, ROUTES } from '../route-table.js';
import { validateRequest } from '../validate-request.js';
import type { RouteDeps } from './route-deps.js';

export function modelRoutes(router: IRouter, deps: RouteDeps): void {
  router.get(ROUTES.model.path, coveredBy(ROUTES.model), (_req, res) => {
    res.json(deps.requireModel().summary);
  });
  router.post(ROUTES.reload.path, coveredBy(ROUTES.reload), ...deps.readBody, async (req, res) => {
    const body = validateRequest(ReloadRequestSchema, req.body ?? {}, 'the reload request');
    const model = await deps.reloadModel(body.version);
    res.json(model.summary);
  });
}
