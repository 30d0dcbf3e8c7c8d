// Charts for notebooks: a Vega-Lite spec → SVG (the report's renderer, from dist/) → PNG shown inline.
import * as path from 'path';
import * as tslab from 'tslab';
import { importESM } from './esm-import.cjs';

export type VegaLiteSpec = Record<string, unknown>;

interface Renderer {
  vegaLiteToSvg(spec: VegaLiteSpec): Promise<string>;
  svgToPng(svg: string, scale?: number): Uint8Array;
}
let renderer: Promise<Renderer> | undefined;
const load = () => (renderer ??= importESM<Renderer>(`file://${path.resolve(process.cwd(), 'dist/training/report/vega-charts.js')}`));

/** Renders a Vega-Lite chart and displays it as a PNG image output. */
export async function showChart(spec: VegaLiteSpec): Promise<void> {
  const { vegaLiteToSvg, svgToPng } = await load();
  tslab.display.png(svgToPng(await vegaLiteToSvg(spec), 1.5));
}
