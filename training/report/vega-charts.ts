// Vega-Lite spec → SVG (vega's headless renderer) and SVG → PNG (resvg), for reports and notebooks.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export type VegaLiteSpec = Record<string, unknown>;

/** Advance widths of DejaVu Sans (the charts' font) in em, by character class; anything else counts as a lowercase letter. */
const CHARACTER_WIDTHS: readonly [RegExp, number][] = [
  [/[ijlI.,:;'!|]/, 0.3],
  [/ /, 0.32],
  [/[ftr()[\]/\\-]/, 0.4],
  [/[mwMW%]/, 0.95],
  [/[+=<>±×~]/, 0.84],
  [/[A-Z]/, 0.72],
  [/[0-9]/, 0.64],
];
const widthCache = new Map<string, number>();

/**
 * Text width for Vega's layout. Without a canvas (as here in Node) Vega estimates 0.8 em per character, a third more
 * than DejaVu Sans draws: charts came out wider than their content and shrank in a narrow window, and label limits cut
 * too early. A label truncated to `limit` is at most that wide.
 */
function textWidth(item: { fontSize?: number; fontWeight?: string | number; limit?: number }, text: unknown): number {
  const line = text == null ? '' : String(text).trim();
  let em = widthCache.get(line);
  if (em === undefined) {
    em = 0;
    for (const ch of line) em += CHARACTER_WIDTHS.find(([re]) => re.test(ch))?.[1] ?? 0.6;
    widthCache.set(line, em);
  }
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const width = em * (item.fontSize ?? 11) * (bold ? 1.1 : 1);
  return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
}
// vega's runtime exports its text metrics (vega-scenegraph's), which its type declarations leave out
(vega as unknown as { textMetrics: { width: typeof textWidth } }).textMetrics.width = textWidth;

export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  // axis maxExtent: Vega-Lite's 200 px let long feature and reason labels run under the axis title
  const compiled = vegaLite.compile({
    config: {
      font: 'DejaVu Sans',
      title: { anchor: 'start', subtitleColor: '#555' },
      axis: { maxExtent: 360 },
      legend: { layout: { bottom: { anchor: 'start', direction: 'vertical', margin: 6 } } },
    },
    ...spec,
  } as unknown as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Uint8Array {
  return new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
}
