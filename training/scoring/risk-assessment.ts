// RiskAssessment: what scoring one account returns; the contract between training/scoring, the CLI's score output and the HTTP API.
import { z } from 'zod';

export const ACTIONS = ['BLOCK_ACCOUNT', 'FLAG_FOR_REVIEW', 'MONITOR'] as const;
export const ActionSchema = z.enum(ACTIONS).describe('what to do with the account, from the risk policy');
export type Action = z.infer<typeof ActionSchema>;

export const EvidenceKindSchema = z
  .enum(['anomaly', 'ring', 'rules', 'decisions'])
  .describe(
    'an independent kind of evidence: the detectors find the account unusual, it is in a ring, rules hit, the layer learnt from analyst decisions speaks about it',
  );
export type EvidenceKind = z.infer<typeof EvidenceKindSchema>;

export const IdentifierKindSchema = z.enum(['bank', 'device', 'ip']).describe('kind of shared identifier');
export type IdentifierKind = z.infer<typeof IdentifierKindSchema>;

const Score100 = z.number().min(0).max(100);

export const ComponentScoresSchema = z
  .object({
    autoencoder: Score100.describe('calibrated autoencoder reconstruction error, 0-100'),
    kmeans: Score100.describe('calibrated distance to the nearest k-means centroid relative to that cluster, 0-100'),
    isolation_forest: Score100.describe('calibrated isolation-forest path-length score, 0-100'),
    mahalanobis: Score100.describe(
      'calibrated Mahalanobis distance from the training mean (deviations that break the usual correlations of the features weigh most), 0-100',
    ),
    anomaly: Score100.describe('combined anomaly score of the detectors, 0-100'),
    identity: Score100.describe("ring evidence: the ring score of the account's ring (group coordination evidence), 0 outside rings, 0-100"),
    rules: Score100.describe('rule hits, 0-100'),
    supervised: Score100.optional().describe(
      'probability of fraud from the layer learnt from analyst decisions, 0-100 (absent when the version has none)',
    ),
  })
  .describe('each calibrated part of the risk score');
export type ComponentScores = z.infer<typeof ComponentScoresSchema>;

export const ReasonSchema = z.object({
  code: z
    .string()
    .describe('stable kebab-case code, e.g. feature-deviation (a feature the anomaly detectors single out), rule-proposal-burst, shared-bank-hash'),
  kind: z
    .enum(['feature', 'rule', 'link', 'ring', 'learned', 'decision'])
    .describe('ring: the ring the account is in; learned: the layer fitted to analyst decisions; decision: an analyst decision that applied'),
  name: z.string().describe('the feature, rule or link kind'),
  value: z.union([z.number(), z.string()]).describe("the account's value"),
  typical: z.union([z.number(), z.string()]).nullable().describe('what is typical (training median, rule threshold)'),
  unit: z.string().nullable(),
  contribution: z.number().describe('share of the evidence this reason carries, 0-1; reasons are ordered by it'),
  detail: z.string().describe('one readable sentence'),
});
export type Reason = z.infer<typeof ReasonSchema>;

export const LinkedAccountSchema = z.object({
  account_id: z.string(),
  via: z.array(IdentifierKindSchema).describe('identifier kinds shared with the scored account'),
  ring_id: z.string().nullable(),
  is_flagged: z.boolean().describe('whether the linked account scored FLAG_FOR_REVIEW or higher at training time'),
});

export const LinksSchema = z.object({
  accounts: z.array(LinkedAccountSchema).describe('known accounts sharing a bank hash, device or non-hub IP (capped)'),
  rings: z.array(z.string()).describe('rings those accounts belong to'),
  shared_identifiers: z
    .array(z.object({ kind: IdentifierKindSchema, accounts: z.number().int(), is_hub: z.boolean() }))
    .describe('per shared identifier: its kind and how many known accounts use it (never the raw identifier)'),
});
export type Links = z.infer<typeof LinksSchema>;

export const RiskAssessmentSchema = z.object({
  account_id: z.string(),
  risk_score: Score100.describe('risk score 0-100 (higher = riskier)'),
  action: ActionSchema,
  evidence: z
    .array(EvidenceKindSchema)
    .describe('the independent kinds of evidence present; BLOCK_ACCOUNT needs at least two (policy.block_needs_kinds)'),
  components: ComponentScoresSchema,
  cluster: z.number().int().nonnegative().describe('nearest k-means cluster'),
  reasons: z.array(ReasonSchema).describe('ordered, strongest first'),
  links: LinksSchema,
});
export type RiskAssessment = z.infer<typeof RiskAssessmentSchema>;
