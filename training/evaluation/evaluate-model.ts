// Held-out report of a trained model: ROC-AUC / PR-AUC per component and combined, precision at the review
// capacity, recall per fraud kind and difficulty, action rates, ring precision/recall. Labels only measure.
import { z } from 'zod';
import type { LabelRow } from '../../data/tables.js';
import { ACTIONS, type RiskAssessment } from '../scoring/risk-assessment.js';
import { averagePrecision, precisionAtK, rocAndPrCurves, rocAuc } from './metrics.js';
import { matchRings } from './ring-metrics.js';

const CurveSchema = z.array(z.object({ x: z.number(), y: z.number() }));
const RateSchema = z.object({ accounts: z.number().int(), caught: z.number().int(), recall: z.number() });

export const ModelMetricsSchema = z.object({
  evaluated_accounts: z.number().int(),
  fraud_accounts: z.number().int(),
  split: z.object({ seed: z.number().int(), holdout: z.number(), train_accounts: z.number().int(), test_accounts: z.number().int() }),
  roc_auc: z.record(z.string(), z.number()).describe('per score: risk_score and each component'),
  pr_auc: z.record(z.string(), z.number()),
  review_capacity: z.number().int(),
  precision_at_review_capacity: z.number(),
  flagged_precision: z.number().describe('precision of FLAG_FOR_REVIEW or higher'),
  flagged_recall: z.number(),
  action_rates: z.record(z.string(), z.number()),
  precision_by_action: z
    .record(z.string(), z.object({ accounts: z.number().int(), fraud: z.number().int(), precision: z.number().nullable() }))
    .optional()
    .describe(
      'held-out accounts given each action and the share of them that is fraud (FLAG_FOR_REVIEW: that band alone); absent in versions trained before it was measured',
    ),
  recall_by_kind: z.record(z.string(), RateSchema).describe('share of each fraud kind flagged or blocked'),
  recall_by_difficulty: z.record(z.string(), RateSchema),
  rings: z
    .object({ predicted: z.number().int(), true: z.number().int(), precision: z.number(), recall: z.number(), honest_in_rings_share: z.number() })
    .nullable()
    .describe('over all accounts (the identity graph uses no labels)'),
  curves: z.object({ roc: CurveSchema, pr: CurveSchema }),
});
export type ModelMetrics = z.infer<typeof ModelMetricsSchema>;

export const SCORE_COLUMNS = ['risk_score', 'anomaly', 'kmeans', 'autoencoder', 'isolation_forest', 'mahalanobis', 'identity', 'rules'] as const;

function scoreOf(a: RiskAssessment, column: (typeof SCORE_COLUMNS)[number]): number {
  return column === 'risk_score' ? a.risk_score : a.components[column];
}

export function evaluateModel(input: {
  assessments: readonly RiskAssessment[];
  labels: ReadonlyMap<string, LabelRow>;
  split: ModelMetrics['split'];
  reviewCapacity: number;
  predictedRings: readonly (readonly string[])[];
  trueRings: readonly (readonly string[])[] | null;
  allLabels: ReadonlyMap<string, LabelRow>;
}): ModelMetrics {
  const rows = input.assessments.filter((a) => input.labels.has(a.account_id));
  const y = Uint8Array.from(rows, (a) => (input.labels.get(a.account_id) as LabelRow).label);
  const fraud = y.reduce((s, v) => s + v, 0);
  const roc: Record<string, number> = {};
  const pr: Record<string, number> = {};
  const hasBothClasses = fraud > 0 && fraud < rows.length;
  for (const column of SCORE_COLUMNS) {
    const scores = Float64Array.from(rows, (a) => scoreOf(a, column));
    roc[column] = hasBothClasses ? rocAuc(scores, y) : NaN;
    pr[column] = hasBothClasses ? averagePrecision(scores, y) : NaN;
  }
  const risk = Float64Array.from(rows, (a) => a.risk_score);
  const flagged = rows.map((a) => a.action !== 'MONITOR');
  const flaggedFraud = rows.filter((a, i) => flagged[i] && y[i] === 1).length;
  const flaggedCount = flagged.filter(Boolean).length;
  const byAction: Record<string, { accounts: number; fraud: number; precision: number | null }> = Object.fromEntries(
    ACTIONS.map((action) => [action, { accounts: 0, fraud: 0, precision: null }]),
  );
  rows.forEach((a, i) => {
    const entry = byAction[a.action] as (typeof byAction)[string];
    entry.accounts++;
    entry.fraud += y[i] as number;
  });
  for (const entry of Object.values(byAction)) entry.precision = entry.accounts ? entry.fraud / entry.accounts : null;
  const actionRates = Object.fromEntries(Object.entries(byAction).map(([action, entry]) => [action, rows.length ? entry.accounts / rows.length : 0]));
  const group = (keyOf: (label: LabelRow) => string | null) => {
    const out: Record<string, { accounts: number; caught: number; recall: number }> = {};
    rows.forEach((a, i) => {
      const label = input.labels.get(a.account_id) as LabelRow;
      const key = label.label === 1 ? keyOf(label) : null;
      if (!key) return;
      const entry = (out[key] ??= { accounts: 0, caught: 0, recall: 0 });
      entry.accounts++;
      if (flagged[i]) entry.caught++;
    });
    for (const entry of Object.values(out)) entry.recall = entry.caught / entry.accounts;
    return out;
  };
  let rings: ModelMetrics['rings'] = null;
  if (input.trueRings) {
    const honest = new Set([...input.allLabels.values()].filter((l) => l.label === 0).map((l) => l.account_id));
    const m = matchRings(input.predictedRings, input.trueRings, honest);
    rings = { predicted: m.predictedRings, true: m.trueRings, precision: m.precision, recall: m.recall, honest_in_rings_share: m.honestInRingsShare };
  }
  return {
    evaluated_accounts: rows.length,
    fraud_accounts: fraud,
    split: input.split,
    roc_auc: roc,
    pr_auc: pr,
    review_capacity: input.reviewCapacity,
    precision_at_review_capacity: hasBothClasses ? precisionAtK(risk, y, input.reviewCapacity) : NaN,
    flagged_precision: flaggedCount ? flaggedFraud / flaggedCount : 0,
    flagged_recall: fraud ? flaggedFraud / fraud : 0,
    action_rates: actionRates,
    precision_by_action: byAction,
    recall_by_kind: group((l) => l.kind || 'unspecified'),
    recall_by_difficulty: group((l) => l.difficulty || null),
    rings,
    curves: hasBothClasses ? rocAndPrCurves(risk, y) : { roc: [], pr: [] },
  };
}

/** One line for people: how much of each action's accounts is fraud; null for versions without the measurement. */
export function describePrecisionByAction(metrics: ModelMetrics): string | null {
  const by = metrics.precision_by_action;
  if (!by) return null;
  const part = (action: string, label: string) => {
    const e = by[action];
    return e && e.precision !== null ? `${label} ${(100 * e.precision).toFixed(1)}% (${e.fraud} of ${e.accounts})` : `${label} none`;
  };
  return `Fraud among held-out accounts by action: ${part('BLOCK_ACCOUNT', 'BLOCK_ACCOUNT')}; ${part('FLAG_FOR_REVIEW', 'FLAG_FOR_REVIEW alone')}; ${part('MONITOR', 'MONITOR')}.`;
}
