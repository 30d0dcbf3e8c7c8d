import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { findApiKey, readKeysFile } from '../../serving/api-keys.js';
import { ConfigValidationError, loadServeConfig } from '../../serving/config.js';
import { startService } from '../../serving/main.js';
import { ProblemSchema } from '../../serving/api-schemas.js';
import { fixtureRecords, memoryLogger, newRingRecords } from './serving-helpers.js';

const fixture = inject('fixtureModel');
const temporary: string[] = [];
afterAll(async () => Promise.all(temporary.map((d) => rm(d, { recursive: true, force: true }))));

describe('loadServeConfig', () => {
  it('names the bad field and its environment variable', () => {
    expect(() => loadServeConfig({ RINGFENCE_MODELS: '/m', RINGFENCE_PORT: 'eighty' })).toThrow(/port \(RINGFENCE_PORT\)/);
    expect(() => loadServeConfig({})).toThrow(/models_root \(RINGFENCE_MODELS\)/);
  });

  it('takes a worker count or auto (one per core), 1 by default, and names the field when it is neither', () => {
    expect(loadServeConfig({ RINGFENCE_MODELS: '/m' }).workers).toBe(1);
    expect(loadServeConfig({ RINGFENCE_MODELS: '/m', RINGFENCE_WORKERS: '3' }).workers).toBe(3);
    expect(loadServeConfig({ RINGFENCE_MODELS: '/m', RINGFENCE_WORKERS: 'auto' }).workers).toBe(os.availableParallelism());
    expect(loadServeConfig({ RINGFENCE_MODELS: '/m', RINGFENCE_WORKERS: '8' }, { workers: '2' }).workers).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'all', '257'])
      expect(() => loadServeConfig({ RINGFENCE_MODELS: '/m', RINGFENCE_WORKERS: bad })).toThrow(/workers \(RINGFENCE_WORKERS\)/);
  });

  it('refuses a non-loopback address without API keys', () => {
    expect(() => loadServeConfig({ RINGFENCE_MODELS: '/m' }, { host: '0.0.0.0' })).toThrow(ConfigValidationError);
    expect(loadServeConfig({ RINGFENCE_MODELS: '/m' }, { host: '0.0.0.0', keys_file: '/k.json' }).host).toBe('0.0.0.0');
  });
});

describe('startService', () => {
  it('listens on loopback, answers, and finishes an in-flight request when closed', async () => {
    const config = loadServeConfig({}, { models_root: fixture.modelsRoot, model_name: fixture.name, port: 0 });
    const service = await startService(config, { logger: pino({ level: 'silent' }) });
    const records = await fixtureRecords(fixture, 50);
    const received = new Promise((resolve) => service.server.once('request', resolve));
    const inFlight = fetch(`${service.url}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accounts: records }),
    });
    await received;
    const closing = service.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: unknown[] }).results).toHaveLength(50);
    await closing;
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  });

  it('finishes the requests whose clients hung up before it closes the identity store, which then holds their accounts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-stop-'));
    temporary.push(dir);
    const config = loadServeConfig(
      {},
      { models_root: fixture.modelsRoot, model_name: fixture.name, port: 0, identity_store: path.join(dir, 'store') },
    );
    const { logger, lines } = memoryLogger();
    const service = await startService(config, { logger });
    // eight requests of 100 accounts, each with a new ring of 5: scoring and recording them outlast their clients
    const fixtureAccounts = await fixtureRecords(fixture, 95);
    const bodies = await Promise.all(
      Array.from({ length: 8 }, async (_, r) => {
        const filler = fixtureAccounts.map((record, i) => ({ ...record, account_id: `gone-${r}-filler-${i}` }));
        return JSON.stringify({ accounts: [...(await newRingRecords(fixture, `gone-${r}`, 5)), ...filler] });
      }),
    );
    // each client leaves as soon as its body has been read, and the stop begins with the last body
    let pending = bodies.length;
    const clients: net.Socket[] = [];
    const stopped = new Promise<void>((resolve, reject) =>
      service.server.on('request', (req) =>
        req.once('end', () => {
          clients.find((client) => client.localPort === req.socket.remotePort)?.destroy();
          if (--pending === 0) service.close().then(resolve, reject);
        }),
      ),
    );
    for (const body of bodies) {
      const client = net.connect(Number(new URL(service.url).port), '127.0.0.1');
      client.on('error', () => undefined);
      client.write(
        `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      clients.push(client);
    }
    await stopped;
    expect(lines().filter((line) => (line['level'] as number) >= 50)).toEqual([]);
    const logged = lines().filter((line) => line['msg'] === 'request');
    expect(logged).toHaveLength(8);
    // answered before its client left (200), or still running when it left: logged as such, never as answered
    for (const line of logged) expect([200, null]).toContain(line['status']);
    expect(logged.filter((line) => line['client_closed'] === true).length).toBeGreaterThan(0);

    const again = await startService(config, { logger: pino({ level: 'silent' }) });
    try {
      for (let r = 0; r < bodies.length; r++) {
        const res = await fetch(`${again.url}/v1/accounts/gone-${r}-0/ring`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { size: number }).size).toBe(5);
      }
    } finally {
      await again.close();
    }
  });
});

describe('a request Node refuses before Express sees it', () => {
  it('answers 431 problem+json to headers that are too large', async () => {
    const config = loadServeConfig({}, { models_root: fixture.modelsRoot, model_name: fixture.name, port: 0 });
    const service = await startService(config, { logger: pino({ level: 'silent' }) });
    try {
      const res = await fetch(`${service.url}/healthz`, { headers: { 'x-padding': 'x'.repeat(20_000) } });
      expect(res.status).toBe(431);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(ProblemSchema.parse(await res.json()).type).toBe('urn:ringfence:problem:headers-too-large');
    } finally {
      await service.close();
    }
  });
});

describe('ringfence keys create', () => {
  it('prints the key alone on stdout once and stores only its hash', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-keys-'));
    temporary.push(dir);
    const file = path.join(dir, 'keys.json');
    let out = '';
    let err = '';
    const stdout = new PassThrough().on('data', (c) => (out += c));
    const stderr = new PassThrough().on('data', (c) => (err += c));
    expect(await runCli(['keys', 'create', '--scope', 'admin', '--name', 'ops', '--keys', file], { stdout, stderr, cwd: dir, env: {} })).toBe(0);
    const key = out.trim();
    expect(out).toBe(`${key}\n`);
    expect(err).toMatch(/shown once/);
    expect(await readFile(file, 'utf8')).not.toContain(key);
    expect(findApiKey(await readKeysFile(file), key)?.scope).toBe('admin');
    expect(await runCli(['keys', 'create', '--scope', 'root', '--name', 'x', '--keys', file], { stdout, stderr, cwd: dir, env: {} })).toBe(2);
  });
});
