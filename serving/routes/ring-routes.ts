// Rings of the live identity state (scopes: route-table.ts): GET /v1/rings/:ring_id and
// GET /v1/accounts/:account_id/ring (members, the identifiers that tie them, the ring score) and
// GET /v1/rings?changed_since=T (rings that grew or changed: their earlier members need a second look).
// A ring is a candidate group whose ring score reaches policy.ring_above (issue 18). The account route shows the
// account's group whichever it is (is_ring, not_ring_because); the ring routes answer for rings only, and the id
// of a group below the threshold gets a 404 saying it is a group, not a ring.
import type { IRouter } from 'express';
import { z } from 'zod';
import type { ChangedRingsSchema } from '../api-schemas.js';
import { HttpProblem } from '../http-problem.js';
import { coveredBy, ROUTES } from '../route-table.js';
import { validateRequest } from '../validate-request.js';
import type { RouteDeps } from './route-deps.js';

const ChangedSinceQuerySchema = z.object({
  changed_since: z.iso.datetime({ offset: true, error: 'changed_since must be an ISO-8601 time, e.g. 2026-12-06T04:00:00Z' }),
});

export function ringRoutes(router: IRouter, deps: RouteDeps): void {
  router.get(ROUTES.rings.path, coveredBy(ROUTES.rings), async (req, res) => {
    const { changed_since } = validateRequest(ChangedSinceQuerySchema, req.query, 'the rings query');
    const rings = await deps.requireModel().ringsChangedSince(Date.parse(changed_since));
    res.json({ rings } satisfies z.infer<typeof ChangedRingsSchema>);
  });
  router.get(ROUTES.ring.path, coveredBy(ROUTES.ring), async (req, res) => {
    const ring = await deps.requireModel().ring(String(req.params['ring_id']));
    if (!ring) throw new HttpProblem('not-found', 'no ring with this id in the identity state');
    // a candidate group below the ring threshold is not a ring: GET /v1/accounts/:account_id/ring shows it
    if (!ring.is_ring)
      throw new HttpProblem(
        'not-found',
        `${ring.ring_id} is a candidate group, not a ring: ${ring.not_ring_because} (GET /v1/accounts/:account_id/ring of a member shows it)`,
      );
    res.json(ring);
  });
  router.get(ROUTES.accountRing.path, coveredBy(ROUTES.accountRing), async (req, res) => {
    const ring = await deps.requireModel().ringOfAccount(String(req.params['account_id']));
    if (!ring) throw new HttpProblem('not-found', 'this account shares no identifier link with another account of the identity state');
    res.json(ring);
  });
}
