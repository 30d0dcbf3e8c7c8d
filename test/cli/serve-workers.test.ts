// `ringfence serve --workers 2` through the real CLI process and HTTP (the built dist/: run `npm run build` first).
import net from 'node:net';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ModelSummarySchema, PredictResponseSchema, ProblemSchema } from '../../serving/api-schemas.js';
import { fixtureRecords } from '../serving/serving-helpers.js';
import { logLines, modelRootWithTwoVersions, runCliProcess, send, startServe, waitFor, type HttpAnswer, type ServeProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const temporary: string[] = [];
const running: ServeProcess[] = [];
afterAll(async () => {
  for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGKILL');
  await Promise.all(temporary.map((d) => rm(d, { recursive: true, force: true })));
});

/** pids of the processes whose log lines answered these request ids */
const pidsAnswering = (service: ServeProcess, requestIds: readonly string[]) => {
  const lines = logLines(service.stdout()).filter((l) => l.msg === 'request' && l.req_id !== undefined && requestIds.includes(l.req_id));
  return lines.length === requestIds.length ? new Set(lines.map((l) => l.pid)) : undefined;
};
const servingPids = (service: ServeProcess) =>
  logLines(service.stdout())
    .filter((l) => l.msg === 'worker serving')
    .map((l) => l.worker_pid!);

/**
 * Sends rounds of 6 concurrent requests until both workers have answered one (at most 30 rounds). Workers accept from
 * the shared socket themselves (no round-robin), so which one takes a connection is the kernel's choice, and one
 * round can land on a single worker.
 */
async function answersFromBothWorkers(service: ServeProcess, url: string): Promise<{ answers: HttpAnswer[]; pids: Set<number> }> {
  const answers: HttpAnswer[] = [];
  const pids = new Set<number>();
  for (let round = 0; round < 30 && pids.size < 2; round++) {
    const batch = await Promise.all(Array.from({ length: 6 }, () => send(url)));
    answers.push(...batch);
    const ids = batch.map((a) => String(a.headers['x-request-id']));
    for (const pid of await waitFor('the request log lines', () => pidsAnswering(service, ids))) pids.add(pid);
  }
  return { answers, pids };
}

describe('ringfence serve --workers 2', () => {
  let service: ServeProcess;
  let versions: Awaited<ReturnType<typeof modelRootWithTwoVersions>>;
  beforeAll(async () => {
    versions = await modelRootWithTwoVersions(fixture);
    temporary.push(versions.root);
    service = await startServe([
      '--models',
      path.join(versions.root, 'models'),
      '--name',
      fixture.name,
      '--version',
      versions.older,
      '--workers',
      '2',
    ]);
    running.push(service);
  });

  it('prints the URL once and answers from both workers, each logging with its own pid', async () => {
    expect(service.stdout().match(/serving on/g)).toHaveLength(1);
    expect(new Set(servingPids(service)).size).toBe(2);
    const { answers, pids } = await answersFromBothWorkers(service, `${service.url}/healthz`);
    for (const answer of answers) expect(answer.status).toBe(200);
    expect([...pids].sort()).toEqual([...new Set(servingPids(service))].sort());
  });

  it('counts the requests of every worker in /metrics, whichever worker answers it', async () => {
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < 6; i++) answers.push(await send(`${service.url}/readyz`));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(
      (
        await waitFor('the request log lines', () =>
          pidsAnswering(
            service,
            answers.map((a) => String(a.headers['x-request-id'])),
          ),
        )
      ).size,
    ).toBe(2);
    for (let i = 0; i < 2; i++) {
      const metrics = await send(`${service.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^ringfence_http_requests_total\{route="\/readyz",method="GET",status="200"\} 6$/m);
      expect(metrics.text).toMatch(new RegExp(`^ringfence_model_info\\{name="${fixture.name}",version="${versions.older}"\\} 1$`, 'm'));
    }
  });

  it('reloads every worker to the newest version without failing a request, and refuses a bad version on all', async () => {
    const before = await Promise.all(Array.from({ length: 4 }, () => send(`${service.url}/v1/model`)));
    expect(before.map((a) => ModelSummarySchema.parse(JSON.parse(a.text)).version)).toEqual(Array(4).fill(versions.older));
    const records = await fixtureRecords(fixture, 3);
    const predictions = Array.from({ length: 30 }, () => send(`${service.url}/v1/predict`, { method: 'POST', body: { accounts: records } }));
    const reload = await send(`${service.url}/v1/model/reload`, { method: 'POST', body: {} });
    expect(reload.status).toBe(200);
    expect(ModelSummarySchema.parse(JSON.parse(reload.text)).version).toBe(versions.newer);
    for (const answer of await Promise.all(predictions)) expect(PredictResponseSchema.parse(JSON.parse(answer.text)).results).toHaveLength(3);

    const after = await answersFromBothWorkers(service, `${service.url}/v1/model`);
    expect(after.answers.map((a) => ModelSummarySchema.parse(JSON.parse(a.text)).version)).toEqual(Array(after.answers.length).fill(versions.newer));
    expect(after.pids.size).toBe(2);

    const refused = await send(`${service.url}/v1/model/reload`, { method: 'POST', body: { version: '19990101T000000Z' } });
    expect(refused.status).toBe(422);
    expect(ProblemSchema.parse(JSON.parse(refused.text)).type).toBe('urn:ringfence:problem:model-rejected');
    const still = await Promise.all(Array.from({ length: 4 }, () => send(`${service.url}/v1/model`)));
    expect(still.map((a) => ModelSummarySchema.parse(JSON.parse(a.text)).version)).toEqual(Array(4).fill(versions.newer));
  });

  it('replaces a killed worker, which serves the version in service', async () => {
    const [victim, survivor] = new Set(servingPids(service));
    process.kill(victim!, 'SIGKILL');
    const replacement = await waitFor('a replacement worker', () => servingPids(service).find((pid) => pid !== victim && pid !== survivor));
    expect(logLines(service.stdout()).some((l) => l.msg.startsWith('worker exited unexpectedly') && l.worker_pid === victim)).toBe(true);
    // the kernel picks the worker of each connection: rounds of requests until both have answered
    const { answers, pids } = await answersFromBothWorkers(service, `${service.url}/v1/model`);
    expect(answers.map((a) => ModelSummarySchema.parse(JSON.parse(a.text)).version)).toEqual(Array(answers.length).fill(versions.newer));
    expect([...pids].sort()).toEqual([replacement, survivor].sort());
  });

  it('on SIGTERM finishes the request in flight, stops every worker and exits 0', async () => {
    const records = await fixtureRecords(fixture, 5);
    const body = JSON.stringify({ accounts: records });
    const { port } = new URL(service.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    // "100 Continue" comes once a worker has the request in hand; the body follows only after the stop has begun
    socket.write(
      `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await waitFor('100 Continue', () => (received.includes('100 Continue') ? true : undefined));
    service.child.kill('SIGTERM');
    await waitFor('every worker stopping', () =>
      logLines(service.stdout()).filter((l) => l.msg.startsWith('stopping: finishing in-flight')).length === 2 ? true : undefined,
    );
    socket.write(body);
    await closed;
    const [head, payload] = received.slice(received.indexOf('\r\n\r\n') + 4).split('\r\n\r\n') as [string, string];
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head).toMatch(/Connection: close/i);
    expect(PredictResponseSchema.parse(JSON.parse(payload)).results).toHaveLength(5);
    expect(await service.exited).toEqual({ code: 0, signal: null });
  });
});

describe('ringfence serve --workers 2 rate limit', () => {
  it('counts requests of every worker against one limit', async () => {
    const service = await startServe(['--models', fixture.modelsRoot, '--name', fixture.name, '--workers', '2'], { RINGFENCE_RATE_LIMIT: '4' });
    running.push(service);
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await send(`${service.url}/v1/model`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
    expect(
      (
        await waitFor('the request log lines', () =>
          pidsAnswering(
            service,
            answers.map((a) => String(a.headers['x-request-id'])),
          ),
        )
      ).size,
    ).toBe(2);
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});

describe('ringfence serve --workers refusals', () => {
  it('refuses a bad worker count, naming the field and its variable', async () => {
    for (const [args, env] of [
      [['--workers', '0'], {}],
      [['--workers', 'many'], {}],
      [[], { RINGFENCE_WORKERS: '2.5' }],
    ] as const) {
      const run = runCliProcess(['serve', '--models', fixture.modelsRoot, '--name', fixture.name, '--port', '0', ...args], env);
      // bad usage, from a flag or its variable, exits 2 like any other bad argument
      expect((await run.exited).code).toBe(2);
      expect(run.stderr()).toMatch(/workers \(RINGFENCE_WORKERS\)/);
      expect(run.stdout()).not.toMatch(/serving on/);
    }
  });

  it('refuses a model that does not load before starting any worker', async () => {
    const run = runCliProcess([
      'serve',
      '--models',
      fixture.modelsRoot,
      '--name',
      fixture.name,
      '--port',
      '0',
      '--workers',
      '2',
      '--version',
      '19990101T000000Z',
    ]);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/no version "19990101T000000Z"/);
    expect(run.stdout()).not.toMatch(/worker serving|listening/);
  });
});
