// What a new user reads when something is off: the way out named, bad usage exiting 2, one error prefix, and progress
// lines that end on the real figures.
import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { generateMarketplace } from '../../data/synthetic/generate-marketplace.js';
import type { ProgressEvent } from '../../data/progress-event.js';
import { loadScoringParts } from '../../training/model-files.js';
import { scoreDataset } from '../../training/scoring/score-dataset.js';
import { trainModel } from '../../training/train-model.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { runCliCaptured } from './run-cli-in-process.js';
import { runCliProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-messages-');

const run = (args: string[]) => runCliCaptured(args);

describe('a model name that does not exist', () => {
  const suggestion = `models there: ${fixture.name}; choose one with --name ${fixture.name}`;

  it('inspect and score name the models the root holds and suggest --name', async () => {
    const out = path.join(await tempDir(), 's.csv');
    for (const args of [
      ['inspect', '--models', fixture.modelsRoot],
      ['inspect', '--models', fixture.modelsRoot, '--version', 'latest'],
      ['score', '--data', fixture.dataDir, '--models', fixture.modelsRoot, '--out', out],
    ]) {
      const result = await run(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: no trained versions of model "default" under ${fixture.modelsRoot}; ${suggestion} (RINGFENCE_MODEL_NAME when serving)\n`,
      );
    }
  });

  it('serve says the same and exits', async () => {
    const served = runCliProcess(['serve', '--models', fixture.modelsRoot, '--port', '0']);
    const { code } = await served.exited;
    expect(code).toBe(1);
    expect(served.stderr()).toContain(suggestion);
  }, 60_000);

  it('a root with no model at all says how to make one', async () => {
    const result = await run(['inspect', '--models', await tempDir()]);
    expect(result.stderr).toMatch(/no model has been trained there yet: run 'ringfence train' \(or 'npm run demo'\) first\n$/);
  });
});

describe('bad usage', () => {
  it('generate --accounts says what is expected: an integer of at least 10', async () => {
    for (const given of ['-5', 'abc', '9', '12.5']) {
      const result = await run(['generate', '--accounts', given, '--out', 'never-written']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--accounts got "${given}": expected an integer of at least 10.`);
    }
  });

  it('generate --out onto an existing file is refused with a clear message, and --force replaces the file', async () => {
    const file = path.join(await tempDir(), 'taken');
    await writeFile(file, 'x');
    const refused = await run(['generate', '--accounts', '10', '--out', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `error: --out ${file} is a file, not a folder: choose a folder that does not exist or is empty, or pass --force to replace the file\n`,
    );
    expect((await run(['generate', '--accounts', '10', '--out', file, '--force'])).code).toBe(0);
  });

  it('serve --port 99999 and --workers many exit 2', async () => {
    for (const args of [
      ['--port', '99999'],
      ['--workers', 'many'],
    ]) {
      const result = await run(['serve', '--models', fixture.modelsRoot, '--name', fixture.name, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: invalid service configuration: (port|workers) /);
    }
  });

  it('every command starts its errors with the same "error: "', async () => {
    const results = [
      await run(['inspect', '--models', fixture.modelsRoot, '--name', fixture.name, '--version', '20000101T000000Z']),
      await run(['validate', '--data', await tempDir()]),
      await run(['generate', '--bogus']),
      await run(['no-such-command']),
    ];
    for (const result of results) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/^error: [^(]/);
    }
  });

  it('--help shows defaults and minimums', async () => {
    const generate = (await run(['generate', '--help'])).stdout;
    expect(generate).toMatch(/--accounts N +number of accounts, an integer of at least 10 \(required\)/);
    expect(generate).toMatch(/--seed S +random seed, an integer of at least 0 \(default: 42\)/);
    expect((await run(['demo', '--help'])).stdout).toMatch(
      /--accounts N +accounts in the synthetic marketplace, an integer of at least 200 \(default: 5000\)/,
    );
    expect((await run(['train', '--help'])).stdout).toMatch(/--name NAME +model name \(default: default\)/);
    expect((await run(['demo', '--help'])).stdout).toMatch(
      /--models ROOT +model root folder; the model is named demo \(default: \.ringfence\/models\)[^]*by default the data and the model go under \.\/\.ringfence/,
    );
    expect((await run(['score', '--help'])).stdout).toContain('.csv with the columns account_id, risk_score, action, cluster, reasons');
  });
});

describe('validate', () => {
  it('says when an optional table such as payouts is absent', async () => {
    const data = path.join(await tempDir(), 'data');
    await cp(fixture.dataDir, data, { recursive: true });
    await rm(path.join(data, 'payouts.csv'));
    const result = await run(['validate', '--data', data]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('note: no payouts table (optional): every account counts as having no payouts');
    expect((await run(['validate', '--data', fixture.dataDir])).stdout).not.toContain('note: no ');
  });
});

describe('progress lines', () => {
  const lastOf = (events: ProgressEvent[], stage: string) => events.filter((e) => e.stage === stage).at(-1);

  it('end on the real figures: the k chosen, every account featurised and scored', async () => {
    const dir = await tempDir();
    await generateMarketplace(path.join(dir, 'data'), { accounts: 400, seed: 3 });
    const events: ProgressEvent[] = [];
    const stages: string[] = [];
    await trainModel({
      dataDir: path.join(dir, 'data'),
      modelsRoot: path.join(dir, 'models'),
      seed: 1,
      hashSecret: 's',
      onProgress: (e) => events.push(e),
      onStage: (m) => stages.push(m),
    });
    const fitted = stages.find((m) => m.startsWith('detectors fitted'));
    const chosen = /k-means k=(\d+)/.exec(fitted ?? '')?.[1];
    expect(chosen).toBeDefined();
    expect(lastOf(events, 'choose k')?.detail).toMatch(new RegExp(`^chose k=${chosen} \\(silhouette -?\\d\\.\\d{3}\\)$`));
    expect(lastOf(events, 'features')?.done).toBe(400);
    expect(lastOf(events, 'scoring (pass 2 of 2)')?.done).toBe(400);

    const scoring: ProgressEvent[] = [];
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const scored = await scoreDataset(fixture.dataDir, parts, path.join(dir, 'scores.csv'), {
      formatLine: (a) => `${a.account_id}\n`,
      onProgress: (e) => scoring.push(e),
    });
    expect(scored.accounts).toBe(1500);
    expect(lastOf(scoring, 'scoring')?.done).toBe(1500);
  }, 120_000);
});
