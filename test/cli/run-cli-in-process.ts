// Runs the CLI in this process with captured output, and digests an output folder (to compare two runs' bytes).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../cli/run-cli.js';

export async function runCliCaptured(args: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await runCli(args, { stdout, stderr, cwd, env: { RINGFENCE_QUIET: '1' } });
  return { code, stdout: out, stderr: err };
}

/** sha256 over a folder's file names and contents, in name order. */
export async function digestOfFolder(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(dir)).sort()) hash.update(file).update(await readFile(path.join(dir, file)));
  return hash.digest('hex');
}
