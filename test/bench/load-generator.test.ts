import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  autocannonGenerator,
  type FreshAccountBodies,
  type LoadGenerator,
  parseWrkOutput,
  wrkGenerator,
  wrkInstalled,
} from '../../bench/load-generator.js';

const OUTPUT = `Running 5s test @ http://127.0.0.1:18080/v1/predict
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.51ms    4.02ms  52.12ms   88.10%
    Req/Sec     2.53k   210.33     2.90k    70.00%
  Latency Distribution
     50%  537.00us
     75%    7.11ms
     90%   10.02ms
     99%    1.02s
  12651 requests in 5.00s, 15.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   2530.12
Transfer/sec:      3.02MB
`;

describe('parseWrkOutput', () => {
  it('reads req/s, p50 and p99 in ms whatever their unit, and adds up socket errors and non-2xx answers', () => {
    expect(parseWrkOutput(OUTPUT)).toEqual({ rps: 2530.12, p50: 0.537, p99: 1020, errors: 9 });
  });

  it('refuses output without the latency distribution', () => {
    expect(() => parseWrkOutput(OUTPUT.replace(/Latency Distribution[\s\S]*?99%.*\n/, ''))).toThrow(/not understood/);
  });
});

describe('a load run of new accounts (FreshAccountBodies)', () => {
  const template = JSON.stringify({
    accounts: [
      {
        account_id: 'A1',
        logins: [
          { ip: '1.2.3.4', device_id: 'd1' },
          { ip: '1.2.3.4', device_id: 'd1' },
        ],
        note: 'A1 1.2.3.4',
      },
    ],
  });
  const bodies: FreshAccountBodies = {
    template,
    fresh: [
      { literal: '"A1"', kind: 'id' },
      { literal: '"d1"', kind: 'id' },
      { literal: '"1.2.3.4"', kind: 'ip' },
    ],
  };

  /** Runs `generator` for a second against a server that keeps every body it is sent. */
  async function bodiesSent(generator: LoadGenerator): Promise<string[]> {
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString());
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await generator.run(`http://127.0.0.1:${port}/`, bodies, 2, 1);
      expect(result.errors).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    return received;
  }

  const expectNewAccounts = (received: string[]) => {
    expect(received.length).toBeGreaterThan(10);
    const accounts = received.map(
      (text) => (JSON.parse(text) as { accounts: { account_id: string; logins: { ip: string; device_id: string }[]; note: string }[] }).accounts[0]!,
    );
    // a new id, device and IP in every request, none repeated, the rest of the template as it was
    expect(new Set(accounts.map((a) => a.account_id)).size).toBe(received.length);
    expect(new Set(accounts.map((a) => a.logins[0]!.ip)).size).toBe(received.length);
    for (const a of accounts) {
      expect(a.account_id).toMatch(/^fresh-\d+$/);
      expect(a.logins[0]!.device_id).toBe(a.account_id);
      expect(a.logins.map((l) => l.ip)).toEqual([a.logins[0]!.ip, a.logins[0]!.ip]);
      expect(a.logins[0]!.ip).toMatch(/^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
      expect(a.note).toBe('A1 1.2.3.4');
    }
    return accounts.map((a) => a.account_id);
  };

  it('sends a new account in every request from autocannon, and none again in a later run', async () => {
    const first = expectNewAccounts(await bodiesSent(autocannonGenerator));
    const second = expectNewAccounts(await bodiesSent(autocannonGenerator));
    expect(second.filter((id) => first.includes(id))).toEqual([]);
  });

  it.runIf(wrkInstalled())('sends a new account in every request from wrk, and none again in a later run', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-wrk-'));
    try {
      const generator = wrkGenerator(dir);
      const first = expectNewAccounts(await bodiesSent(generator));
      const second = expectNewAccounts(await bodiesSent(generator));
      expect(second.filter((id) => first.includes(id))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a template that holds none of its fresh literals', async () => {
    await expect(autocannonGenerator.run('http://127.0.0.1:9/', { template: '{}', fresh: [{ literal: '"x"', kind: 'id' }] }, 1, 1)).rejects.toThrow(
      /none of the fresh literals/,
    );
  });
});
