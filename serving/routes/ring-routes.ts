// GET /v1/rings/:ring_id and GET /v1/accounts/:account_id/ring: members and the identifiers that tie them (scopes: route-table.ts)
import { Router } from 'express';
import { HttpProblem } from '../http-problem.js';
import { coveredBy, ROUTES } from '../route-table.js';
import type { RouteDeps } from './route-deps.js';

export function ringRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get(ROUTES.ring.path, coveredBy(ROUTES.ring), (req, res) => {
    const ring = deps.requireModel().ring(String(req.params['ring_id']));
    if (!ring) throw new HttpProblem('not-found', 'no ring with this id in the loaded model');
    res.json(ring);
  });
  router.get(ROUTES.accountRing.path, coveredBy(ROUTES.accountRing), (req, res) => {
    const ring = deps.requireModel().ringOfAccount(String(req.params['account_id']));
    if (!ring) throw new HttpProblem('not-found', 'this account is not in a ring of the loaded model');
    res.json(ring);
  });
  return router;
}
