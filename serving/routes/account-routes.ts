// DELETE /v1/accounts/:account_id (admin; scopes: route-table.ts): the right to erasure; the account's identifiers
// and links leave the live identity state (every worker and machine sharing the store).
import type { IRouter } from 'express';
import { HttpProblem } from '../http-problem.js';
import { coveredBy, ROUTES } from '../route-table.js';
import type { RouteDeps } from './route-deps.js';

export function accountRoutes(router: IRouter, deps: RouteDeps): void {
  router.delete(ROUTES.forgetAccount.path, coveredBy(ROUTES.forgetAccount), async (req, res) => {
    const accountId = String(req.params['account_id']);
    if (!(await deps.requireModel().forgetAccount(accountId)))
      throw new HttpProblem('not-found', 'this account is not recorded in the live identity state');
    res.status(204).end();
  });
}
