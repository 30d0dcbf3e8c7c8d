// The Redis server the store tests use: RINGFENCE_TEST_REDIS_URL when set (CI starts one), else a redis-server of
// this test file's own on a free loopback port, without persistence files, stopped after the file's tests.
// Neither available is an error, not a skipped test.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function redisServerBinary(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

async function startRedisServer(binary: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${output}`)), 10_000);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { url: `redis://127.0.0.1:${port}/0`, child };
}

/**
 * Call at a test file's top level: returns a function giving a Redis URL with a key prefix of its own (so tests and
 * test files sharing one server never meet). The server, when this file started it, stops after the file's tests.
 */
export function useTestRedis(): () => Promise<string> {
  let server: Promise<{ url: string; child: ChildProcess | null }> | null = null;
  afterAll(async () => {
    const started = await server?.catch(() => null);
    started?.child?.kill('SIGTERM');
  });
  return async () => {
    if (!server) {
      const fromEnvironment = process.env['RINGFENCE_TEST_REDIS_URL'];
      const binary = fromEnvironment ? null : redisServerBinary();
      if (!fromEnvironment && !binary) {
        throw new Error('no Redis for the store tests: set RINGFENCE_TEST_REDIS_URL or install redis-server (scripts/install-system-deps.sh redis)');
      }
      server = fromEnvironment ? Promise.resolve({ url: fromEnvironment, child: null }) : startRedisServer(binary as string);
    }
    const url = new URL((await server).url);
    url.searchParams.set('prefix', `test-${randomUUID()}`);
    return url.toString();
  };
}
