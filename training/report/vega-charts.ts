// Vega-Lite spec → SVG (vega's headless renderer) and SVG → PNG (resvg), for reports and notebooks.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export type VegaLiteSpec = Record<string, unknown>;

export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vegaLite.compile({ config: { font: 'DejaVu Sans' }, ...spec } as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Uint8Array {
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
