import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadDataset } from '../../data/load-dataset.js';
import { loadScoringParts } from '../../training/model-files.js';
import { type LiveAssessment, LiveAssessmentSchema } from '../../training/identity/live-assessment.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { digestOfFolder as digestOf, runCliCaptured as run } from './run-cli-in-process.js';
import { assessAccount } from '../../training/scoring/risk-score.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-cli-');

describe('ringfence generate', () => {
  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const dir = await tempDir();
    const a = await run(['generate', '--accounts', '2000', '--seed', '7', '--out', path.join(dir, 'a')]);
    const b = await run(['generate', '--accounts', '2000', '--seed', '7', '--out', path.join(dir, 'b')]);
    const c = await run(['generate', '--accounts', '2000', '--seed', '8', '--out', path.join(dir, 'c')]);
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    expect(a.stdout).toMatch(/generated 2000 accounts/);
    expect(await digestOf(path.join(dir, 'a'))).toBe(await digestOf(path.join(dir, 'b')));
    expect(await digestOf(path.join(dir, 'a'))).not.toBe(await digestOf(path.join(dir, 'c')));
  });

  it('exits 2 with the option named when an argument is bad', async () => {
    const result = await run(['generate', '--accounts', 'many', '--out', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--accounts got "many"/);
    expect((await run(['generate', '--bogus'])).code).toBe(2);
    expect((await run(['no-such-command'])).code).toBe(2);
  });
});

describe('ringfence validate', () => {
  it('fails with file, line and column and no stack trace on a bad row', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'bad'));
    await writeFile(
      path.join(dir, 'bad', 'accounts.csv'),
      'account_id,created_at,country,has_2fa\nA1,2026-01-01T00:00:00Z,DE,true\nA2,2026-13-01T00:00:00Z,DE,false\n',
    );
    const result = await run(['validate', '--data', path.join(dir, 'bad')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/accounts\.csv line 3, column created_at/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('ringfence evaluate', () => {
  async function numericCsv(dir: string): Promise<string> {
    // 190 rows near the origin, 10 far away, as a benchmark table with a label column
    const rows = Array.from({ length: 200 }, (_, i) => {
      const far = i >= 190;
      const x = Math.sin(i * 12.9898) * 0.5 + (far ? 8 : 0);
      const y = Math.cos(i * 78.233) * 0.5 + (far ? -8 : 0);
      return `${x.toFixed(5)},${y.toFixed(5)},${far ? 1 : 0}`;
    });
    const file = path.join(dir, 'planted.csv');
    await writeFile(file, `x,y,is_anomaly\n${rows.join('\n')}\n`);
    return file;
  }

  it('prints a table of every detector and writes the same as JSON', async () => {
    const dir = await tempDir();
    const file = await numericCsv(dir);
    const out = path.join(dir, 'results', 'planted.json');
    const result = await run(['evaluate', '--csv', file, '--label-column', 'is_anomaly', '--seeds', '1', '--json', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^planted: 200 rows × 2 features, unsupervised/);
    for (const row of ['kmeans', 'autoencoder', 'isolation-forest', 'mahalanobis', 'combined \\(default\\)'])
      expect(result.stdout).toMatch(new RegExp(`\\n${row}\\s+\\d\\.\\d{4} ± \\d\\.\\d{4}`));
    const report = JSON.parse(await readFile(out, 'utf8')) as {
      dataset: string;
      default: string;
      detectors: Record<string, { roc_auc_mean: number }>;
    };
    expect(report.dataset).toBe('planted');
    expect(report.default).toBe('combined');
    expect(report.detectors['combined']?.roc_auc_mean).toBeGreaterThan(0.95);
    expect(await readdir(path.join(dir, 'results'))).toEqual(['planted.json']);
  });

  it('exits 1 naming the file, line and column of a bad cell, with no stack trace and no JSON written', async () => {
    const dir = await tempDir();
    const file = await numericCsv(dir);
    const text = (await readFile(file, 'utf8')).split('\n');
    text[5] = '0.1,oops,0';
    await writeFile(file, text.join('\n'));
    const out = path.join(dir, 'out.json');
    const result = await run(['evaluate', '--csv', file, '--label-column', 'is_anomaly', '--json', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/planted\.csv line 6, column y: "oops" is not a finite number/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(dir)).toEqual(['planted.csv']);
    const missing = await run(['evaluate', '--csv', file, '--label-column', 'label']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing required column label \(columns present: x, y, is_anomaly\)/);
  });
});

describe('ringfence score and inspect', () => {
  it('scores a folder with the fixture model and lists its versions', async () => {
    const dir = await tempDir();
    const scores = await run([
      'score',
      '--data',
      fixture.dataDir,
      '--models',
      fixture.modelsRoot,
      '--name',
      fixture.name,
      '--out',
      path.join(dir, 'scores.csv'),
      '--rings-out',
      path.join(dir, 'rings.csv'),
    ]);
    expect(scores.stderr).toBe('');
    expect(scores.code).toBe(0);
    const lines = (await readFile(path.join(dir, 'scores.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('account_id,risk_score,action,cluster,reasons,ring_id');
    expect(lines).toHaveLength(1501);
    const [ringHeader, ...ringRows] = (await readFile(path.join(dir, 'rings.csv'), 'utf8')).trim().split('\n');
    expect(ringHeader).toBe('ring_id,account_id,ring_score,rests_on,reasons,identifiers');
    // only rings: every listed group reaches the ring threshold; the others are in groups.csv with why they are not
    expect(ringRows.length).toBeGreaterThan(0);
    expect(ringRows.every((row) => Number(row.split(',')[2]) >= 50)).toBe(true);
    const [groupHeader, ...groupRows] = (await readFile(path.join(dir, 'groups.csv'), 'utf8')).trim().split('\n');
    expect(groupHeader).toBe('group_id,account_id,ring_score,not_ring_because,honest_signs,identifiers');
    expect(groupRows.every((row) => /ring score [\d.]+ is below 50/.test(row))).toBe(true);
    // ring_id of scores.csv names, for each member, its ring in rings.csv
    const ringOfMember = new Map(ringRows.map((row) => [row.split(',')[1], row.split(',')[0]]));
    for (const line of lines.slice(1)) expect(line.endsWith(`,${ringOfMember.get(line.split(',')[0] as string) ?? ''}`)).toBe(true);
    expect(scores.stdout).toMatch(/\d+ rings \(ring score >= 50\) → .*rings\.csv; \d+ candidate groups below → .*groups\.csv/);
    const list = await run(['inspect', '--models', fixture.modelsRoot, '--name', fixture.name]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(fixture.version);
    const detail = await run(['inspect', '--models', fixture.modelsRoot, '--name', fixture.name, '--version', fixture.version]);
    expect(detail.stdout).toMatch(/checksums verified/);
  });

  it('scoring the training folder gives what the library gives against the model alone: its accounts are counted once (JSONL keeps the whole assessment)', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'scores.jsonl');
    const result = await run([
      'score',
      '--data',
      fixture.dataDir,
      '--models',
      fixture.modelsRoot,
      '--name',
      fixture.name,
      '--version',
      fixture.version,
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const written = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => LiveAssessmentSchema.parse(JSON.parse(line)));
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const accounts = (await loadDataset(fixture.dataDir)).accounts;
    expect(written.map((w) => w.account_id)).toEqual(accounts.map((a) => a.account_id));
    // the folder added to the state changes nothing: every training account is in the model's index already
    accounts.forEach((account, i) => {
      const { ring_id: _ringId, ring: _ring, ...assessment } = written[i] as LiveAssessment;
      expect(assessment).toEqual(assessAccount(parts, account));
    });
  });

  it('refuses to score with a model that does not exist', async () => {
    const dir = await tempDir();
    const result = await run(['score', '--data', fixture.dataDir, '--models', dir, '--out', path.join(dir, 's.csv')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no trained versions of model "default"/);
  });
});
