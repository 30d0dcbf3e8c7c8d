// The analyst charts as Vega-Lite specs, shared by report.html and the notebooks so that both read the same way.
// Conventions, held by the browser check in the tests: every axis has a title; a legend lists only what is drawn, in
// the shape of its marks; legends sit below the plot and plots are at most CHART_WIDTH wide, so a chart fits a 700 px
// window; marks do not overlap into colours the legend lacks; counts that span decades use a symlog axis whose ticks
// are labelled down to 1.
import type { VegaLiteSpec } from './vega-charts.js';

/** width of a chart's plot area in px (axes and labels come on top; legends go below) */
export const CHART_WIDTH = 540;
/** heat maps of robust z clip their colour at ±Z_CLIP (the cells print the unclipped value) */
export const Z_CLIP = 10;
export const ACTIONS = ['MONITOR', 'FLAG_FOR_REVIEW', 'BLOCK_ACCOUNT'] as const;
const ACTION_COLOURS: Record<string, string> = { MONITOR: '#4c9a2a', FLAG_FOR_REVIEW: '#e0a100', BLOCK_ACCOUNT: '#c0392b' };
const GROUP_COLOURS: Record<string, string> = { normal: '#607d8b', fraud: '#e74c3c', 'all accounts': '#34495e' };
const BELOW = { orient: 'bottom', direction: 'horizontal', titleOrient: 'left', labelLimit: 320 } as const;
const thousands = (n: number) => n.toLocaleString('en-US');

/** Labelled ticks of a symlog count axis up to `max`: 0, 1, 3, 10, 30, 100, … (0, 1, 10, 100, … beyond 1,000) so that bars of a few accounts read. */
export function symlogTicks(max: number): number[] {
  const ticks = [0];
  const top = Math.max(1, max);
  // 1-3-10 steps are too close together on a short axis spanning more than three decades
  const steps = top >= 1000 ? [1] : [1, 3];
  for (let decade = 1; decade <= top; decade *= 10) for (const m of steps) if (m * decade <= top) ticks.push(m * decade);
  return ticks;
}

function countAxis(max: number, title: string): Record<string, unknown> {
  return {
    type: 'quantitative',
    scale: { type: 'symlog', domain: [0, Math.max(1, max)], nice: false },
    axis: { values: symlogTicks(max), format: ',d', title },
  };
}

/** The actions present, in policy order, with their colours: a legend lists only what is drawn. */
function actionScale(present: Iterable<string>): { domain: string[]; range: string[] } {
  const seen = new Set(present);
  const domain = ACTIONS.filter((a) => seen.has(a));
  return { domain, range: domain.map((a) => ACTION_COLOURS[a] as string) };
}

export interface RiskPolicyBands {
  readonly flag_above: number;
  readonly block_above: number;
}

const SCORE_BIN_WIDTH = 2;

/** Accounts per 2-point risk-score bin of each group (the chart gets 50 bins, not one point per account). */
function scoreBins(scores: Iterable<{ risk_score: number; group: string }>): Map<string, Float64Array> {
  const bins = 100 / SCORE_BIN_WIDTH;
  const counts = new Map<string, Float64Array>();
  for (const a of scores) {
    let groupCounts = counts.get(a.group);
    if (!groupCounts) counts.set(a.group, (groupCounts = new Float64Array(bins)));
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(a.risk_score / SCORE_BIN_WIDTH)));
    groupCounts[bin] = (groupCounts[bin] as number) + 1;
  }
  return counts;
}

/**
 * Risk-score histogram with the policy bands: one panel per group (normal and fraud when labels exist, else all
 * accounts), stacked vertically on a shared score axis, so the groups never overlap; `population` says which
 * accounts are plotted.
 */
export function riskHistogramSpec(input: {
  scores: Iterable<{ risk_score: number; group: string }>;
  policy: RiskPolicyBands;
  population: string;
}): VegaLiteSpec {
  const counts = scoreBins(input.scores);
  const order = (g: string) => (g in GROUP_COLOURS ? Object.keys(GROUP_COLOURS).indexOf(g) : 99);
  const groups = [...counts.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const fill = { domain: groups, range: groups.map((g, i) => GROUP_COLOURS[g] ?? ['#8e44ad', '#16a085'][i % 2]) };
  const bands = [
    { from: 0, to: input.policy.flag_above, band: 'MONITOR' },
    { from: input.policy.flag_above, to: input.policy.block_above, band: 'FLAG_FOR_REVIEW' },
    { from: input.policy.block_above, to: 100, band: 'BLOCK_ACCOUNT' },
  ];
  const x = { field: 'from', type: 'quantitative', scale: { domain: [0, 100] }, title: 'risk score' };
  const panel = (group: string) => {
    const groupCounts = counts.get(group) as Float64Array;
    const values = Array.from(groupCounts, (accounts, bin) => ({
      from: bin * SCORE_BIN_WIDTH,
      to: (bin + 1) * SCORE_BIN_WIDTH,
      group,
      accounts,
    })).filter((b) => b.accounts > 0);
    const total = groupCounts.reduce((s, n) => s + n, 0);
    return {
      title: { text: `${group}: ${thousands(total)} accounts`, anchor: 'start', fontSize: 12 },
      width: CHART_WIDTH,
      height: 130,
      layer: [
        {
          data: { values: bands },
          mark: { type: 'rect', opacity: 0.15 },
          encoding: {
            x,
            x2: { field: 'to' },
            color: {
              field: 'band',
              type: 'nominal',
              scale: { domain: [...ACTIONS], range: ACTIONS.map((a) => ACTION_COLOURS[a]) },
              legend: { ...BELOW, title: 'policy band' },
            },
          },
        },
        {
          data: { values },
          mark: { type: 'bar' },
          encoding: {
            x,
            x2: { field: 'to' },
            y: { field: 'accounts', ...countAxis(Math.max(...values.map((v) => v.accounts)), 'accounts (symlog)') },
            y2: { datum: 0 },
            fill: { field: 'group', type: 'nominal', scale: fill, legend: { ...BELOW, title: 'accounts' } },
          },
        },
      ],
    };
  };
  return {
    title: { text: 'Risk score distribution with the policy bands', subtitle: input.population },
    vconcat: groups.map(panel),
    resolve: { scale: { y: 'independent', color: 'shared', fill: 'shared' } },
  };
}

/** Cluster sizes on a symlog axis, coloured and labelled by the share flagged, so small flagged clusters show. */
export function clusterSizeSpec(clusters: readonly { cluster: string | number; size: number; shareFlagged: number }[]): VegaLiteSpec {
  const values = clusters.map((c) => ({ cluster: String(c.cluster), size: c.size, flagged: Number((c.shareFlagged * 100).toFixed(1)) }));
  const x = { field: 'cluster', type: 'nominal', title: 'cluster', axis: { labelAngle: 0 } };
  const y = { field: 'size', ...countAxis(Math.max(1, ...values.map((v) => v.size)) * 3, 'accounts (symlog)') };
  return {
    title: {
      text: 'Cluster sizes and the share of each cluster flagged',
      subtitle: 'label above each bar: accounts, % flagged (FLAG_FOR_REVIEW or higher)',
    },
    data: { values },
    width: Math.min(CHART_WIDTH, Math.max(200, values.length * 60)),
    height: 200,
    layer: [
      {
        mark: 'bar',
        encoding: {
          x,
          y,
          color: {
            field: 'flagged',
            type: 'quantitative',
            scale: { scheme: 'orangered', domain: [0, 100] },
            legend: { ...BELOW, title: '% flagged', gradientLength: 200 },
          },
        },
      },
      {
        mark: { type: 'text', dy: -6, fontSize: 10 },
        encoding: { x, y, text: { value: { expr: "format(datum.size, ',d') + ', ' + datum.flagged + '%'" } } },
      },
    ],
  };
}

/** Accounts per cluster and action: one row of bars per cluster, each bar labelled with its count. */
export function clusterActionsSpec(rows: readonly { cluster: string | number; action: string; accounts: number }[]): VegaLiteSpec {
  const values = rows.map((r) => ({ cluster: String(r.cluster), action: r.action, accounts: r.accounts }));
  const max = Math.max(1, ...values.map((v) => v.accounts));
  const encoding = {
    y: { field: 'cluster', type: 'nominal', title: 'cluster' },
    yOffset: { field: 'action', sort: [...ACTIONS] },
    x: { field: 'accounts', ...countAxis(max * 2, 'accounts (symlog)') },
  };
  return {
    title: 'Actions per cluster',
    data: { values },
    width: CHART_WIDTH - 60,
    height: { step: 12, for: 'offset' },
    layer: [
      {
        mark: 'bar',
        encoding: {
          ...encoding,
          color: {
            field: 'action',
            type: 'nominal',
            scale: actionScale(values.map((v) => v.action)),
            sort: [...ACTIONS],
            legend: { ...BELOW, title: 'action' },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: { ...encoding, text: { field: 'accounts', type: 'quantitative', format: ',d' } },
      },
    ],
  };
}

/**
 * Heat map of the robust z of each cluster's centroid per feature (one convention in report and notebooks): the colour
 * is clipped at ±Z_CLIP and each cell prints the unclipped value, rounded.
 */
export function clusterProfileHeatmapSpec(cells: readonly { cluster: string; feature: string; z: number }[], title: string): VegaLiteSpec {
  const values = cells.map((c) => ({
    ...c,
    clipped: Math.max(-Z_CLIP, Math.min(Z_CLIP, c.z)),
    label: Math.abs(c.z) < 0.5 ? '' : c.z.toFixed(Math.abs(c.z) < 10 ? 1 : 0),
  }));
  const clusters = new Set(values.map((v) => v.cluster)).size;
  const x = { field: 'cluster', type: 'nominal', title: 'cluster (accounts)', axis: { labelAngle: clusters > 6 ? -40 : 0 } };
  const y = { field: 'feature', type: 'nominal', title: 'feature', axis: { labelLimit: 220 } };
  return {
    title: { text: title, subtitle: `cells print the robust z of the cluster median; colour clipped at ±${Z_CLIP}` },
    data: { values },
    width: Math.min(CHART_WIDTH - 180, Math.max(160, clusters * 56)),
    height: { step: 16 },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x,
          y,
          color: {
            field: 'clipped',
            type: 'quantitative',
            scale: { scheme: 'redblue', reverse: true, domain: [-Z_CLIP, Z_CLIP] },
            legend: { ...BELOW, title: `robust z (±${Z_CLIP})`, gradientLength: 200 },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 9 },
        encoding: {
          x,
          y,
          text: { field: 'label' },
          color: { condition: { test: `abs(datum.clipped) > ${Z_CLIP * 0.6}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** Rings by size, stacked by the identifier kinds that tie them. */
export function ringSizeSpec(
  rings: readonly { size: number; tie: string }[],
  title = 'Rings by size and the identifier kinds that tie them',
): VegaLiteSpec {
  return {
    title,
    data: { values: rings.map((r) => ({ size: r.size, tie: r.tie })) },
    width: Math.min(CHART_WIDTH, Math.max(200, new Set(rings.map((r) => r.size)).size * 50)),
    height: 180,
    mark: 'bar',
    encoding: {
      x: { field: 'size', type: 'ordinal', title: 'ring size (accounts)', axis: { labelAngle: 0 } },
      y: { aggregate: 'count', type: 'quantitative', title: 'rings', axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'tie', type: 'nominal', legend: { ...BELOW, title: 'tied by', columns: 4 } },
    },
  };
}

/** The logins and proposals of a ring's members over time: one row of ticks per member. */
export function ringTimelineSpec(ringId: string, events: readonly { account: string; time: string; event: string }[]): VegaLiteSpec {
  const kinds = [...new Set(events.map((e) => e.event))].sort();
  const palette: Record<string, string> = { login: '#2c7fb8', proposal: '#e6550d' };
  return {
    title: { text: `Ring ${ringId}: logins and proposals of its members over time`, subtitle: 'one tick per event, times in UTC' },
    data: { values: events.map((e) => ({ account: e.account, time: e.time, event: e.event })) },
    width: CHART_WIDTH - 80,
    height: { step: 20 },
    mark: { type: 'tick', thickness: 2, orient: 'vertical' },
    encoding: {
      x: {
        field: 'time',
        type: 'temporal',
        scale: { type: 'utc' },
        title: 'time (UTC)',
        axis: { format: '%Y-%m-%d', labelAngle: -30, labelOverlap: true },
      },
      y: { field: 'account', type: 'nominal', title: 'member account' },
      // legend symbols drawn as short upright bars, like the ticks they name (Vega-Lite fills them)
      color: {
        field: 'event',
        type: 'nominal',
        scale: { domain: kinds, range: kinds.map((k, i) => palette[k] ?? ['#31a354', '#756bb1'][i % 2]) },
        legend: { ...BELOW, title: 'event', symbolType: 'M-0.2,-1h0.4v2h-0.4Z', symbolOpacity: 1 },
      },
    },
  };
}

/** How many accounts the policy flags, and how many of those are fraud, as the flag threshold moves. */
export function flagThresholdSpec(
  rows: readonly { threshold: number; flagged: number; fraudAmongFlagged: number }[],
  blockAbove: number,
): VegaLiteSpec {
  const flaggedAll = 'all flagged accounts';
  const flaggedFraud = 'fraud among the flagged accounts';
  const values = rows.flatMap((r) => [
    { threshold: r.threshold, series: flaggedAll, accounts: r.flagged },
    { threshold: r.threshold, series: flaggedFraud, accounts: r.fraudAmongFlagged },
  ]);
  return {
    title: {
      text: 'Flagged accounts vs the flag threshold',
      subtitle: [`flagged: FLAG_FOR_REVIEW or higher (block threshold ${blockAbove})`, 'fraud: labelled fraud among the flagged accounts'],
    },
    data: { values },
    width: CHART_WIDTH - 80,
    height: 200,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'threshold', type: 'quantitative', title: 'flag threshold (risk score)', scale: { zero: false } },
      y: { field: 'accounts', type: 'quantitative', title: 'accounts', axis: { format: ',d', tickMinStep: 1 } },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: [flaggedAll, flaggedFraud], range: ['#34495e', '#e74c3c'] },
        legend: { ...BELOW, title: null },
      },
    },
  };
}

/** ROC or precision-recall curve on the unit square, with the chance diagonal for ROC. */
export function curveSpec(
  title: string,
  points: readonly { x: number; y: number }[],
  xTitle: string,
  yTitle: string,
  diagonal: boolean,
): VegaLiteSpec {
  const axis = (field: string, t: string) => ({ field, type: 'quantitative', title: t, scale: { domain: [0, 1] } });
  const layers: Record<string, unknown>[] = [
    {
      data: { values: points.map((p) => ({ x: p.x, y: p.y })) },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: { x: axis('x', xTitle), y: axis('y', yTitle) },
    },
  ];
  if (diagonal)
    layers.push({
      data: {
        values: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      },
      mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  return { title, width: 240, height: 220, layer: layers };
}

/** The most frequent first reasons of each group (fraud kind, honest flagged), as the share of the group's accounts. */
export function firstReasonHeatmapSpec(
  rows: readonly { group: string; reason: string; share: number }[],
  groupOrder: readonly string[],
): VegaLiteSpec {
  const x = { field: 'group', type: 'nominal', title: 'fraud kind', sort: [...groupOrder], axis: { labelAngle: groupOrder.length > 5 ? -30 : 0 } };
  const y = { field: 'reason', type: 'nominal', title: 'first reason', axis: { labelLimit: 300 } };
  return {
    title: { text: 'First reason by fraud kind', subtitle: "share of the kind's accounts whose strongest reason it is (its three most frequent)" },
    data: { values: rows.map((r) => ({ group: r.group, reason: r.reason, share: r.share, label: `${Math.round(r.share * 100)}%` })) },
    width: { step: 44 },
    height: { step: 16 },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x,
          y,
          color: {
            field: 'share',
            type: 'quantitative',
            scale: { domain: [0, 1], scheme: 'oranges' },
            legend: { ...BELOW, title: 'share of the kind', format: '.0%', gradientLength: 160 },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 9 },
        encoding: { x, y, text: { field: 'label' }, color: { condition: { test: 'datum.share > 0.6', value: 'white' }, value: 'black' } },
      },
    ],
  };
}

/** Headline held-out metrics of model versions side by side (each on its own held-out accounts). */
export function versionMetricsSpec(rows: readonly { version: string; metric: string; value: number }[]): VegaLiteSpec {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  return {
    title: { text: 'Headline metrics of each version', subtitle: 'each on its own held-out accounts' },
    data: { values: rows.map((r) => ({ ...r, label: r.value.toFixed(2) })) },
    width: { step: 36, for: 'offset' },
    height: 200,
    layer: [
      {
        mark: 'bar',
        encoding: {
          x: { field: 'metric', type: 'nominal', title: 'metric', sort: metrics, axis: { labelAngle: 0 } },
          xOffset: { field: 'version' },
          y: { field: 'value', type: 'quantitative', title: 'value (0 to 1)', scale: { domain: [0, 1] } },
          color: { field: 'version', type: 'nominal', legend: { ...BELOW, title: 'version', columns: 1 } },
        },
      },
      {
        mark: { type: 'text', dy: -5, fontSize: 9 },
        encoding: {
          x: { field: 'metric', type: 'nominal', sort: metrics },
          xOffset: { field: 'version' },
          y: { field: 'value', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}
