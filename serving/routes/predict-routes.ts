// POST /v1/predict (one or many accounts) → scoring only
import { Router } from 'express';
import type { PredictResponse } from '../api-schemas.js';
import { parsePredictBody } from '../predict-body.js';
import { coveredBy, ROUTES } from '../route-table.js';
import type { RouteDeps } from './route-deps.js';

export function predictRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.post(ROUTES.predict.path, coveredBy(ROUTES.predict), ...deps.readBody, (req, res) => {
    const model = deps.requireModel();
    const accounts = parsePredictBody(req.body, deps.config);
    const results = accounts.map((account) => model.scoreAccount(account));
    for (const r of results) deps.metrics.scores.inc({ action: r.action });
    const response: PredictResponse = { model: { name: model.name, version: model.version }, results };
    res.json(response);
  });
  return router;
}
