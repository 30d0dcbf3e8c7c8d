// Scoring against the live identity state, one code path for the service (POST /v1/predict) and `ringfence score`:
// the accounts are first added to the state, then each is assessed against it (so a ring arriving together sees
// itself), with the ring it is in now. Same state and same account give the same assessment.
import { z } from 'zod';
import type { AccountEvents } from '../../data/tables.js';
import { type RiskAssessment, RiskAssessmentSchema } from '../scoring/risk-assessment.js';
import { type AccountEventSummary, type AccountFeatures, completeAccountFeatures, summariseAccountEvents } from '../features/account-features.js';
import { assessAccountFeatures, type DetectorOutput, memberAnomalyScore, runDetectors, type ScoringParts } from '../scoring/risk-score.js';
import { type LiveAccount, liveAccountOf } from './live-account.js';
import type { LiveIdentityGraph } from './live-identity-graph.js';

export const RingSummarySchema = z.object({
  size: z.number().int().describe('accounts in the ring now'),
  ring_score: z.number().min(0).max(100).describe("the ring's score now, 0-100"),
});

export const LiveAssessmentSchema = RiskAssessmentSchema.extend({
  ring_id: z
    .string()
    .nullable()
    .describe('the ring the account is in now (live identity state): a candidate group whose ring score reaches policy.ring_above; else null'),
  ring: RingSummarySchema.nullable().describe("that ring's size and score, or null"),
});
export type LiveAssessment = z.infer<typeof LiveAssessmentSchema>;

/** An account made ready for the live state: what its events say (read once), the detectors' output, and its live record. */
export interface PreparedAccount {
  readonly summary: AccountEventSummary;
  readonly detectors: DetectorOutput;
  readonly record: LiveAccount;
}

/**
 * `accounts` made ready for the state of the model whose parts are `modelParts` (its own identity index): each one's
 * events read once into a summary, and its live record (keyed identifier hashes, the profile group evidence needs, and
 * the member's anomaly score against the model's own index, a function of the model and its events alone).
 */
export function prepareLive(modelParts: ScoringParts, accounts: readonly AccountEvents[], recordedAt: number): PreparedAccount[] {
  const index = modelParts.identityIndex;
  return accounts.map((account) => {
    const summary = summariseAccountEvents(account, index.hashKey);
    const detectors = runDetectors(modelParts, completeAccountFeatures(summary, { referenceTime: modelParts.referenceTime, identityIndex: index }));
    return { summary, detectors, record: liveAccountOf(summary.identity, recordedAt, memberAnomalyScore(modelParts, detectors)) };
  });
}

/** The model's parts scoring against `graph` (its index plus the recorded accounts) instead of the index alone. */
export function livePartsOf(modelParts: ScoringParts, graph: LiveIdentityGraph): ScoringParts {
  return { ...modelParts, identityIndex: graph.asIdentityIndex() };
}

/** What revises an assessment after it is made (the service: analyst decisions), from what it was made of. */
export type AssessmentAdjustment = (
  assessment: RiskAssessment,
  made: { readonly summary: AccountEventSummary; readonly features: AccountFeatures; readonly detectors: DetectorOutput },
) => RiskAssessment;

/**
 * An account (its summary; the detectors' output when prepareLive made it) assessed against the live state (`liveParts`
 * from livePartsOf over `graph`), with the ring (ring score >= policy.ring_above) it is in now; in a candidate group
 * below the threshold its ring_id is null. `adjust` may revise the assessment.
 */
export function assessLive(
  liveParts: ScoringParts,
  graph: LiveIdentityGraph,
  account: { readonly summary: AccountEventSummary; readonly detectors?: DetectorOutput },
  adjust?: AssessmentAdjustment,
): LiveAssessment {
  const { summary } = account;
  const accountId = summary.identity.account_id;
  const features = completeAccountFeatures(summary, { referenceTime: liveParts.referenceTime, identityIndex: liveParts.identityIndex });
  const detectors = account.detectors ?? runDetectors(liveParts, features);
  const assessment = assessAccountFeatures(liveParts, accountId, features, detectors);
  const group = graph.groupOfAccountNow(accountId);
  const ring = group?.is_ring ? group : null;
  return {
    ...(adjust ? adjust(assessment, { summary, features, detectors }) : assessment),
    ring_id: ring?.ring.ring_id ?? null,
    ring: ring ? { size: ring.size, ring_score: ring.ring.ring_score } : null,
  };
}

/** Sign-up order: creation time, then account id. `ringfence score` adds a folder in it, as a stream of sign-ups would. */
export function signUpOrder(a: { created_at: number; account_id: string }, b: { created_at: number; account_id: string }): number {
  return a.created_at - b.created_at || (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0);
}
