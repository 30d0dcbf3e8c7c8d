// Held-out metrics as terminal tables.
import { describePrecisionByAction, type ModelMetrics } from '../training/evaluation/evaluate-model.js';
import { formatTable } from './format-table.js';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function formatMetricsSummary(metrics: ModelMetrics): string {
  const scores = formatTable(
    ['score', 'ROC-AUC', 'PR-AUC'],
    Object.keys(metrics.roc_auc).map((k) => [k, metrics.roc_auc[k] as number, metrics.pr_auc[k] as number]),
  );
  const kinds = formatTable(
    ['fraud kind', 'accounts', 'flagged', 'recall'],
    [...Object.entries(metrics.recall_by_kind), ...Object.entries(metrics.recall_by_difficulty).map(([k, v]) => [`(${k})`, v] as const)].map(
      ([k, v]) => [k, v.accounts, v.caught, pct(v.recall)],
    ),
  );
  const rings = metrics.rings
    ? `rings: ${metrics.rings.predicted} predicted / ${metrics.rings.true} true, precision ${pct(metrics.rings.precision)}, recall ${pct(metrics.rings.recall)}, honest accounts in rings ${pct(metrics.rings.honest_in_rings_share)}\n`
    : '';
  const byAction = describePrecisionByAction(metrics);
  return (
    `held-out evaluation: ${metrics.evaluated_accounts} accounts (${metrics.fraud_accounts} fraud)\n` +
    scores +
    `FLAG_FOR_REVIEW or higher: precision ${pct(metrics.flagged_precision)}, recall ${pct(metrics.flagged_recall)}; precision@${metrics.review_capacity} ${pct(metrics.precision_at_review_capacity)}\n` +
    (byAction ? `${byAction}\n` : '') +
    kinds +
    rings
  );
}
