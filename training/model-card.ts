// model-card.md: a generated summary of a version for analysts; no code reads it.
import type { Manifest } from '../models/manifest.js';
import type { ClusterProfile } from './analyst-outputs.js';
import type { ModelMetrics } from './evaluation/evaluate-model.js';
import type { TrainConfig } from './train-config.js';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

export function renderModelCard(input: {
  name: string;
  manifest: Omit<Manifest, 'format_version' | 'name' | 'version' | 'files'>;
  metrics: ModelMetrics | null;
  profiles: readonly ClusterProfile[];
  rings: number;
  config: TrainConfig;
}): string {
  const { manifest, metrics, profiles, config } = input;
  const data = manifest.training_data as { accounts?: number; time_range?: { from: string | null; to: string | null } };
  const lines = [
    `# Model card: ${input.name}`,
    '',
    `Created ${manifest.created_at} with ringfence ${manifest.libraries['ringfence'] ?? '?'} (tfjs backend ${manifest.tfjs_backend}, seed ${manifest.seed}).`,
    `Trained on ${data.accounts ?? '?'} accounts, events from ${data.time_range?.from ?? '?'} to ${data.time_range?.to ?? '?'}. Labels were not used to fit.`,
    '',
    '## Policy',
    `Risk score 0-100; above ${config.policy.block_above} BLOCK_ACCOUNT, above ${config.policy.flag_above} FLAG_FOR_REVIEW, otherwise MONITOR.`,
    `Rules: ${config.rules.map((r) => `${r.code} (${r.description})`).join('; ')}.`,
    '',
    '## Held-out evaluation',
  ];
  if (!metrics) lines.push('No labels in the training data: no evaluation.');
  else {
    lines.push(
      `${metrics.evaluated_accounts} held-out accounts (${metrics.fraud_accounts} fraud), split seed ${metrics.split.seed}.`,
      '',
      '| score | ROC-AUC | PR-AUC |',
      '|---|---:|---:|',
      ...Object.keys(metrics.roc_auc).map((k) => `| ${k} | ${num(metrics.roc_auc[k] as number)} | ${num(metrics.pr_auc[k] as number)} |`),
      '',
      `FLAG_FOR_REVIEW or higher: precision ${pct(metrics.flagged_precision)}, recall ${pct(metrics.flagged_recall)}; precision in the top ${metrics.review_capacity}: ${pct(metrics.precision_at_review_capacity)}.`,
      '',
      '| fraud kind | accounts | flagged | recall |',
      '|---|---:|---:|---:|',
      ...Object.entries(metrics.recall_by_kind).map(([k, v]) => `| ${k} | ${v.accounts} | ${v.caught} | ${pct(v.recall)} |`),
      ...Object.entries(metrics.recall_by_difficulty).map(([k, v]) => `| (${k}) | ${v.accounts} | ${v.caught} | ${pct(v.recall)} |`),
    );
    if (metrics.rings) lines.push('', `Rings: ${metrics.rings.predicted} predicted, ${metrics.rings.true} true; precision ${pct(metrics.rings.precision)}, recall ${pct(metrics.rings.recall)}; honest accounts in rings ${pct(metrics.rings.honest_in_rings_share)}.`);
  }
  lines.push('', '## Clusters', '', '| cluster | size | flagged | what sets it apart |', '|---:|---:|---:|---|');
  for (const p of profiles) lines.push(`| ${p.cluster} | ${p.size} | ${pct(p.shareFlagged)} | ${p.topFeatures.slice(0, 3).map((f) => `${f.name} ${f.z >= 0 ? '+' : ''}${f.z.toFixed(1)}`).join(', ')} |`);
  lines.push('', `Rings found by the identity graph: ${input.rings}.`, '');
  return lines.join('\n');
}
