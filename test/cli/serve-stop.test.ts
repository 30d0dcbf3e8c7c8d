// Issue 21 findings 6 and 7 through the real CLI process: a dead or stopped worker leaves no request hanging, and a
// graceful stop answers the requests already written on keep-alive connections (with Connection: close).
import net from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { logLines, send, startServe, waitFor, type ServeProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const running: ServeProcess[] = [];
const stopped: number[] = [];
afterAll(() => {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGKILL');
});

const servingPids = (service: ServeProcess) => [
  ...new Set(
    logLines(service.stdout())
      .filter((l) => l.msg === 'worker serving')
      .map((l) => l.worker_pid!),
  ),
];

/** One keep-alive connection with a request at a time on it, written by hand so that the test chooses the socket. */
async function keepAliveConnection(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffer = '';
  let waiting: ((answer: { status: number; head: string } | Error) => void) | null = null;
  const settle = (answer: { status: number; head: string } | Error) => {
    const w = waiting;
    waiting = null;
    w?.(answer);
  };
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buffer.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (buffer.length < end + 4 + length) return;
    buffer = buffer.slice(end + 4 + length);
    settle({ status: Number(head.split(' ')[1]), head });
  });
  let closed = false;
  socket.on('error', (error) => settle(error));
  socket.on('close', () => {
    closed = true;
    settle(new Error('connection closed before an answer'));
  });
  return {
    socket,
    get(path: string): Promise<{ status: number; head: string }> {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new Error('the server had closed the connection'));
        waiting = (answer) => (answer instanceof Error ? reject(answer) : resolve(answer));
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      });
    },
  };
}

/** A request on a new connection that must be answered, or refused, within `ms`; never left hanging. */
function sendWithin(url: string, ms: number): Promise<number | 'refused' | 'hung'> {
  return Promise.race([
    send(url).then(
      (a) => a.status,
      () => 'refused' as const,
    ),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms)),
  ]);
}

describe('a worker that cannot answer (finding 6)', () => {
  it('gets no new connection while it is stopped, so none hangs, and a killed one leaves none hanging', async () => {
    const service = await startServe(['--models', fixture.modelsRoot, '--name', fixture.name, '--workers', '2']);
    running.push(service);
    const [frozen] = servingPids(service);
    // a stopped worker is the slow form of a dead one: round-robin handed it every other connection
    process.kill(frozen!, 'SIGSTOP');
    stopped.push(frozen!);
    const whileStopped = await Promise.all(Array.from({ length: 8 }, () => sendWithin(`${service.url}/healthz`, 4000)));
    expect(whileStopped).toEqual(Array(8).fill(200));
    process.kill(frozen!, 'SIGCONT');

    const [victim] = servingPids(service);
    const during = Array.from({ length: 8 }, () => sendWithin(`${service.url}/healthz`, 8000));
    process.kill(victim!, 'SIGKILL');
    const after = Array.from({ length: 8 }, () => sendWithin(`${service.url}/healthz`, 8000));
    const answers = await Promise.all([...during, ...after]);
    expect(answers.filter((a) => a === 'hung')).toEqual([]);
    expect(answers.filter((a) => a === 200).length).toBeGreaterThanOrEqual(8);
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  }, 90_000);
});

describe('a graceful stop (finding 7)', () => {
  it('answers requests written on keep-alive connections just after SIGTERM, with Connection: close, then exits 0', async () => {
    const service = await startServe(['--models', fixture.modelsRoot, '--name', fixture.name]);
    running.push(service);
    const connections = await Promise.all(Array.from({ length: 8 }, () => keepAliveConnection(service.url)));
    for (const c of connections) expect((await c.get('/healthz')).status).toBe(200);
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const answers = await Promise.all(connections.map((c) => c.get('/healthz')));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.head).toMatch(/connection: close/i);
    }
    expect(await service.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('does the same when one worker of two is sent SIGTERM, and the service goes on', async () => {
    const service = await startServe(['--models', fixture.modelsRoot, '--name', fixture.name, '--workers', '2']);
    running.push(service);
    const connections = await Promise.all(Array.from({ length: 8 }, () => keepAliveConnection(service.url)));
    for (const c of connections) expect((await c.get('/healthz')).status).toBe(200);
    const [victim] = servingPids(service);
    process.kill(victim!, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const answers = await Promise.all(connections.map((c) => c.get('/healthz')));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    await waitFor('a replacement worker', () => (servingPids(service).length >= 3 ? true : undefined), 30_000);
    expect((await send(`${service.url}/healthz`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  }, 90_000);
});
