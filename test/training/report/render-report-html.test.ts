import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { CHROMIUM, CHROMIUM_FLAGS, hasChromium, layoutProblems, pageLayout } from '../../browser-page-check.js';

const fixture = inject('fixtureModel');
const reportFile = () => path.join(fixture.modelsRoot, fixture.name, fixture.version, 'report', 'report.html');

describe('report.html', () => {
  it('is one self-contained page with its charts and tables inline', async () => {
    const html = await readFile(reportFile(), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg[\s>]/g)?.length).toBeGreaterThanOrEqual(6);
    for (const title of ['Risk score distribution with the policy bands', 'Cluster profiles', 'Rings by size', 'ROC curve', 'Precision-recall curve'])
      expect(html).toContain(title);
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
  });

  it('names the most frequent first reasons of each fraud kind, and of the honest accounts it flags', async () => {
    const html = await readFile(reportFile(), 'utf8');
    const section = html.slice(html.indexOf('<h2>First reasons by fraud kind</h2>'));
    expect(section.length).toBeLessThan(html.length);
    const rows = [
      ...section
        .slice(0, section.indexOf('</table>'))
        .matchAll(/<tr><td>([^<]*)<\/td><td class="n">(\d+)<\/td><td(?: class="long")?>([^<]*)<\/td><\/tr>/g),
    ];
    const groups = rows.map((r) => r[1]);
    for (const kind of ['bot', 'ring', 'takeover', 'test_cheat', 'bid_abuse']) expect(groups).toContain(kind);
    for (const [, , accounts, reasons] of rows) {
      expect(Number(accounts)).toBeGreaterThan(0);
      expect(reasons).toMatch(/^[a-z0-9-]+:[a-z0-9_]+ \(\d+\.\d%\)(; [a-z0-9-]+:[a-z0-9_]+ \(\d+\.\d%\)){0,2}$/);
    }
    const testCheats = rows.find((r) => r[1] === 'test_cheat')?.[3] ?? '';
    expect(testCheats).toMatch(/test_/);
  });

  it('groups the highest-risk accounts by their strongest reasons instead of repeating the same sentences', async () => {
    const html = await readFile(reportFile(), 'utf8');
    const section = html.slice(html.indexOf('<h2>Highest-risk accounts</h2>'));
    const rows = [...section.slice(0, section.indexOf('</table>')).matchAll(/<tr><td class="n">(\d+)<\/td>.*?<\/tr>/g)];
    const accounts = rows.reduce((sum, r) => sum + Number(r[1]), 0);
    expect(accounts).toBe(25);
    expect(rows.length).toBeLessThan(accounts);
    expect(new Set(rows.map((r) => r[0].replace(/<td class="n">\d+<\/td>/, '').replace(/A\d+ \(cluster \d+\)(, )?/g, ''))).size).toBe(rows.length);
  });

  it('lists beside them the accounts whose review would teach the model most, highest teach value first', async () => {
    const html = await readFile(reportFile(), 'utf8');
    const section = html.slice(html.indexOf('<h2>Accounts to review next</h2>'));
    expect(section.length).toBeLessThan(html.length);
    expect(html.indexOf('<h2>Accounts to review next</h2>')).toBeGreaterThan(html.indexOf('<h2>Highest-risk accounts</h2>'));
    const rows = [
      ...section.slice(0, section.indexOf('</table>')).matchAll(/<tr><td>([^<]+)<\/td><td>([\d.]+)<\/td><td>([\d.]+)<\/td><td>([\d.]+)<\/td>/g),
    ];
    expect(rows).toHaveLength(25);
    const teach = rows.map((r) => Number(r[2]));
    teach.slice(1).forEach((v, i) => expect(v).toBeLessThanOrEqual(teach[i] as number));
    // without a supervised layer every account is equally novel: the teach value is the uncertainty
    for (const r of rows) expect(Number(r[2])).toBeCloseTo(Number(r[3]), 3);
    expect(new Set(rows.map((r) => r[1])).size).toBe(25);
  });

  // the charts must read in a wide window and in a 700 px one: nothing cut off or scrolling sideways, every axis titled,
  // every legend entry drawn in the shape of its marks, no see-through bars blending into colours no legend names
  it.skipIf(!hasChromium).each([1400, 700])(
    'reads at a %i px window in headless Chromium',
    async (width) => {
      const page = await pageLayout(reportFile(), width);
      expect(page.charts.length).toBeGreaterThanOrEqual(6);
      expect(layoutProblems(page)).toEqual([]);
      expect(page.charts.every((c) => c.axes.some((a) => a.labels > 0))).toBe(true);
      expect(page.charts.filter((c) => c.legends.length > 0).length).toBeGreaterThanOrEqual(4);
    },
    120_000,
  );

  // CI installs Chromium first (scripts/install-system-deps.sh browser); on a machine without it this check cannot run
  it.skipIf(!hasChromium)('loads in headless Chromium with no console errors and renders its charts', async () => {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'ringfence-chromium-'));
    try {
      const flags = [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0'];
      const { stdout, stderr } = await promisify(execFile)(CHROMIUM, [...flags, '--dump-dom', `file://${reportFile()}`], {
        timeout: 60_000,
        maxBuffer: 64 * 2 ** 20,
      });
      expect(stderr).not.toMatch(/CONSOLE|Uncaught|Failed to load resource/);
      expect(stdout.match(/<svg[\s>]/g)?.length).toBeGreaterThanOrEqual(6);
      expect(stdout).toMatch(/class="mark-rect role-mark/);
      const shot = path.join(profile, 'report.png');
      await promisify(execFile)(CHROMIUM, [...flags, `--screenshot=${shot}`, '--window-size=1200,2400', `file://${reportFile()}`], {
        timeout: 60_000,
      });
      expect((await readFile(shot)).length).toBeGreaterThan(20_000);
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});
