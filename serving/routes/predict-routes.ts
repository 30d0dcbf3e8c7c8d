// POST /v1/predict (one or many accounts) → scoring only
import { Router } from 'express';
import { parseAccountEventsQuickly } from '../../data/parse-account-events.js';
import { type AccountEvents, EVENT_TABLES } from '../../data/tables.js';
import { type PredictRequest, PredictRequestSchema, type PredictResponse } from '../api-schemas.js';
import { HttpProblem } from '../http-problem.js';
import type { RouteDeps } from './route-deps.js';
import { validateRequest } from '../validate-request.js';

/** A well-formed request without zod's cost; null sends the body to zod, which names every problem. */
function parsePredictRequestQuickly(body: unknown): PredictRequest | null {
  const accounts = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { accounts?: unknown }).accounts : undefined;
  if (!Array.isArray(accounts) || accounts.length === 0) return null;
  const parsed: AccountEvents[] = [];
  for (const account of accounts) {
    const record = parseAccountEventsQuickly(account);
    if (record === null) return null;
    parsed.push(record);
  }
  return { accounts: parsed };
}

export function predictRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.post('/v1/predict', deps.requireScope('predict'), (req, res) => {
    const model = deps.requireModel();
    const rawAccounts = (req.body as { accounts?: unknown } | undefined)?.accounts;
    // limits first, so an oversized batch is refused before it is validated
    if (Array.isArray(rawAccounts) && rawAccounts.length > deps.config.max_accounts_per_request) {
      throw new HttpProblem('payload-too-large', `${rawAccounts.length} accounts in one request; the limit is ${deps.config.max_accounts_per_request}`);
    }
    if (Array.isArray(rawAccounts)) {
      rawAccounts.forEach((account: unknown, i: number) => {
        if (typeof account !== 'object' || account === null) return;
        const events = EVENT_TABLES.reduce((sum, table) => sum + (Array.isArray((account as Record<string, unknown>)[table]) ? ((account as Record<string, unknown[]>)[table] as unknown[]).length : 0), 0);
        if (events > deps.config.max_events_per_account) {
          throw new HttpProblem('payload-too-large', `account ${i} has ${events} events; the limit is ${deps.config.max_events_per_account} per account`);
        }
      });
    }
    const body = parsePredictRequestQuickly(req.body) ?? validateRequest(PredictRequestSchema, req.body, 'the predict request');
    const results = body.accounts.map((account) => model.scoreAccount(account));
    for (const r of results) deps.metrics.scores.inc({ action: r.action });
    const response: PredictResponse = { model: { name: model.name, version: model.version }, results };
    res.json(response);
  });
  return router;
}
