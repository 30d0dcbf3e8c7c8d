// model-card.md: a generated summary of a version for analysts; no code reads it.
import type { Manifest } from '../models/manifest.js';
import type { ClusterProfile } from './analyst-outputs.js';
import type { AnomalyEnsemble } from './detectors/anomaly-ensemble.js';
import type { AutoencoderState } from './detectors/autoencoder-detector.js';
import type { IsolationForestState } from './detectors/isolation-forest-detector.js';
import type { KMeansState } from './detectors/kmeans-detector.js';
import type { MahalanobisState } from './detectors/mahalanobis-detector.js';
import { describePrecisionByAction, type ModelMetrics } from './evaluation/evaluate-model.js';
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
  /** the fitted detectors, the accounts they were fitted on, and how many of those the autoencoder learnt from */
  detectors: { ensemble: AnomalyEnsemble; fitAccounts: number; autoencoderTrainingRows: number };
}): string {
  const { manifest, metrics, profiles, config } = input;
  const { ensemble, fitAccounts, autoencoderTrainingRows } = input.detectors;
  const kmeans = ensemble.detectors.kmeans.state as KMeansState;
  const autoencoder = ensemble.detectors.autoencoder.state as AutoencoderState;
  const forest = ensemble.detectors['isolation-forest'].state as IsolationForestState;
  const mahalanobis = ensemble.detectors.mahalanobis.state as MahalanobisState;
  const varianceFloor = (mahalanobis.variances[0] ?? 0) * config.detectors.mahalanobis.variance_floor;
  const flooredAxes = mahalanobis.variances.filter((v) => v <= varianceFloor).length;
  const inlierLimit = config.detectors.autoencoder_inlier_max_z;
  const data = manifest.training_data as { accounts?: number; time_range?: { from: string | null; to: string | null } };
  const lines = [
    `# Model card: ${input.name}`,
    '',
    `Created ${manifest.created_at} with ringfence ${manifest.libraries['ringfence'] ?? '?'} (tfjs backend ${manifest.tfjs_backend}, seed ${manifest.seed}).`,
    `Trained on ${data.accounts ?? '?'} accounts, events from ${data.time_range?.from ?? '?'} to ${data.time_range?.to ?? '?'}. Labels were not used to fit.`,
    '',
    '## Detectors',
    `Fitted on ${fitAccounts} accounts without labels; each detector's score is calibrated to a robust z on them and the anomaly part is the mean of the four.`,
    `- k-means: k = ${kmeans.k}${kmeans.silhouette === null ? '' : ` (silhouette ${kmeans.silhouette.toFixed(3)})`}, ${kmeans.is_small.filter(Boolean).length} small cluster(s) by the CBLOF rule, scored against the nearest large one; distance in units of the cluster's ${config.detectors.kmeans.distance_quantile} quantile of training distances${config.detectors.kmeans.scale_floor === 'all-rows' ? ', never below that of all accounts' : ''}.`,
    `- autoencoder: layers ${autoencoder.layer_sizes.join('-')}, ${autoencoder.epochs_run} epochs (best validation loss ${autoencoder.best_validation_loss.toPrecision(3)}), learnt from ${autoencoderTrainingRows} of the ${fitAccounts} accounts` +
      (inlierLimit === null
        ? ' (all of them).'
        : `: those whose mean k-means / isolation-forest robust z is at most ${inlierLimit}, so a frequent fraud pattern is not learnt as normal.`),
    `- isolation forest: ${forest.trees.length} trees on subsamples of ${forest.subsample}.`,
    `- Mahalanobis distance: from the mean of the same ${mahalanobis.training_rows} accounts the autoencoder learnt from, along ${mahalanobis.axes.length} principal axes of their covariance, each in units of its variance` +
      (flooredAxes > 0
        ? ` (${flooredAxes} with almost none raised to ${config.detectors.mahalanobis.variance_floor.toExponential()} of the largest).`
        : '.'),
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
      ...[describePrecisionByAction(metrics)].filter((line): line is string => line !== null),
      '',
      '| fraud kind | accounts | flagged | recall |',
      '|---|---:|---:|---:|',
      ...Object.entries(metrics.recall_by_kind).map(([k, v]) => `| ${k} | ${v.accounts} | ${v.caught} | ${pct(v.recall)} |`),
      ...Object.entries(metrics.recall_by_difficulty).map(([k, v]) => `| (${k}) | ${v.accounts} | ${v.caught} | ${pct(v.recall)} |`),
    );
    if (metrics.rings)
      lines.push(
        '',
        `Rings: ${metrics.rings.predicted} predicted, ${metrics.rings.true} true; precision ${pct(metrics.rings.precision)}, recall ${pct(metrics.rings.recall)}; honest accounts in rings ${pct(metrics.rings.honest_in_rings_share)}.`,
      );
  }
  lines.push('', '## Clusters', '', '| cluster | size | flagged | what sets it apart |', '|---:|---:|---:|---|');
  for (const p of profiles)
    lines.push(
      `| ${p.cluster} | ${p.size} | ${pct(p.shareFlagged)} | ${p.topFeatures
        .slice(0, 3)
        .map((f) => `${f.name} ${f.z >= 0 ? '+' : ''}${f.z.toFixed(1)}`)
        .join(', ')} |`,
    );
  lines.push('', `Rings found by the identity graph: ${input.rings}.`, '');
  return lines.join('\n');
}
