// Server processes for the load benchmarks: a free loopback port, a child started with its output in a log file
// (ready once the log shows a line), and a graceful stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** the CLI of the same build as the benchmarks (compiled, or the sources under tsx) */
export const BENCH_CLI = path.join(here, `../cli/ringfence${path.extname(fileURLToPath(import.meta.url))}`);

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `command args` in `cwd` with stdout and stderr to `<logDir>/<name>.log` and waits (up to `timeoutMs`) for
 * `ready` to match the log; its first group is returned as `url`. A child that exits or does not start in time is
 * killed and named with the end of its log.
 */
export async function startChild(
  spec: { readonly logDir: string; readonly cwd: string; readonly name: string; readonly command: string; readonly args: readonly string[] },
  ready: RegExp,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ url: string; child: ChildProcess }> {
  const logFile = path.join(spec.logDir, `${spec.name}.log`);
  const log = await open(logFile, 'w');
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: { ...process.env, ...env }, stdio: ['ignore', log.fd, log.fd] });
  await log.close(); // the child holds its own copy of the descriptor
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    const match = ready.exec(await readFile(logFile, 'utf8'));
    if (match) return { url: match[1] as string, child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${spec.name} did not start: ${(await readFile(logFile, 'utf8')).slice(-2000)}`);
}

/**
 * `ringfence serve` of the model `bench` under `modelsRoot`, on a free port, `args` after those, as the benchmarks run
 * it: without a rate limit (the load is what is measured), ready once it logs the address it serves on.
 */
export function startBenchServe(
  spec: { readonly logDir: string; readonly name: string; readonly modelsRoot: string; readonly args: readonly string[] },
  env: Record<string, string> = {},
  timeoutMs?: number,
): Promise<{ url: string; child: ChildProcess }> {
  return freePort().then((port) =>
    startChild(
      {
        logDir: spec.logDir,
        cwd: path.join(here, '..', '..'),
        name: spec.name,
        command: process.execPath,
        args: [...process.execArgv, BENCH_CLI, 'serve', '--models', spec.modelsRoot, '--name', 'bench', '--port', String(port), ...spec.args],
      },
      /serving on (http:\/\/\S+)/,
      { RINGFENCE_RATE_LIMIT: '100000000', ...env },
      timeoutMs,
    ),
  );
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
