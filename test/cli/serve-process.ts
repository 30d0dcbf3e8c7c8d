// `ringfence serve` as a real process (the built CLI in dist/, so `npm run build` first) and plain HTTP to it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultHashSecretFile } from '../../models/hash-secret.js';
import type { FixtureModel } from '../global-setup.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'ringfence.js');

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Waits until `check` returns a value other than undefined (polling), or fails naming `what`. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs;) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Runs the CLI with `args`; resolves when it exits (for commands that end). A `serve` without an identity store of
 * its own gets a fresh one (and so a fresh decision store beside it), removed when it exits: the default (beside the
 * fixture's versions) would let tests sharing the read-only fixture record into one state.
 */
export function runCliProcess(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; stdout(): string; stderr(): string; exited: ServeProcess['exited'] } {
  const ownStore =
    args[0] === 'serve' && !args.includes('--identity-store') && !env['RINGFENCE_IDENTITY_STORE']
      ? mkdtempSync(path.join(os.tmpdir(), 'ringfence-serve-store-'))
      : null;
  // the identity store inside a folder of its own, so the decision store (by default beside it) is the test's own too
  const storeEnv = ownStore ? { RINGFENCE_IDENTITY_STORE: path.join(ownStore, 'identity-store') } : {};
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...storeEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (ownStore) child.once('exit', () => rmSync(ownStore, { recursive: true, force: true }));
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** `ringfence serve ... --port 0`, once it printed the URL it serves on. */
export async function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const run = runCliProcess(['serve', '--port', '0', ...args], env);
  let done = false;
  void run.exited.then(() => (done = true));
  const url = await waitFor(
    'serving on URL',
    () => {
      if (done) throw new Error(`ringfence serve exited: ${run.stderr()}`);
      return /serving on (http:\/\/\S+)/.exec(run.stdout())?.[1];
    },
    60_000,
  );
  return { ...run, url };
}

const LogLineSchema = z.looseObject({
  pid: z.number(),
  msg: z.string(),
  req_id: z.string().optional(),
  route: z.string().optional(),
  status: z.number().optional(),
  worker_pid: z.number().optional(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

/** The JSON log lines of stdout (other lines, such as "serving on", skipped). */
export function logLines(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => LogLineSchema.parse(JSON.parse(line)));
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** One request on a connection of its own, so that consecutive requests go to different workers in turn. */
export function send(url: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        headers: { ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A model root holding the fixture version and a newer copy of it (manifest version rewritten; the manifest is not
 * among the checksummed files), so that a reload has somewhere to go.
 */
export async function modelRootWithTwoVersions(fixture: FixtureModel): Promise<{ root: string; older: string; newer: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-serve-'));
  const newer = '29991231T235959Z';
  await cp(path.join(fixture.modelsRoot, fixture.name, fixture.version), path.join(root, 'models', fixture.name, fixture.version), {
    recursive: true,
  });
  await cp(defaultHashSecretFile(fixture.modelsRoot), defaultHashSecretFile(path.join(root, 'models')));
  const copy = path.join(root, 'models', fixture.name, newer);
  await cp(path.join(fixture.modelsRoot, fixture.name, fixture.version), copy, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, version: newer }, null, 2));
  return { root, older: fixture.version, newer };
}
