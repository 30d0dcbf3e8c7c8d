// A command stopped by Ctrl-C (SIGINT) or a scheduler (SIGTERM) leaves no half-written output: real processes, real signals.
import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { runCliProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-interrupt-');
const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);

/** Polls `isReady` until it holds, or the command ended, or a minute passed. */
async function whileRunning(child: ChildProcess, isReady: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 60_000 && child.exitCode === null;) {
    if (await isReady()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('an interrupted command', () => {
  it('generate stopped by SIGTERM removes its temporary folder and its .partial files', async () => {
    const dir = await tempDir();
    const run = runCliProcess(['generate', '--accounts', '200000', '--seed', '1', '--out', path.join(dir, 'market')]);
    const temporaryFolder = async () => (await entries(dir)).find((n) => n.startsWith('market.tmp-'));
    // stop it once the temporary folder holds tables being written
    await whileRunning(run.child, async () => {
      const folder = await temporaryFolder();
      return folder !== undefined && (await entries(path.join(dir, folder))).some((f) => f.endsWith('.csv.partial'));
    });
    expect(await temporaryFolder()).toBeDefined();
    run.child.kill('SIGTERM');
    const { code, signal } = await run.exited;
    expect(signal === 'SIGTERM' || code === 143).toBe(true);
    expect(run.stderr()).toMatch(/interrupted by SIGTERM: removed the unfinished output \([^,]*market\.tmp-\d+\)/);
    expect(await entries(dir)).toEqual([]);
  }, 120_000);

  it('score stopped by SIGINT removes its .partial output', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'scores.csv');
    const run = runCliProcess(['score', '--data', fixture.dataDir, '--models', fixture.modelsRoot, '--name', fixture.name, '--out', out]);
    await whileRunning(run.child, async () => (await entries(dir)).includes('scores.csv.partial'));
    expect(await entries(dir)).toContain('scores.csv.partial');
    run.child.kill('SIGINT');
    const { code, signal } = await run.exited;
    expect(signal === 'SIGINT' || code === 130).toBe(true);
    expect(run.stderr()).toContain(`interrupted by SIGINT: removed the unfinished output (${out}.partial)`);
    expect(await entries(dir)).toEqual([]);
  }, 120_000);
});
