import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

// `npm run notebooks:open` is scripts/open-notebooks.sh: it installs the notebook UI when missing, then starts Jupyter,
// which refuses to run as root unless given --allow-root (containers and CI machines often run as root).
describe('npm run notebooks:open', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  });

  it('starts the notebook server for this user, root included, and stops on SIGTERM', async () => {
    const port = await freePort();
    child = spawn('bash', ['scripts/open-notebooks.sh', `--port=${port}`, '--port-retries=0'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const running = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (output.includes(`http://127.0.0.1:${port}/`) || child?.exitCode !== null) {
          clearInterval(check);
          resolve();
        }
      }, 200);
    });
    await running;
    expect(output, output).toContain(`http://127.0.0.1:${port}/`);
    const isRoot = os.userInfo().uid === 0;
    expect(output.includes('running as root: passing --allow-root')).toBe(isRoot);
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect(code === 0 || signal === 'SIGTERM', `exit code ${code}, signal ${signal}:\n${output}`).toBe(true);
  }, 400_000);
});
