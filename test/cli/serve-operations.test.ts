// Issue 21 finding 8 through the real CLI: SIGHUP reloads instead of stopping, a revoked key is refused by every
// worker within 5 s without a restart, and a killed worker's counts stay in /metrics.
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { ModelSummarySchema } from '../../serving/api-schemas.js';
import { logLines, modelRootWithTwoVersions, send, startServe, waitFor, type ServeProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const temporary: string[] = [];
const running: ServeProcess[] = [];
afterAll(async () => {
  for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGKILL');
  await Promise.all(temporary.map((d) => rm(d, { recursive: true, force: true })));
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = new PassThrough().on('data', (c) => (out += c));
  const stderr = new PassThrough().on('data', (c) => (err += c));
  const code = await runCli(args, { stdout, stderr, cwd: process.cwd(), env: {} });
  return { code, out, err };
}

const servingPids = (service: ServeProcess) => [
  ...new Set(
    logLines(service.stdout())
      .filter((l) => l.msg === 'worker serving')
      .map((l) => l.worker_pid!),
  ),
];

describe('ringfence keys revoke and list', () => {
  it('lists names and scopes, revokes by name, and says when there is no such key', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-keys-'));
    temporary.push(dir);
    const file = path.join(dir, 'keys.json');
    for (const [name, scope] of [
      ['app', 'predict'],
      ['scraper', 'metrics'],
      ['analyst', 'review'],
    ])
      expect((await cli(['keys', 'create', '--scope', scope!, '--name', name!, '--keys', file])).code).toBe(0);
    expect((await cli(['keys', 'list', '--keys', file])).out).toMatch(/app\s+predict[\s\S]*scraper\s+metrics[\s\S]*analyst\s+review/);
    const revoked = await cli(['keys', 'revoke', '--name', 'app', '--keys', file]);
    expect(revoked.code).toBe(0);
    expect(revoked.err).toMatch(/revoked predict key "app"/);
    expect((await cli(['keys', 'list', '--keys', file])).out).not.toMatch(/\bapp\b/);
    const unknown = await cli(['keys', 'revoke', '--name', 'app', '--keys', file]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no key named "app"/);
  });
});

describe('ringfence serve --workers 2 --keys FILE', () => {
  it('refuses a revoked key on every worker within 5 s, without a restart; other keys go on', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-keys-'));
    temporary.push(dir);
    const file = path.join(dir, 'keys.json');
    const leaving = (await cli(['keys', 'create', '--scope', 'predict', '--name', 'leaving', '--keys', file])).out.trim();
    const staying = (await cli(['keys', 'create', '--scope', 'predict', '--name', 'staying', '--keys', file])).out.trim();
    const service = await startServe(['--models', fixture.modelsRoot, '--name', fixture.name, '--workers', '2', '--keys', file]);
    running.push(service);
    const statuses = async (key: string) =>
      (await Promise.all(Array.from({ length: 8 }, () => send(`${service.url}/v1/model`, { headers: { authorization: `Bearer ${key}` } })))).map(
        (a) => a.status,
      );
    expect(await statuses(leaving)).toEqual(Array(8).fill(200));
    expect((await cli(['keys', 'revoke', '--name', 'leaving', '--keys', file])).code).toBe(0);
    const revokedAt = Date.now();
    for (;;) {
      const now = await statuses(leaving);
      if (now.every((s) => s === 401)) break;
      expect(Date.now() - revokedAt).toBeLessThan(5000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await statuses(staying)).toEqual(Array(8).fill(200));
    expect(service.child.exitCode).toBeNull();
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  }, 90_000);
});

describe('ringfence serve --workers 2: SIGHUP and counters', () => {
  it("reloads the newest version on every worker on SIGHUP instead of stopping, and keeps a killed worker's counts", async () => {
    const versions = await modelRootWithTwoVersions(fixture);
    temporary.push(versions.root);
    const models = path.join(versions.root, 'models');
    const parked = path.join(versions.root, 'parked');
    await rename(path.join(models, fixture.name, versions.newer), parked);
    const service = await startServe(['--models', models, '--name', fixture.name, '--workers', '2']);
    running.push(service);

    for (let i = 0; i < 10; i++) expect((await send(`${service.url}/readyz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // one counter report (every 2 s)
    const [victim] = servingPids(service);
    process.kill(victim!, 'SIGKILL');
    await waitFor('a replacement worker', () => (servingPids(service).length >= 3 ? true : undefined), 30_000);
    const metrics = await send(`${service.url}/metrics`);
    expect(metrics.text).toMatch(/^ringfence_http_requests_total\{route="\/readyz",method="GET",status="200"\} 10$/m);

    await rename(parked, path.join(models, fixture.name, versions.newer));
    service.child.kill('SIGHUP');
    await waitFor(
      'every worker serving the newer version',
      () => (logLines(service.stdout()).some((l) => l.msg === 'model reloaded on every worker') ? true : undefined),
      60_000,
    );
    const after = await Promise.all(Array.from({ length: 6 }, () => send(`${service.url}/v1/model`)));
    expect(after.map((a) => ModelSummarySchema.parse(JSON.parse(a.text)).version)).toEqual(Array(6).fill(versions.newer));
    expect(service.child.exitCode).toBeNull();
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  }, 120_000);
});
