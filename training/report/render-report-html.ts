// report.html: one self-contained page (inline CSS and SVG charts, no scripts, no network) for analysts.
import { type AccountOutcome, type ClusterProfile, firstReasonsByKind } from '../analyst-outputs.js';
import { describePrecisionByAction, type ModelMetrics } from '../evaluation/evaluate-model.js';
import type { RingRecord } from '../identity/identity-index.js';
import { ringReasons } from '../identity/ring-score.js';
import type { RiskAssessment } from '../scoring/risk-assessment.js';
import type { RiskPolicy } from '../scoring/risk-policy.js';
import type { FeedbackSummary } from '../supervised/feedback-summary.js';
import type { ReviewCandidate } from '../supervised/review-queue.js';
import { clusterProfileHeatmapSpec, clusterSizeSpec, curveSpec, riskHistogramSpec, ringSizeSpec } from './chart-specs.js';
import { type VegaLiteSpec, vegaLiteToSvg } from './vega-charts.js';

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
  /** what analyst decisions changed, when the version was trained with some (train --feedback, or the decision store) */
  readonly feedback?: FeedbackSummary | null;
  /** the accounts whose review would teach the model most (ringfence review-queue), highest teach value first */
  readonly reviewQueue?: readonly ReviewCandidate[] | null;
}

const escapeHtml = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

function table(headers: string[], rows: (string | number)[][]): string {
  // numbers right-aligned and unbroken; long text may break anywhere so that a table fits a narrow window
  const cellClass = (c: string | number) => (typeof c === 'number' ? ' class="n"' : c.length > 40 ? ' class="long"' : '');
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td${cellClass(c)}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** rows of the highest-risk table */
export const HIGHEST_RISK_SHOWN = 25;

function scoreDistributionSpec(input: ReportInput): VegaLiteSpec {
  const group = (id: string) => (input.labels ? (input.labels.get(id) ? 'fraud' : 'normal') : 'all accounts');
  const population = `every one of the ${input.outcomes.length.toLocaleString('en-US')} accounts the model was trained and evaluated on, ${input.labels ? 'by true label' : 'unlabelled'}`;
  return riskHistogramSpec({
    scores: input.outcomes.map((a) => ({ risk_score: a.risk_score, group: group(a.account_id) })),
    policy: input.policy,
    population,
  });
}

function clusterProfileSpec(input: ReportInput): VegaLiteSpec {
  const cells = input.profiles.flatMap((p) =>
    p.topFeatures.slice(0, 5).map((f) => ({ cluster: `${p.cluster} (${p.size})`, feature: f.name, z: f.z })),
  );
  return clusterProfileHeatmapSpec(cells, 'Cluster profiles: the five features that set each cluster apart');
}

function ringChartSpec(input: ReportInput): VegaLiteSpec {
  return ringSizeSpec(
    input.rings.map((r) => ({ size: r.members.length, tie: [...new Set(r.identifiers.map((i) => i.kind))].sort().join('+') || 'none' })),
  );
}

/**
 * The highest-risk accounts grouped by their three strongest reasons (as a set): the accounts of a ring or a bot farm
 * share them, so one row per group reads better than a row per account with the same sentences.
 */
function highestRiskGroups(input: ReportInput): (string | number)[][] {
  const groups = new Map<string, RiskAssessment[]>();
  for (const a of input.highestRisk.slice(0, HIGHEST_RISK_SHOWN)) {
    const key = a.reasons
      .slice(0, 3)
      .map((r) => `${r.code}:${r.name}`)
      .sort()
      .join('|');
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const tally = (values: string[]) => {
    const distinct = [...new Set(values)];
    return distinct.length === 1 ? (distinct[0] as string) : distinct.map((v) => `${v} ×${values.filter((x) => x === v).length}`).join(', ');
  };
  return [...groups.values()].map((members) => {
    const first = members[0] as RiskAssessment;
    const risks = members.map((m) => m.risk_score);
    const risk = Math.min(...risks) === Math.max(...risks) ? `${first.risk_score}` : `${Math.min(...risks)}–${Math.max(...risks)}`;
    const labels = members.map((m) => (input.labels ? input.labels.get(m.account_id) || 'normal' : '-'));
    return [
      members.length,
      risk,
      tally(members.map((m) => m.action)),
      tally(labels),
      first.reasons
        .slice(0, 3)
        .map((r) => r.detail)
        .join(' · '),
      members.map((m) => `${m.account_id} (cluster ${m.cluster})`).join(', '),
    ];
  });
}

/** "What feedback changed": the decisions used, the kinds learnt, the thresholds and the metrics before and after. */
function feedbackSection(summary: FeedbackSummary): string[] {
  const out = ['<h2>What feedback changed</h2>', `<p>Labels: ${escapeHtml(summary.source)}; ${summary.labelled_accounts} labelled accounts.</p>`];
  if (!summary.layer_fitted)
    out.push(
      `<p>No supervised layer is used (${escapeHtml(summary.unused_because ?? 'too few labels of each class')}): this version is the unsupervised model.</p>`,
    );
  if (summary.labels) {
    const kinds = Object.entries(summary.labels.kinds).map(([k, n]) => `${k} ${n}`);
    out.push(
      `<p>Decisions used: ${summary.labels.fraud} fraud, ${summary.labels.honest} honest. Kinds learnt: ${escapeHtml(kinds.join(', ') || 'none named')}.</p>`,
    );
  }
  if (summary.flag && summary.block)
    out.push(
      "<p>Each threshold of the layer's probability is the lowest whose precision on the labelled accounts has a one-sided Clopper-Pearson lower bound reaching the action's target; an action whose bound falls short is not taken by the layer.</p>",
      table(
        ['action', 'probability at or above', 'target precision', 'estimated precision', 'lower bound', 'used'],
        [['FLAG_FOR_REVIEW or higher', summary.flag] as const, ['BLOCK_ACCOUNT', summary.block] as const].map(([action, t]) => [
          action,
          num(t.probability),
          pct(t.target_precision),
          pct(t.precision),
          `${pct(t.lower_bound)} (${Math.round(t.confidence * 100)}%)`,
          t.reached && summary.layer_fitted ? 'yes' : 'no',
        ]),
      ),
    );
  const { before, after } = summary;
  if (before && after) {
    const share = (v: number | null) => (v === null ? 'n/a' : pct(v));
    out.push(
      `<p>On ${after.evaluated_accounts} held-out accounts nobody reviewed (${after.fraud_accounts} fraud):</p>`,
      table(
        ['model', 'PR-AUC', 'FLAG+ precision', 'FLAG+ recall', 'BLOCK precision'],
        [
          [
            'unsupervised',
            before.pr_auc === null ? 'n/a' : num(before.pr_auc),
            pct(before.flagged_precision),
            pct(before.flagged_recall),
            share(before.block_precision),
          ],
          [
            'with the layer',
            after.pr_auc === null ? 'n/a' : num(after.pr_auc),
            pct(after.flagged_precision),
            pct(after.flagged_recall),
            share(after.block_precision),
          ],
        ],
      ),
      table(
        ['fraud kind', 'recall before', 'recall after'],
        Object.keys(after.recall_by_kind)
          .sort()
          .map((k) => [k, share(before.recall_by_kind[k] ?? null), share(after.recall_by_kind[k] ?? null)]),
      ),
    );
  }
  return out;
}

/** "Accounts to review next", beside the highest-risk accounts: what a review would teach the model most. */
function reviewQueueSection(queue: readonly ReviewCandidate[] | null): string[] {
  if (!queue || queue.length === 0) return [];
  return [
    '<h2>Accounts to review next</h2>',
    `<p>The ${queue.length} accounts whose review would teach the model most: uncertain (near the FLAG line) and, once analysts have labelled some, unlike the accounts already labelled; teach value = uncertainty × novelty. The full list: <code>ringfence review-queue</code>.</p>`,
    table(
      ['account', 'teach value', 'uncertainty', 'novelty', 'probability of fraud', 'unsupervised risk'],
      queue.map((c) => [c.account_id, num(c.teach_value), num(c.uncertainty), num(c.novelty), num(c.probability), c.risk_score.toFixed(1)]),
    ),
  ];
}

/** The analyst report of one trained version as a single HTML string. */
export async function renderReportHtml(input: ReportInput): Promise<string> {
  const charts: string[] = [
    await vegaLiteToSvg(scoreDistributionSpec(input)),
    await vegaLiteToSvg(clusterSizeSpec(input.profiles)),
    await vegaLiteToSvg(clusterProfileSpec(input)),
  ];
  if (input.rings.length > 0) charts.push(await vegaLiteToSvg(ringChartSpec(input)));
  const m = input.metrics;
  if (m && m.curves.roc.length > 0) {
    charts.push(
      await vegaLiteToSvg(
        curveSpec(`ROC curve (AUC ${num(m.roc_auc['risk_score'] as number)})`, m.curves.roc, 'false positive rate', 'true positive rate', true),
      ),
    );
    charts.push(
      await vegaLiteToSvg(
        curveSpec(`Precision-recall curve (AP ${num(m.pr_auc['risk_score'] as number)})`, m.curves.pr, 'recall', 'precision', false),
      ),
    );
  }
  const counts = { BLOCK_ACCOUNT: 0, FLAG_FOR_REVIEW: 0, MONITOR: 0 };
  for (const a of input.outcomes) counts[a.action]++;
  const sections: string[] = [
    `<h1>ringfence report: ${escapeHtml(input.name)}/${escapeHtml(input.version)}</h1>`,
    `<p>Created ${escapeHtml(input.createdAt)} from ${input.accounts} accounts (events ${escapeHtml(input.timeRange.from ?? '?')} to ${escapeHtml(input.timeRange.to ?? '?')}). Policy: above ${input.policy.block_above} BLOCK_ACCOUNT, above ${input.policy.flag_above} FLAG_FOR_REVIEW, otherwise MONITOR.</p>`,
    table(
      ['action', 'accounts', 'share'],
      (Object.keys(counts) as (keyof typeof counts)[]).map((k) => [k, counts[k], pct(counts[k] / Math.max(1, input.outcomes.length))]),
    ),
  ];
  if (m) {
    sections.push(
      '<h2>Held-out evaluation</h2>',
      `<p>${m.evaluated_accounts} held-out accounts (${m.fraud_accounts} fraud). FLAG_FOR_REVIEW or higher: precision ${pct(m.flagged_precision)}, recall ${pct(m.flagged_recall)}; precision in the top ${m.review_capacity}: ${pct(m.precision_at_review_capacity)}. ${escapeHtml(describePrecisionByAction(m) ?? '')}</p>`,
      table(
        ['score', 'ROC-AUC', 'PR-AUC'],
        Object.keys(m.roc_auc).map((k) => [k, num(m.roc_auc[k] as number), num(m.pr_auc[k] as number)]),
      ),
      table(
        ['fraud kind / difficulty', 'accounts', 'flagged', 'recall'],
        [...Object.entries(m.recall_by_kind), ...Object.entries(m.recall_by_difficulty)].map(([k, v]) => [k, v.accounts, v.caught, pct(v.recall)]),
      ),
    );
    if (m.rings)
      sections.push(
        `<p>Rings: ${m.rings.predicted} predicted, ${m.rings.true} true; precision ${pct(m.rings.precision)}, recall ${pct(m.rings.recall)}; honest accounts in rings ${pct(m.rings.honest_in_rings_share)}.</p>`,
      );
  }
  if (input.labels) {
    sections.push(
      '<h2>First reasons by fraud kind</h2>',
      '<p>Every labelled account, and the honest accounts the policy flags: the three most frequent first reasons of each group.</p>',
      table(
        ['group', 'accounts', 'most frequent first reasons'],
        firstReasonsByKind(input.outcomes, input.labels).map((g) => [
          g.group,
          g.accounts,
          g.reasons.map((r) => `${r.reason} (${pct(r.share)})`).join('; '),
        ]),
      ),
    );
  }
  if (input.feedback) sections.push(...feedbackSection(input.feedback));
  sections.push('<h2>Charts</h2>', `<div class="charts">${charts.map((svg) => `<figure>${svg}</figure>`).join('\n')}</div>`);
  sections.push(
    '<h2>Highest-risk accounts</h2>',
    `<p>The ${Math.min(HIGHEST_RISK_SHOWN, input.highestRisk.length)} highest-risk accounts, grouped by their three strongest reasons; the reasons are those of the group's riskiest account.</p>`,
    table(['accounts', 'risk', 'action', 'label', 'three strongest reasons', 'account (cluster)'], highestRiskGroups(input)),
    ...reviewQueueSection(input.reviewQueue ?? null),
    '<h2>Clusters</h2>',
    table(
      ['cluster', 'size', 'flagged', 'what sets it apart'],
      input.profiles.map((p) => [
        p.cluster,
        p.size,
        pct(p.shareFlagged),
        p.topFeatures
          .slice(0, 3)
          .map((f) => `${f.name} ${f.z >= 0 ? '+' : ''}${f.z.toFixed(1)} (median ${f.centroidValue.toFixed(2)} vs ${f.populationMedian.toFixed(2)})`)
          .join('; '),
      ]),
    ),
    '<h2>Rings by ring score</h2>',
    `<p>A candidate group of accounts sharing identifiers is a ring when its ring score (group coordination evidence against signs of an honest group) reaches ${input.policy.ring_above}. Groups below it are in groups.csv with the reason they are not rings.</p>`,
    table(
      ['ring', 'ring score', 'members', 'tied by', 'what the score rests on'],
      [...input.rings]
        .sort((a, b) => b.ring_score - a.ring_score || b.members.length - a.members.length)
        .slice(0, 20)
        .map((r) => [
          r.ring_id,
          r.ring_score.toFixed(0),
          r.members.length,
          r.identifiers.map((i) => `${i.kind} ×${i.accounts}`).join(', '),
          ringReasons(r).join('; '),
        ]),
    ),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ringfence report ${escapeHtml(input.name)}/${escapeHtml(input.version)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem auto;padding:0 1rem;max-width:1100px;color:#222}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}td.long{overflow-wrap:anywhere}.charts{display:flex;flex-wrap:wrap;gap:1rem 2.5rem;align-items:flex-start}figure{margin:1rem 0;max-width:100%}figure svg{display:block;max-width:100%;height:auto}h2{margin-top:2rem;border-bottom:2px solid #eee}</style>
</head><body>
${sections.join('\n')}
</body></html>
`;
}
