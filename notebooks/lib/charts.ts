// Charts for notebooks: the report's chart specs and renderer (from dist/), a Vega-Lite spec → SVG → PNG shown inline.
// With RINGFENCE_CHARTS set (scripts/run-notebooks.sh sets it per notebook), each chart's SVG is also written there, as
// NN.svg in the order shown, so the tests can check the charts themselves and not only their pictures.
import * as fs from 'fs';
import * as path from 'path';
import * as tslab from 'tslab';
import { importESM } from './esm-import.cjs';

export type VegaLiteSpec = Record<string, unknown>;

interface Renderer {
  vegaLiteToSvg(spec: VegaLiteSpec): Promise<string>;
  svgToPng(svg: string, scale?: number): Uint8Array;
}

/** The chart specs notebooks use (training/report/chart-specs.ts), restated as the narrow types the cells need. */
export interface ChartSpecs {
  riskHistogramSpec(input: {
    scores: { risk_score: number; group: string }[];
    policy: { flag_above: number; block_above: number };
    population: string;
  }): VegaLiteSpec;
  clusterSizeSpec(clusters: { cluster: string | number; size: number; shareFlagged: number }[]): VegaLiteSpec;
  clusterActionsSpec(rows: { cluster: string | number; action: string; accounts: number }[]): VegaLiteSpec;
  clusterProfileHeatmapSpec(cells: { cluster: string; feature: string; z: number }[], title: string): VegaLiteSpec;
  ringTimelineSpec(ringId: string, events: { account: string; time: string; event: string }[]): VegaLiteSpec;
  flagThresholdSpec(rows: { threshold: number; flagged: number; fraudAmongFlagged: number }[], blockAbove: number): VegaLiteSpec;
  curveSpec(title: string, points: { x: number; y: number }[], xTitle: string, yTitle: string, diagonal: boolean): VegaLiteSpec;
  firstReasonHeatmapSpec(rows: { group: string; reason: string; share: number }[], groupOrder: string[]): VegaLiteSpec;
  versionMetricsSpec(rows: { version: string; metric: string; value: number }[]): VegaLiteSpec;
}

const dist = (relative: string) => `file://${path.resolve(process.cwd(), 'dist', relative)}`;
let renderer: Promise<Renderer> | undefined;
const load = () => (renderer ??= importESM<Renderer>(dist('training/report/vega-charts.js')));
let shown = 0;

/** The report's chart specs, so that a notebook's charts read as the report's do. */
export function chartSpecs(): Promise<ChartSpecs> {
  return importESM<ChartSpecs>(dist('training/report/chart-specs.js'));
}

/** Renders a Vega-Lite chart and displays it as a PNG image output. */
export async function showChart(spec: VegaLiteSpec): Promise<void> {
  const { vegaLiteToSvg, svgToPng } = await load();
  const svg = await vegaLiteToSvg(spec);
  const keep = process.env['RINGFENCE_CHARTS'];
  if (keep) {
    fs.mkdirSync(keep, { recursive: true });
    fs.writeFileSync(path.join(keep, `${String(++shown).padStart(2, '0')}.svg`), svg);
  }
  tslab.display.png(svgToPng(svg, 1.5));
}
