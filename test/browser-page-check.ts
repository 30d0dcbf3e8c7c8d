// Loads a page in headless Chromium at a given window width and reports how it lays out and what its Vega charts
// show: horizontal overflow, each chart's place and scale, its axes and their titles, its legend entries (colour and
// symbol shape) and the marks drawn in each colour. The page is copied with a measuring script appended (report.html
// itself has none) and read back through --dump-dom.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ShapeSchema = z.enum(['circle', 'square', 'stroke', 'other']);
const ChartSchema = z.object({
  title: z.string(),
  left: z.number(),
  right: z.number(),
  /** rendered width / the chart's own width: below 1 when the page shrinks it to fit */
  scale: z.number(),
  axes: z.array(z.object({ title: z.string(), labels: z.number(), steepLabels: z.number(), labelsUnderTitle: z.number() })),
  legends: z.array(
    z.object({ title: z.string(), gradient: z.boolean(), entries: z.array(z.object({ label: z.string(), colour: z.string(), shape: ShapeSchema })) }),
  ),
  /** colour → the kinds of mark items drawn in it (text excluded) */
  marks: z.record(z.string(), z.array(z.enum(['bar', 'tick', 'symbol', 'line', 'area', 'rule']))),
  /** mark layers whose items come in more than one colour (so a legend must say what the colours mean) */
  multiColourLayers: z.number(),
  /** pairs of see-through bars of different colours that overlap (and so show a colour no legend names) */
  blended: z.number(),
});
export type ChartLayout = z.infer<typeof ChartSchema>;
const PageSchema = z.object({
  windowWidth: z.number(),
  scrollWidth: z.number(),
  images: z.array(z.object({ left: z.number(), right: z.number() })),
  charts: z.array(ChartSchema),
});
export type PageLayout = z.infer<typeof PageSchema>;

// Runs in the page. Vega's SVG renderer marks every group with its role (role-axis, role-legend, role-mark, …).
const MEASURE = String.raw`
(() => {
  const colourOf = (el) => { const s = getComputedStyle(el); const f = s.fill, k = s.stroke; return f && f !== 'none' && !f.startsWith('url') && f !== 'rgba(0, 0, 0, 0)' ? f : k && k !== 'none' ? k : ''; };
  const shapeOf = (p) => { const b = p.getBBox(); const d = p.getAttribute('d') || ''; if (Math.min(b.width, b.height) <= 3 && Math.max(b.width, b.height) >= 3 * Math.min(b.width, b.height)) return 'stroke'; if (/[aA]/.test(d)) return 'circle'; if (/^M[-\d.]+,[-\d.]+[hH][-\d.]+[vV][-\d.]+[hH][-\d.]+[zZ]?$/.test(d.replace(/\s/g, '')) || Math.abs(b.width - b.height) < 0.5) return 'square'; return 'other'; };
  const kindOf = (group, item) => {
    const type = [...group.classList].find((c) => c.startsWith('mark-')).slice(5);
    if (type === 'rect') { const b = item.getBBox(); return Math.min(b.width, b.height) <= 3 && Math.max(b.width, b.height) > 3 * Math.min(b.width, b.height) ? 'tick' : 'bar'; }
    return type;
  };
  const charts = [...document.querySelectorAll('svg.marks')].map((svg, i) => {
    const r = svg.getBoundingClientRect();
    const title = [...svg.querySelectorAll('.role-title-text text')].find((t) => !t.closest('.role-scope'))?.textContent || 'chart ' + (i + 1);
    const angle = (t) => { const m = /rotate\((-?[\d.]+)/.exec(t.getAttribute('transform') || ''); const a = m ? Math.abs(Number(m[1])) % 180 : 0; return Math.min(a, 180 - a); };
    const axes = [...svg.querySelectorAll('g.role-axis')].map((a) => {
      const labels = [...a.querySelectorAll('.role-axis-label text')].filter((t) => t.textContent);
      const titleBox = a.querySelector('.role-axis-title text')?.getBoundingClientRect();
      const overlaps = (b) => titleBox && Math.min(b.right, titleBox.right) - Math.max(b.left, titleBox.left) > 1 && Math.min(b.bottom, titleBox.bottom) - Math.max(b.top, titleBox.top) > 1;
      return {
        title: [...a.querySelectorAll('.role-axis-title text')].map((t) => t.textContent).join(' ').trim(),
        labels: labels.length,
        steepLabels: labels.filter((t) => angle(t) >= 60).length,
        labelsUnderTitle: labels.filter((t) => overlaps(t.getBoundingClientRect())).length,
      };
    });
    const legends = [...svg.querySelectorAll('g.role-legend')].map((l) => ({
      title: [...l.querySelectorAll('.role-legend-title text')].map((t) => t.textContent).join(' '),
      gradient: !!l.querySelector('.role-legend-gradient'),
      entries: [...l.querySelectorAll('g.role-legend-entry g.role-scope > g')].flatMap((e) => { const p = e.querySelector('.role-legend-symbol path'); const t = e.querySelector('.role-legend-label text'); return p ? [{ label: t ? t.textContent : '', colour: colourOf(p), shape: shapeOf(p) }] : []; }),
    }));
    const marks = {}; let multiColourLayers = 0; const seeThrough = [];
    for (const g of svg.querySelectorAll('g.role-mark')) {
      if (g.classList.contains('mark-text') || g.classList.contains('mark-group')) continue;
      const colours = new Set();
      for (const item of g.children) {
        const c = colourOf(item); if (!c) continue;
        colours.add(c); const k = kindOf(g, item); (marks[c] ||= []).includes(k) || marks[c].push(k);
        // half-transparent or more opaque filled marks: where two colours of them overlap they blend into a third
        const s = getComputedStyle(item); const o = Number(s.opacity) * Number(s.fillOpacity);
        if (k === 'bar' && o >= 0.3 && o < 1) seeThrough.push({ c, b: item.getBoundingClientRect() });
      }
      if (colours.size > 1) multiColourLayers++;
    }
    let blended = 0;
    for (let a = 0; a < seeThrough.length; a++) for (let b = a + 1; b < seeThrough.length; b++) {
      const p = seeThrough[a], q = seeThrough[b];
      if (p.c !== q.c && Math.min(p.b.right, q.b.right) - Math.max(p.b.left, q.b.left) > 1 && Math.min(p.b.bottom, q.b.bottom) - Math.max(p.b.top, q.b.top) > 1) blended++;
    }
    const own = Number(svg.getAttribute('width')) || r.width;
    return { title, left: r.left, right: r.right, scale: r.width / own, axes, legends, marks, multiColourLayers, blended };
  });
  const images = [...document.querySelectorAll('img')].map((im) => { const r = im.getBoundingClientRect(); return { left: r.left, right: r.right }; });
  const out = { windowWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, images, charts };
  const pre = document.createElement('pre'); pre.id = 'page-layout'; pre.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(out))));
  document.body.append(pre);
})();
`;

/** The layout of an HTML file in headless Chromium at a window `width` px wide. */
export async function pageLayout(htmlFile: string, width: number): Promise<PageLayout> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-page-'));
  try {
    const html = await readFile(htmlFile, 'utf8');
    const copy = path.join(dir, 'page.html');
    const end = html.lastIndexOf('</body>');
    await writeFile(
      copy,
      `${end < 0 ? html : html.slice(0, end)}<script>addEventListener('load', () => {${MEASURE}});</script>${end < 0 ? '' : html.slice(end)}`,
    );
    const { stdout } = await promisify(execFile)(
      CHROMIUM,
      [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${path.join(dir, 'profile')}`,
        '--hide-scrollbars',
        `--window-size=${width},1000`,
        '--dump-dom',
        `file://${copy}`,
      ],
      { timeout: 90_000, maxBuffer: 256 * 2 ** 20 },
    );
    const encoded = /<pre id="page-layout">([A-Za-z0-9+/=]+)<\/pre>/.exec(stdout)?.[1];
    if (!encoded) throw new Error(`${htmlFile} at ${width} px: the measuring script did not run`);
    return PageSchema.parse(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SHAPES_OF: Record<string, string[]> = {
  bar: ['square'],
  tick: ['stroke'],
  symbol: ['circle', 'square', 'other'],
  line: ['stroke', 'circle'],
  rule: ['stroke'],
  area: ['square'],
};

/**
 * What reads badly in a page's layout, as sentences (empty when nothing): overflow past the window, charts cut off or
 * shrunk below `minScale`, axes without titles, with steep labels or a title over its labels, see-through bars blending, legend entries never drawn or drawn in another shape, several colours
 * without a legend.
 */
export function layoutProblems(page: PageLayout, minScale = 0.7): string[] {
  const problems: string[] = [];
  const w = page.windowWidth;
  if (page.scrollWidth > w) problems.push(`page scrolls sideways: ${page.scrollWidth} px wide in a ${w} px window`);
  for (const [i, img] of page.images.entries())
    if (img.left < -0.5 || img.right > w + 0.5) problems.push(`image ${i + 1} is cut off (${Math.round(img.left)}–${Math.round(img.right)} px)`);
  for (const c of page.charts) {
    const name = `chart "${c.title}"`;
    if (c.left < -0.5 || c.right > w + 0.5) problems.push(`${name} is cut off (${Math.round(c.left)}–${Math.round(c.right)} px of ${w})`);
    if (c.scale < minScale) problems.push(`${name} is shrunk to ${(c.scale * 100).toFixed(0)}% to fit`);
    for (const a of c.axes) if (a.labels > 0 && !a.title) problems.push(`${name} has an axis without a title`);
    for (const a of c.axes) if (a.steepLabels > 0) problems.push(`${name}: axis "${a.title}" has ${a.steepLabels} labels turned 60° or more`);
    for (const a of c.axes)
      if (a.labelsUnderTitle > 0) problems.push(`${name}: the title of axis "${a.title}" covers ${a.labelsUnderTitle} of its labels`);
    if (c.blended > 0) problems.push(`${name}: ${c.blended} pairs of see-through bars of different colours overlap`);
    for (const l of c.legends) {
      for (const e of l.entries) {
        const kinds = c.marks[e.colour];
        if (!kinds) problems.push(`${name}: legend "${l.title}" lists "${e.label}", which is not drawn`);
        else if (!kinds.some((k) => SHAPES_OF[k]?.includes(e.shape)))
          problems.push(`${name}: legend "${l.title}" shows "${e.label}" as a ${e.shape}, but its marks are ${kinds.join('/')}`);
      }
    }
    if (c.multiColourLayers > 0 && c.legends.length === 0) problems.push(`${name} draws marks in several colours but has no legend`);
  }
  return problems;
}
