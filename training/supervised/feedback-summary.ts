// What feedback changed: the labels used, the kinds learnt, the label-set thresholds with their lower bounds, metrics before and after.
import { z } from 'zod';
import type { ModelMetrics } from '../evaluation/evaluate-model.js';
import { ThresholdEstimateSchema } from './precision-thresholds.js';
import type { SupervisedStageResult } from './train-supervised-layer.js';

export const FEEDBACK_FILE = 'feedback.json';

const HeadlineSchema = z.object({
  evaluated_accounts: z.number().int(),
  fraud_accounts: z.number().int(),
  pr_auc: z.number().nullable(),
  flagged_precision: z.number(),
  flagged_recall: z.number(),
  block_precision: z.number().nullable(),
  recall_by_kind: z.record(z.string(), z.number()),
});

export const FeedbackSummarySchema = z.object({
  source: z.string().describe('where the labels came from'),
  labelled_accounts: z.number().int(),
  layer_fitted: z.boolean().describe('whether this version scores with the layer'),
  unused_because: z
    .string()
    .nullable()
    .default(null)
    .describe('why this version has no layer (too few labels, a FLAG threshold the labels cannot vouch for)'),
  labels: z.object({ fraud: z.number().int(), honest: z.number().int(), kinds: z.record(z.string(), z.number().int()) }).nullable(),
  layer_inputs: z.array(z.string()).optional().describe("the layer inputs the layer's trees read"),
  unlabelled_weight: z.number().optional().describe('weight of each account nobody labelled, fitted as honest (0: labels only)'),
  flag: ThresholdEstimateSchema.nullable(),
  block: ThresholdEstimateSchema.nullable(),
  review_bands: z
    .array(z.tuple([z.number().int(), z.number().int(), z.number().int()]))
    .describe('per band of the unsupervised rank: upper rank, accounts, labelled'),
  before: HeadlineSchema.nullable().describe('unsupervised model on held-out accounts nobody reviewed (when the data has a labels table)'),
  after: HeadlineSchema.nullable().describe('the same accounts with the layer'),
});
export type FeedbackSummary = z.infer<typeof FeedbackSummarySchema>;

function headline(metrics: ModelMetrics | null): z.infer<typeof HeadlineSchema> | null {
  if (!metrics) return null;
  return {
    evaluated_accounts: metrics.evaluated_accounts,
    fraud_accounts: metrics.fraud_accounts,
    pr_auc: metrics.pr_auc['risk_score'] ?? null,
    flagged_precision: metrics.flagged_precision,
    flagged_recall: metrics.flagged_recall,
    block_precision: metrics.precision_by_action?.['BLOCK_ACCOUNT']?.precision ?? null,
    recall_by_kind: Object.fromEntries(Object.entries(metrics.recall_by_kind).map(([kind, rate]) => [kind, rate.recall])),
  };
}

export function feedbackSummary(
  result: SupervisedStageResult & { source: string },
  before: ModelMetrics | null,
  after: ModelMetrics | null,
): FeedbackSummary {
  const state = result.fitted;
  return {
    source: result.source,
    labelled_accounts: result.labelled.size,
    layer_fitted: result.layer !== null,
    unused_because: result.unusedBecause,
    labels: state?.labels ?? null,
    ...(state ? { layer_inputs: state.input_names, unlabelled_weight: Number(state.params['unlabelled_weight'] ?? 0) } : {}),
    flag: state?.flag ?? null,
    block: state?.block ?? null,
    review_bands: result.bands.map((b) => [...b] as [number, number, number]),
    before: headline(before),
    after: headline(after),
  };
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));

/** The model card's "What feedback changed" section (empty without feedback). */
export function renderFeedbackSection(summary: FeedbackSummary | null): string {
  if (!summary) return '';
  const lines = ['', '## What feedback changed', '', `Labels: ${summary.source}.`];
  if (!summary.labels || !summary.flag || !summary.block) {
    lines.push(`No supervised layer (${summary.unused_because ?? 'too few labels of each class'}): this version is the unsupervised model.`);
    return `${lines.join('\n')}\n`;
  }
  if (!summary.layer_fitted)
    lines.push(
      `The layer was fitted but is not used (${summary.unused_because ?? 'its thresholds fall short'}): this version is the unsupervised model.`,
    );
  const kinds = Object.entries(summary.labels.kinds)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const inputs = summary.layer_inputs ?? [];
  const readsFeaturesOnly = inputs.length > 0 && inputs.every((name) => name.startsWith('feature:'));
  lines.push(
    `Supervised layer (boosted trees over ${readsFeaturesOnly ? `the ${inputs.length} scaled features` : "the features, the detectors' z scores and the identity, rule and risk parts"}) fitted to ${summary.labels.fraud} fraud and ${summary.labels.honest} honest accounts${summary.unlabelled_weight ? `, and the accounts nobody labelled as honest (weight ${summary.unlabelled_weight}: positive-unlabelled learning)` : ''}; kinds learnt: ${kinds || 'none named'}. The layer only raises a score.`,
    'Labels stand for the accounts of their band of the unsupervised rank (inverse of their chance of review): top-ranked reviews are not a random sample.',
    "Each threshold is the lowest probability whose precision (out-of-fold predictions of the labelled accounts) has a one-sided Clopper-Pearson lower bound reaching the action's target: BLOCK's target is the stricter one. Labels of a band reviewed in full count as exact; every other account at or above the threshold, labelled or not, counts at the bound of the fraud share among the sampled labels there. An action whose bound falls short is not taken by the layer.",
    '',
    '| action | probability at or above | target precision | estimated precision | lower bound | labelled above | unlabelled above | effective n |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [action, t] of [
    ['FLAG_FOR_REVIEW or higher', summary.flag],
    ['BLOCK_ACCOUNT', summary.block],
  ] as const) {
    lines.push(
      `| ${action} | ${num(t.probability)} | ${pct(t.target_precision)} | ${pct(t.precision)} | ${pct(t.lower_bound)} (${Math.round(t.confidence * 100)}% Clopper-Pearson)${t.reached ? '' : ', below the target: not used'} | ${t.labelled_above} | ${t.unlabelled_above ?? 'n/a'} | ${t.effective_n.toFixed(1)} |`,
    );
  }
  if (summary.before && summary.after) {
    const { before, after } = summary;
    lines.push(
      '',
      `On ${after.evaluated_accounts} held-out accounts nobody reviewed (${after.fraud_accounts} fraud):`,
      '',
      '| | PR-AUC | FLAG+ precision | FLAG+ recall | BLOCK precision |',
      '|---|---:|---:|---:|---:|',
      `| unsupervised | ${num(before.pr_auc)} | ${pct(before.flagged_precision)} | ${pct(before.flagged_recall)} | ${pct(before.block_precision)} |`,
      `| with the layer | ${num(after.pr_auc)} | ${pct(after.flagged_precision)} | ${pct(after.flagged_recall)} | ${pct(after.block_precision)} |`,
      '',
      '| fraud kind | recall before | recall after |',
      '|---|---:|---:|',
      ...Object.keys(after.recall_by_kind)
        .sort()
        .map((k) => `| ${k} | ${pct(before.recall_by_kind[k] ?? null)} | ${pct(after.recall_by_kind[k] ?? null)} |`),
    );
  }
  return `${lines.join('\n')}\n`;
}
