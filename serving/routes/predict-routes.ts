// POST /v1/predict (one or many accounts): added to the live identity state (unless "record": false), then scored
import type { IRouter } from 'express';
import { type PredictResponse, PredictRequestSchema } from '../api-schemas.js';
import { validateRequest } from '../validate-request.js';
import { parsePredictBody } from '../predict-body.js';
import { coveredBy, ROUTES } from '../route-table.js';
import type { RouteDeps } from './route-deps.js';

const RecordFlagSchema = PredictRequestSchema.pick({ record: true });

export function predictRoutes(router: IRouter, deps: RouteDeps): void {
  router.post(ROUTES.predict.path, coveredBy(ROUTES.predict), ...deps.readBody, async (req, res) => {
    const model = deps.requireModel();
    const accounts = parsePredictBody(req.body, deps.config);
    const { record } = validateRequest(RecordFlagSchema, req.body, 'the predict request');
    // the parsed body is not needed past this point; left on the request it would outlive the store's commit (model-holder.ts)
    req.body = undefined;
    const results = await model.scoreAccounts(accounts, { record });
    for (const r of results) deps.metrics.scores.inc({ action: r.action });
    const response: PredictResponse = { model: { name: model.name, version: model.version }, results };
    // the headers and the body as one string: skips res.json's Buffer copy of the body and Express's send checks
    // (Node still ends the message with a writev of that string and an empty last chunk)
    const body = JSON.stringify(response);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
}
