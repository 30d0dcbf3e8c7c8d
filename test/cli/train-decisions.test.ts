// `ringfence train` without --feedback, as a real process (dist/, so `npm run build` first): it learns from the
// account decisions of the model name's decision store, names the labelled accounts the data does not have, and
// without a store stays unsupervised.
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadDataset } from '../../data/load-dataset.js';
import { FeedbackSummarySchema } from '../../training/supervised/feedback-summary.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { runCliProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const temporaryDir = useTemporaryDirs('ringfence-train-decisions-');
const env = { RINGFENCE_HASH_SECRET: 'train-decisions-secret' };

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runCliProcess(args, env);
  const { code } = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

const versionDir = (stdout: string) => /→ (\S+)/.exec(stdout)?.[1] as string;

describe('ringfence train reads the decision store', () => {
  it('learns from the stored account decisions, naming the one about an account not in the data; with no store it stays unsupervised', async () => {
    const dataset = await loadDataset(fixture.dataDir);
    const labels = [...(dataset.labels ?? new Map())];
    const fraud = labels.filter(([, l]) => l.label === 1).slice(0, 40);
    const honest = labels.filter(([, l]) => l.label === 0).slice(0, 40);
    expect(fraud.length).toBe(40);
    const who = { reviewer: 'ana', decided_at: '2026-07-01T10:00:00Z' };
    const decisions = [
      ...[...fraud, ...honest].map(([id, l]) =>
        l.label === 1
          ? { type: 'account', account_id: id, label: 'fraud', kind: l.kind || 'fraud', ...who }
          : { type: 'account', account_id: id, label: 'honest', ...who },
      ),
      { type: 'account', account_id: 'seen-live-only', label: 'fraud', ...who },
      { type: 'list', list: 'allow', entry_kind: 'account', value: 'acc-allowed', ...who },
    ];
    const dir = await temporaryDir();
    const models = path.join(dir, 'models');
    const file = path.join(dir, 'decisions.jsonl');
    await writeFile(file, decisions.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const imported = await cli(['decisions', 'import', '--models', models, '--name', 'learnt', file]);
    expect(imported.code, imported.stderr).toBe(0);

    // 80 labels of 1,500 accounts vouch for a FLAG precision of 0.6 at 95% confidence, not for the default 0.9
    const reachable = path.join(dir, 'reachable.json');
    await writeFile(reachable, JSON.stringify({ supervised: { flag_precision: 0.6, block_precision: 0.8 } }));
    const trained = await cli(['train', '--data', fixture.dataDir, '--models', models, '--name', 'learnt', '--seed', '3', '--config', reachable]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/^read 82 decisions from lmdb .*learnt\/decision-store$/m);
    expect(trained.stderr).toMatch(
      /^supervised layer: 80 labels from 82 decisions in lmdb .*; 1 labelled account is not in this data and not used: seen-live-only; 40 fraud, 40 honest;/m,
    );
    const learnt = versionDir(trained.stdout);
    expect(await readdir(learnt)).toEqual(expect.arrayContaining(['supervised-layer.json', 'feedback.json']));
    const summary = FeedbackSummarySchema.parse(JSON.parse(await readFile(path.join(learnt, 'feedback.json'), 'utf8')));
    expect(summary.labelled_accounts).toBe(80);
    // the report says what the decisions changed, as the model card does
    const report = await readFile(path.join(learnt, 'report', 'report.html'), 'utf8');
    const section = report.slice(report.indexOf('<h2>What feedback changed</h2>'));
    expect(section.length).toBeLessThan(report.length);
    expect(section).toContain('Decisions used: 40 fraud, 40 honest.');
    expect(section).toMatch(/<td>FLAG_FOR_REVIEW or higher<\/td><td>[\d.]+<\/td><td>60\.0%<\/td>/);
    expect(section).toMatch(/<td>unsupervised<\/td>.*<td>with the layer<\/td>/);
    expect(await readFile(path.join(learnt, 'model-card.md'), 'utf8')).toContain('## What feedback changed');

    // targets no 80 labels can vouch for (0.99 at 99% needs 459 fraud labels in a row): the layer is fitted, not used
    const strict = path.join(dir, 'strict.json');
    await writeFile(strict, JSON.stringify({ supervised: { flag_precision: 0.99, block_precision: 0.995, confidence: 0.99 } }));
    const refused = await cli(['train', '--data', fixture.dataDir, '--models', models, '--name', 'learnt', '--seed', '3', '--config', strict]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toMatch(
      /^supervised layer: 80 labels .*; no FLAG threshold reaches the target precision 0\.99 with 99% confidence \(the highest lower bound is 0\.\d+, \d+ labelled accounts above it\): the model stays unsupervised$/m,
    );
    const refusedDir = versionDir(refused.stdout);
    expect(await readdir(refusedDir)).not.toContain('supervised-layer.json');
    const refusedSummary = FeedbackSummarySchema.parse(JSON.parse(await readFile(path.join(refusedDir, 'feedback.json'), 'utf8')));
    expect(refusedSummary).toMatchObject({ layer_fitted: false, after: null });
    expect(refusedSummary.unused_because).toMatch(/^no FLAG threshold reaches/);
    expect(await readFile(path.join(refusedDir, 'model-card.md'), 'utf8')).toContain(
      'The layer was fitted but is not used (no FLAG threshold reaches',
    );

    const plain = await cli(['train', '--data', fixture.dataDir, '--models', models, '--name', 'plain', '--seed', '3']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^no decision store at .*plain\/decision-store: no analyst labels, the model stays unsupervised$/m);
    const files = await readdir(versionDir(plain.stdout));
    expect(files).not.toContain('supervised-layer.json');
    expect(files).not.toContain('feedback.json');
    await expect(access(path.join(models, 'plain', 'decision-store'))).rejects.toThrow();
  }, 300_000);
});
