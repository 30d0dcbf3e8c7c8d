// Analysts' decisions (scope review; route-table.ts): POST /v1/decisions records one decision or a batch, acting on
// the next score of every worker and machine sharing the decision store; GET /v1/decisions?account_id= lists the
// decisions naming an account.
import type { IRouter } from 'express';
import { z } from 'zod';
import { DecisionRequestSchema } from '../../data/decisions.js';
import { type AccountDecisions, DecisionsBatchSchema, type DecisionsRecorded } from '../api-schemas.js';
import { coveredBy, ROUTES } from '../route-table.js';
import { validateRequest } from '../validate-request.js';
import type { RouteDeps } from './route-deps.js';

const AccountQuerySchema = z.object({ account_id: z.string().min(1, 'account_id is required').max(200) });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** decided_at, when a client leaves it out, is the time the service received the decision. */
function withDecidedAt(value: unknown, now: string): unknown {
  return isRecord(value) && value['decided_at'] === undefined ? { ...value, decided_at: now } : value;
}

/** The decisions of a body: a batch when it has `decisions`, else one decision (so errors point into the form sent). */
function decisionsOfBody(body: unknown) {
  const now = new Date().toISOString();
  if (isRecord(body) && 'decisions' in body) {
    const batch = Array.isArray(body['decisions']) ? { ...body, decisions: body['decisions'].map((d) => withDecidedAt(d, now)) } : body;
    return validateRequest(DecisionsBatchSchema, batch, 'the decisions request').decisions;
  }
  return [validateRequest(DecisionRequestSchema, withDecidedAt(body, now), 'the decision')];
}

export function decisionRoutes(router: IRouter, deps: RouteDeps): void {
  router.post(ROUTES.recordDecisions.path, coveredBy(ROUTES.recordDecisions), ...deps.readBody, async (req, res) => {
    const decisions = decisionsOfBody(req.body);
    const model = deps.requireModel();
    const { added, known } = await model.recordDecisions(decisions, `api key ${req.apiKey?.name ?? '(none: loopback without keys)'}`);
    res.status(added.length > 0 ? 201 : 200).json({ recorded: added, already_recorded: known } satisfies DecisionsRecorded);
  });
  router.get(ROUTES.accountDecisions.path, coveredBy(ROUTES.accountDecisions), async (req, res) => {
    const { account_id } = validateRequest(AccountQuerySchema, req.query, 'the decisions query');
    const decisions = await deps.requireModel().decisionsOfAccount(account_id);
    res.json({ account_id, decisions } satisfies AccountDecisions);
  });
}
