// score + rules → BLOCK_ACCOUNT / FLAG_FOR_REVIEW / MONITOR from policy data
import { z } from 'zod';
import type { Action } from './risk-assessment.js';

export const RiskPolicySchema = z
  .strictObject({
    block_above: z.number().min(0).max(100).default(75).describe('risk score strictly above this → BLOCK_ACCOUNT'),
    flag_above: z.number().min(0).max(100).default(50).describe('risk score strictly above this → FLAG_FOR_REVIEW'),
    review_capacity: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe('accounts a review team can look at per run; precision is reported at this depth'),
  })
  .refine((policy) => policy.flag_above < policy.block_above, {
    message: 'flag_above must be lower than block_above',
    path: ['flag_above'],
  });
export type RiskPolicy = z.infer<typeof RiskPolicySchema>;

export function actionForScore(riskScore: number, policy: RiskPolicy): Action {
  if (riskScore > policy.block_above) return 'BLOCK_ACCOUNT';
  if (riskScore > policy.flag_above) return 'FLAG_FOR_REVIEW';
  return 'MONITOR';
}
