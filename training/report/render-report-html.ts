// report.html: one self-contained page (inline CSS and SVG charts, no scripts, no network) for analysts.
import { type AccountOutcome, type ClusterProfile, firstReasonsByKind } from '../analyst-outputs.js';
import { describePrecisionByAction, type ModelMetrics } from '../evaluation/evaluate-model.js';
import type { RingRecord } from '../identity/identity-index.js';
import type { RiskAssessment } from '../scoring/risk-assessment.js';
import type { RiskPolicy } from '../scoring/risk-policy.js';
import { vegaLiteToSvg } from './vega-charts.js';

export interface ReportInput {
  readonly name: string;
  readonly version: string;
  readonly createdAt: string;
  readonly accounts: number;
  readonly timeRange: { from: string | null; to: string | null };
  readonly policy: RiskPolicy;
  /** every account's outcome (charts, counts) */
  readonly outcomes: readonly Pick<AccountOutcome, 'account_id' | 'risk_score' | 'action' | 'top_reasons'>[];
  /** the highest-risk accounts in full, highest first (the table of the 25 to look at first) */
  readonly highestRisk: readonly RiskAssessment[];
  /** account id → fraud kind ('' for normal), when labels exist */
  readonly labels: ReadonlyMap<string, string> | null;
  readonly metrics: ModelMetrics | null;
  readonly profiles: readonly ClusterProfile[];
  readonly rings: readonly RingRecord[];
}

const escapeHtml = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

function table(headers: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const SCORE_BIN_WIDTH = 2;
/** rows of the highest-risk table */
export const HIGHEST_RISK_SHOWN = 25;

/** Accounts per risk-score bin and group: the chart gets 50 bins, not one data point per account. */
function scoreHistogram(input: ReportInput): { from: number; to: number; group: string; accounts: number }[] {
  const bins = 100 / SCORE_BIN_WIDTH;
  const counts = new Map<string, Float64Array>();
  for (const a of input.outcomes) {
    const group = input.labels ? (input.labels.get(a.account_id) ? 'fraud' : 'normal') : 'all accounts';
    let groupCounts = counts.get(group);
    if (!groupCounts) counts.set(group, (groupCounts = new Float64Array(bins)));
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(a.risk_score / SCORE_BIN_WIDTH)));
    groupCounts[bin] = (groupCounts[bin] as number) + 1;
  }
  return [...counts].flatMap(([group, groupCounts]) =>
    Array.from(groupCounts, (accounts, bin) => ({ from: bin * SCORE_BIN_WIDTH, to: (bin + 1) * SCORE_BIN_WIDTH, group, accounts })).filter((b) => b.accounts > 0),
  );
}

function scoreDistributionSpec(input: ReportInput): Record<string, unknown> {
  const values = scoreHistogram(input);
  const bands = [
    { from: 0, to: input.policy.flag_above, action: 'MONITOR' },
    { from: input.policy.flag_above, to: input.policy.block_above, action: 'FLAG_FOR_REVIEW' },
    { from: input.policy.block_above, to: 100, action: 'BLOCK_ACCOUNT' },
  ];
  return {
    title: 'Risk score distribution with the policy bands',
    width: 640,
    height: 240,
    layer: [
      {
        data: { values: bands },
        mark: { type: 'rect', opacity: 0.15 },
        encoding: {
          x: { field: 'from', type: 'quantitative', scale: { domain: [0, 100] }, title: 'risk score' },
          x2: { field: 'to' },
          color: { field: 'action', type: 'nominal', scale: { domain: ['MONITOR', 'FLAG_FOR_REVIEW', 'BLOCK_ACCOUNT'], range: ['#4c9a2a', '#e0a100', '#c0392b'] }, title: 'policy band' },
        },
      },
      {
        data: { values },
        mark: { type: 'bar', opacity: 0.75 },
        encoding: {
          x: { field: 'from', type: 'quantitative', scale: { domain: [0, 100] }, title: 'risk score' },
          x2: { field: 'to' },
          // overlaid, not stacked: on a symlog axis a stack would misstate the smaller group
          y: { field: 'accounts', type: 'quantitative', stack: null, scale: { type: 'symlog' }, title: 'accounts (symlog scale)' },
          y2: { datum: 0 },
          fill: { field: 'group', type: 'nominal', scale: { domain: ['normal', 'fraud', 'all accounts'], range: ['#7f8c8d', '#e74c3c', '#34495e'] }, title: 'accounts' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

function clusterProfileSpec(input: ReportInput): Record<string, unknown> {
  const values = input.profiles.flatMap((p) => p.topFeatures.slice(0, 5).map((f) => ({ cluster: `cluster ${p.cluster} (${p.size})`, feature: f.name, z: Number(f.z.toFixed(2)) })));
  return {
    title: 'Cluster profiles: the features that set each cluster apart (centroid, robust z)',
    data: { values },
    mark: 'rect',
    width: 520,
    height: { step: 16 },
    encoding: {
      x: { field: 'cluster', type: 'nominal', title: null, axis: { labelAngle: -30 } },
      y: { field: 'feature', type: 'nominal', title: null, axis: { labelLimit: 260 } },
      color: { field: 'z', type: 'quantitative', scale: { scheme: 'redblue', reverse: true, domainMid: 0 }, title: 'z' },
    },
  };
}

function clusterSizeSpec(input: ReportInput): Record<string, unknown> {
  return {
    title: 'Cluster sizes and the share of each cluster flagged',
    data: { values: input.profiles.map((p) => ({ cluster: String(p.cluster), size: p.size, flagged: Number((p.shareFlagged * 100).toFixed(1)) })) },
    width: 520,
    height: 200,
    mark: 'bar',
    encoding: {
      x: { field: 'cluster', type: 'nominal', axis: { labelAngle: 0 } },
      y: { field: 'size', type: 'quantitative', title: 'accounts' },
      color: { field: 'flagged', type: 'quantitative', title: '% flagged', scale: { scheme: 'orangered' } },
    },
  };
}

function ringSizeSpec(input: ReportInput): Record<string, unknown> {
  const values = input.rings.map((r) => ({ size: r.members.length, tie: [...new Set(r.identifiers.map((i) => i.kind))].sort().join('+') || 'none' }));
  return {
    title: 'Rings by size and the identifier kinds that tie them',
    data: { values },
    width: 520,
    height: 200,
    mark: 'bar',
    encoding: {
      x: { field: 'size', type: 'ordinal', title: 'ring size (accounts)' },
      y: { aggregate: 'count', type: 'quantitative', title: 'rings' },
      color: { field: 'tie', type: 'nominal', title: 'tied by' },
    },
  };
}

function curveSpec(title: string, points: { x: number; y: number }[], xTitle: string, yTitle: string, diagonal: boolean): Record<string, unknown> {
  const layers: Record<string, unknown>[] = [
    { data: { values: points }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 'x', type: 'quantitative', title: xTitle, scale: { domain: [0, 1] } }, y: { field: 'y', type: 'quantitative', title: yTitle, scale: { domain: [0, 1] } } } },
  ];
  if (diagonal) layers.push({ data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
  return { title, width: 300, height: 260, layer: layers };
}

/** The analyst report of one trained version as a single HTML string. */
export async function renderReportHtml(input: ReportInput): Promise<string> {
  const charts: string[] = [await vegaLiteToSvg(scoreDistributionSpec(input)), await vegaLiteToSvg(clusterSizeSpec(input)), await vegaLiteToSvg(clusterProfileSpec(input))];
  if (input.rings.length > 0) charts.push(await vegaLiteToSvg(ringSizeSpec(input)));
  const m = input.metrics;
  if (m && m.curves.roc.length > 0) {
    charts.push(await vegaLiteToSvg(curveSpec(`ROC curve (AUC ${num(m.roc_auc['risk_score'] as number)})`, m.curves.roc, 'false positive rate', 'true positive rate', true)));
    charts.push(await vegaLiteToSvg(curveSpec(`Precision-recall curve (AP ${num(m.pr_auc['risk_score'] as number)})`, m.curves.pr, 'recall', 'precision', false)));
  }
  const counts = { BLOCK_ACCOUNT: 0, FLAG_FOR_REVIEW: 0, MONITOR: 0 };
  for (const a of input.outcomes) counts[a.action]++;
  const top = input.highestRisk.slice(0, HIGHEST_RISK_SHOWN);
  const sections: string[] = [
    `<h1>ringfence report: ${escapeHtml(input.name)}/${escapeHtml(input.version)}</h1>`,
    `<p>Created ${escapeHtml(input.createdAt)} from ${input.accounts} accounts (events ${escapeHtml(input.timeRange.from ?? '?')} to ${escapeHtml(input.timeRange.to ?? '?')}). Policy: above ${input.policy.block_above} BLOCK_ACCOUNT, above ${input.policy.flag_above} FLAG_FOR_REVIEW, otherwise MONITOR.</p>`,
    table(['action', 'accounts', 'share'], (Object.keys(counts) as (keyof typeof counts)[]).map((k) => [k, counts[k], pct(counts[k] / Math.max(1, input.outcomes.length))])),
  ];
  if (m) {
    sections.push(
      '<h2>Held-out evaluation</h2>',
      `<p>${m.evaluated_accounts} held-out accounts (${m.fraud_accounts} fraud). FLAG_FOR_REVIEW or higher: precision ${pct(m.flagged_precision)}, recall ${pct(m.flagged_recall)}; precision in the top ${m.review_capacity}: ${pct(m.precision_at_review_capacity)}. ${escapeHtml(describePrecisionByAction(m) ?? '')}</p>`,
      table(['score', 'ROC-AUC', 'PR-AUC'], Object.keys(m.roc_auc).map((k) => [k, num(m.roc_auc[k] as number), num(m.pr_auc[k] as number)])),
      table(['fraud kind / difficulty', 'accounts', 'flagged', 'recall'], [...Object.entries(m.recall_by_kind), ...Object.entries(m.recall_by_difficulty)].map(([k, v]) => [k, v.accounts, v.caught, pct(v.recall)])),
    );
    if (m.rings) sections.push(`<p>Rings: ${m.rings.predicted} predicted, ${m.rings.true} true; precision ${pct(m.rings.precision)}, recall ${pct(m.rings.recall)}; honest accounts in rings ${pct(m.rings.honest_in_rings_share)}.</p>`);
  }
  if (input.labels) {
    sections.push(
      '<h2>First reasons by fraud kind</h2>',
      '<p>Every labelled account, and the honest accounts the policy flags: the three most frequent first reasons of each group.</p>',
      table(
        ['group', 'accounts', 'most frequent first reasons'],
        firstReasonsByKind(input.outcomes, input.labels).map((g) => [g.group, g.accounts, g.reasons.map((r) => `${r.reason} (${pct(r.share)})`).join('; ')]),
      ),
    );
  }
  sections.push('<h2>Charts</h2>', ...charts.map((svg) => `<figure>${svg}</figure>`));
  sections.push(
    '<h2>Highest-risk accounts</h2>',
    table(['account', 'risk', 'action', 'cluster', 'label', 'reasons'], top.map((a) => [a.account_id, a.risk_score, a.action, a.cluster, input.labels ? input.labels.get(a.account_id) || 'normal' : '-', a.reasons.slice(0, 3).map((r) => r.detail).join(' · ')])),
    '<h2>Clusters</h2>',
    table(['cluster', 'size', 'flagged', 'what sets it apart'], input.profiles.map((p) => [p.cluster, p.size, pct(p.shareFlagged), p.topFeatures.slice(0, 3).map((f) => `${f.name} ${f.z >= 0 ? '+' : ''}${f.z.toFixed(1)} (median ${f.centroidValue.toFixed(2)} vs ${f.populationMedian.toFixed(2)})`).join('; ')])),
    '<h2>Largest rings</h2>',
    table(['ring', 'members', 'tied by', 'template share'], [...input.rings].sort((a, b) => b.members.length - a.members.length).slice(0, 20).map((r) => [r.ring_id, r.members.length, r.identifiers.map((i) => `${i.kind} ×${i.accounts}`).join(', '), pct(r.template_share)])),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ringfence report ${escapeHtml(input.name)}/${escapeHtml(input.version)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1rem 0}h2{margin-top:2rem;border-bottom:2px solid #eee}</style>
</head><body>
${sections.join('\n')}
</body></html>
`;
}
