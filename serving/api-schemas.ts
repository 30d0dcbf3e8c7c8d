// zod request/response schemas per route; request records reuse data/tables rows
import { z } from 'zod';
import { DecisionRequestSchema } from '../data/decisions.js';
import { AccountEventsSchema } from '../data/tables.js';
import { StoredDecisionSchema } from '../training/decisions/decision-store.js';
import { IdentifierKindSchema } from '../training/scoring/risk-assessment.js';
import { RingVerdictSchema } from '../training/identity/ring-score.js';
import { LiveAssessmentSchema, RingSummarySchema } from '../training/identity/live-assessment.js';

export const PredictRequestSchema = z.object({
  accounts: z.array(AccountEventsSchema).min(1).describe('accounts to score, each with its events (1 to the configured maximum)'),
  record: z
    .boolean()
    .default(true)
    .describe('true: the accounts join the live identity state; false: they are scored as if they had, and nothing is kept'),
});
export type PredictRequest = z.infer<typeof PredictRequestSchema>;

export const ModelRefSchema = z.object({ name: z.string(), version: z.string() });

/** one result per account: its assessment against the live identity state and the ring it is in now */
export const PredictResultSchema = LiveAssessmentSchema;
export type PredictResult = z.infer<typeof PredictResultSchema>;

export const PredictResponseSchema = z.object({
  model: ModelRefSchema,
  results: z.array(PredictResultSchema).describe('one per account, in request order'),
});
export type PredictResponse = z.infer<typeof PredictResponseSchema>;

export const RingDetailSchema = z.object({
  ring_id: z.string().describe('the id of the ring, or of the candidate group when is_ring is false'),
  is_ring: z.boolean().describe('whether the ring score reaches policy.ring_above; a candidate group below it is not a ring'),
  not_ring_because: z.string().nullable().describe('why a candidate group below the threshold is not a ring; null for a ring'),
  members: z.array(z.string()),
  size: z.number().int(),
  identifiers: z.array(
    z.object({
      kind: IdentifierKindSchema,
      ref: z.string().describe('first characters of the keyed hash: a reference, not the identifier'),
      accounts: z.number().int(),
    }),
  ),
  strength: z.number(),
  template_share: z.number(),
  flagged_members: z.array(z.string()).describe('members flagged at training time'),
  ring_score: z.number().min(0).max(100).describe('0-100 group coordination evidence; a group is a ring from policy.ring_above on'),
  rests_on: RingVerdictSchema.shape.rests_on,
  honest_signs: RingVerdictSchema.shape.honest_signs,
  reasons: z.array(z.string()).describe('ring-level reasons: the coordination evidence, then the honest signs weighed against it'),
});
export type RingDetail = z.infer<typeof RingDetailSchema>;

export const ChangedRingSchema = RingSummarySchema.extend({
  ring_id: z.string(),
  changed_at: z.string().describe('when a member last joined or left (ISO-8601)'),
});
export type ChangedRing = z.infer<typeof ChangedRingSchema>;
export const ChangedRingsSchema = z.object({
  rings: z
    .array(ChangedRingSchema)
    .describe('rings (ring score at or above policy.ring_above) that grew or changed since the time asked, latest first'),
});

export const ModelSummarySchema = z.object({
  name: z.string(),
  version: z.string(),
  created_at: z.string(),
  format_version: z.string(),
  tfjs_backend: z.string(),
  features: z.array(z.string()),
  policy: z.object({ block_above: z.number(), flag_above: z.number() }),
  training_accounts: z.number().int().nullable(),
  metrics: z.object({ roc_auc: z.number().nullable(), pr_auc: z.number().nullable(), flagged_precision: z.number().nullable() }).nullable(),
  rings: z.number().int(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

/** Decisions one POST may carry. */
export const MAX_DECISIONS_PER_REQUEST = 1000;

export const DecisionsBatchSchema = z.strictObject({
  decisions: z.array(DecisionRequestSchema).min(1).max(MAX_DECISIONS_PER_REQUEST).describe('decisions to record, in order'),
});

export const DecisionsRequestSchema = z
  .union([DecisionRequestSchema, DecisionsBatchSchema])
  .describe(
    'one decision (account, group or list entry) or {"decisions": [...]}; decided_at defaults to the time of the request; a list entry may give the raw identifier, hashed with the deployment secret on arrival and never stored',
  );

export const DecisionsRecordedSchema = z.object({
  recorded: z.array(StoredDecisionSchema).describe('the decisions new to the store, as stored'),
  already_recorded: z.number().int().describe('decisions the store already held (same content), unchanged'),
});
export type DecisionsRecorded = z.infer<typeof DecisionsRecordedSchema>;

export const AccountDecisionsSchema = z.object({
  account_id: z.string(),
  decisions: z.array(StoredDecisionSchema).describe('every decision naming the account, in the order recorded'),
});
export type AccountDecisions = z.infer<typeof AccountDecisionsSchema>;

export const ReloadRequestSchema = z.object({ version: z.string().min(1).optional().describe('version id; omitted = the newest') }).strict();

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string(), code: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const HealthSchema = z.object({ status: z.enum(['ok', 'ready']), model: ModelRefSchema.nullable() });
