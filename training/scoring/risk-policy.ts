// score + kinds of evidence → BLOCK_ACCOUNT / FLAG_FOR_REVIEW / MONITOR from policy data
import { z } from 'zod';
import { DEFAULT_RING_ABOVE } from '../identity/ring-score.js';
import { type Action, type EvidenceKind } from './risk-assessment.js';

export const RiskPolicySchema = z
  .strictObject({
    block_above: z.number().min(0).max(100).default(75).describe('risk score strictly above this, with two kinds of evidence → BLOCK_ACCOUNT'),
    flag_above: z.number().min(0).max(100).default(50).describe('risk score strictly above this → FLAG_FOR_REVIEW'),
    ring_above: z.number().min(0).max(100).default(DEFAULT_RING_ABOVE).describe('a candidate group whose ring score reaches this is a ring'),
    block_needs_kinds: z
      .number()
      .int()
      .min(1)
      .max(3)
      .default(2)
      .describe('independent kinds of evidence (anomaly, ring, rules) a block needs; with fewer the account is flagged for review'),
    anomaly_evidence_above: z
      .number()
      .min(0)
      .max(100)
      .default(60)
      .describe('the anomaly part counts as a kind of evidence from this calibrated score on'),
    rules_evidence_above: z.number().min(0).max(100).default(30).describe('the rules part counts as a kind of evidence from this score on'),
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

/** The kinds of evidence an account's parts carry: anomaly and rules past their thresholds, a ring when it is in one. */
export function evidenceKinds(parts: { anomaly: number; rules: number; ringScore: number }, policy: RiskPolicy): EvidenceKind[] {
  const kinds: EvidenceKind[] = [];
  if (parts.anomaly >= policy.anomaly_evidence_above) kinds.push('anomaly');
  if (parts.ringScore > 0) kinds.push('ring');
  if (parts.rules >= policy.rules_evidence_above) kinds.push('rules');
  return kinds;
}

/** The action for a risk score; a block needs `block_needs_kinds` independent kinds of evidence, else it is a review. */
export function actionForScore(riskScore: number, policy: RiskPolicy, kinds: readonly EvidenceKind[] = []): Action {
  if (riskScore > policy.block_above && kinds.length >= policy.block_needs_kinds) return 'BLOCK_ACCOUNT';
  if (riskScore > policy.flag_above) return 'FLAG_FOR_REVIEW';
  return 'MONITOR';
}
