import { describe, expect, it } from 'vitest';
import { clusterProfileHeatmapSpec, riskHistogramSpec, symlogTicks, Z_CLIP } from '../../../training/report/chart-specs.js';
import { vegaLiteToSvg } from '../../../training/report/vega-charts.js';

const policy = { flag_above: 50, block_above: 75 };
type Layer = { data: { values: { group?: string; accounts?: number }[] }; encoding: { fill?: { scale: { domain: string[] } } } };
const panels = (spec: Record<string, unknown>) => spec['vconcat'] as { title: { text: string }; layer: Layer[] }[];

describe('chart specs', () => {
  it('label a symlog count axis down to 1, in 1-3-10 steps below 1,000 and decades above', () => {
    expect(symlogTicks(40)).toEqual([0, 1, 3, 10, 30]);
    expect(symlogTicks(2500)).toEqual([0, 1, 10, 100, 1000]);
    expect(symlogTicks(0)).toEqual([0, 1]);
  });

  it('draw the risk histogram as one panel per group, and list in the legend only the groups drawn', async () => {
    const scores = [
      ...Array.from({ length: 90 }, (_, i) => ({ risk_score: i % 40, group: 'normal' })),
      ...Array.from({ length: 10 }, (_, i) => ({ risk_score: 60 + i * 4, group: 'fraud' })),
    ];
    const labelled = riskHistogramSpec({ scores, policy, population: 'the 100 test accounts, by true label' });
    expect(panels(labelled).map((p) => p.title.text)).toEqual(['normal: 90 accounts', 'fraud: 10 accounts']);
    for (const panel of panels(labelled)) expect(panel.layer[1]?.encoding.fill?.scale.domain).toEqual(['normal', 'fraud']);
    expect(panels(labelled)[1]?.layer[1]?.data.values.reduce((n, b) => n + (b.accounts ?? 0), 0)).toBe(10);
    const svg = await vegaLiteToSvg(labelled);
    expect(svg).toContain('the 100 test accounts, by true label');
    expect(svg).not.toContain('all accounts');

    const unlabelled = riskHistogramSpec({ scores: scores.map((s) => ({ ...s, group: 'all accounts' })), policy, population: 'unlabelled' });
    expect(panels(unlabelled).map((p) => p.title.text)).toEqual(['all accounts: 100 accounts']);
  });

  it('clip the heat-map colour at ±Z_CLIP and print the unclipped robust z in the cell', async () => {
    const spec = clusterProfileHeatmapSpec(
      [
        { cluster: '0 (90)', feature: 'proposals_per_active_day', z: 57.04 },
        { cluster: '1 (10)', feature: 'has_2fa', z: -3.14 },
        { cluster: '1 (10)', feature: 'login_count', z: 0.2 },
      ],
      'profiles',
    );
    const values = (spec['data'] as { values: { clipped: number; label: string }[] }).values;
    expect(values.map((v) => v.clipped)).toEqual([Z_CLIP, -3.14, 0.2]);
    expect(values.map((v) => v.label)).toEqual(['57', '-3.1', '']);
    expect(await vegaLiteToSvg(spec)).toMatch(/>57<\/text>/);
  });
});
