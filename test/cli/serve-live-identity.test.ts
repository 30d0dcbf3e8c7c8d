// `ringfence serve` processes sharing one identity store: workers see each other's recordings, and a SIGKILL in the
// middle of recording requests loses at most the requests not yet answered.
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PredictResponseSchema, RingDetailSchema } from '../../serving/api-schemas.js';
import { newRingRecords } from '../serving/serving-helpers.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { logLines, send, startServe, waitFor } from './serve-process.js';

const fixture = inject('fixtureModel');
const temporaryDir = useTemporaryDirs('ringfence-serve-live-');

describe('ringfence serve with a live identity store', () => {
  it('two workers share the store: a candidate group grows one account per request whichever worker answers', async () => {
    const store = path.join(await temporaryDir(), 'identity-store');
    const service = await startServe(['--models', fixture.modelsRoot, '--name', fixture.name, '--workers', '2', '--identity-store', store]);
    try {
      const ring = await newRingRecords(fixture, 'shared', 5);
      const sizes: (number | null)[] = [];
      for (const account of ring) {
        const answer = await send(`${service.url}/v1/predict`, { method: 'POST', body: { accounts: [account] } });
        expect(answer.status, answer.text).toBe(200);
        expect(PredictResponseSchema.parse(JSON.parse(answer.text)).results[0]?.account_id).toBe(account['account_id']);
        // strangers paid into one bank account: a candidate group (below the ring threshold, so no ring_id), whose
        // size the account route shows, on a connection of its own (either worker)
        const group = await send(`${service.url}/v1/accounts/${String(account['account_id'])}/ring`);
        sizes.push(group.status === 404 ? null : RingDetailSchema.parse(JSON.parse(group.text)).size);
      }
      expect(sizes).toEqual([null, 2, 3, 4, 5]);
      const workers = await waitFor('request logs of both workers', () => {
        const pids = new Set(
          logLines(service.stdout())
            .filter((l) => l.route === '/v1/predict')
            .map((l) => l.pid),
        );
        return pids.size === 2 ? pids : undefined;
      });
      expect(workers.size).toBe(2);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it('a SIGKILL during recording requests keeps every answered request whole, and the state reads after restart', async () => {
    const store = path.join(await temporaryDir(), 'identity-store');
    const args = ['--models', fixture.modelsRoot, '--name', fixture.name, '--identity-store', store];
    const service = await startServe(args);
    const rings = await Promise.all(Array.from({ length: 30 }, (_, r) => newRingRecords(fixture, `kill${r}`, 3)));
    const answered: number[] = [];
    const requests = rings.map((accounts, r) =>
      send(`${service.url}/v1/predict`, { method: 'POST', body: { accounts } }).then(
        (answer) => answer.status === 200 && answered.push(r),
        () => undefined,
      ),
    );
    await waitFor('some answered requests', () => (answered.length >= 3 ? true : undefined));
    service.child.kill('SIGKILL');
    await Promise.all(requests);
    await service.exited;
    const restarted = await startServe(args);
    try {
      let kept = 0;
      for (let r = 0; r < rings.length; r++) {
        const answer = await send(`${restarted.url}/v1/accounts/kill${r}-0/ring`);
        if (answered.includes(r)) expect(answer.status, `answered request ${r}`).toBe(200);
        if (answer.status !== 200) continue;
        kept++;
        // a request is kept whole or not at all
        expect(RingDetailSchema.parse(JSON.parse(answer.text)).members).toEqual([`kill${r}-0`, `kill${r}-1`, `kill${r}-2`]);
      }
      expect(kept).toBeGreaterThanOrEqual(answered.length);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });
});
