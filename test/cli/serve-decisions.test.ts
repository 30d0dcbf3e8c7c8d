// `ringfence serve` as a real process: a decision posted over HTTP changes the next score of a linked new account,
// with no restart and no retrain, on every worker (they share the decision store beside the identity store).
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { DecisionsRecordedSchema, PredictResponseSchema } from '../../serving/api-schemas.js';
import { newRingRecords } from '../serving/serving-helpers.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { logLines, send, startServe, waitFor } from './serve-process.js';

const fixture = inject('fixtureModel');
const temporaryDir = useTemporaryDirs('ringfence-serve-decisions-');

describe.each([1, 2])('ringfence serve --workers %i with decisions', (workers) => {
  it('a decision posted over HTTP changes the next score of a linked new account, on every worker, without a restart', async () => {
    const store = path.join(await temporaryDir(), 'identity-store');
    const service = await startServe([
      '--models',
      fixture.modelsRoot,
      '--name',
      fixture.name,
      '--workers',
      String(workers),
      '--identity-store',
      store,
    ]);
    try {
      const [source, newcomer] = await newRingRecords(fixture, `w${workers}`, 2);
      const predict = async (account: unknown, record: boolean) => {
        const answer = await send(`${service.url}/v1/predict`, { method: 'POST', body: { accounts: [account], record } });
        expect(answer.status, answer.text).toBe(200);
        return { result: PredictResponseSchema.parse(JSON.parse(answer.text)).results[0]!, id: String(answer.headers['x-request-id']) };
      };
      await predict(source, true);
      const before = (await predict(newcomer, false)).result;
      expect(before.evidence).not.toContain('decisions');

      const posted = await send(`${service.url}/v1/decisions`, {
        method: 'POST',
        body: { type: 'account', account_id: source!['account_id'], label: 'fraud', kind: 'ring', reviewer: 'ana', note: 'chargebacks' },
      });
      expect(posted.status, posted.text).toBe(201);
      const decisionId = DecisionsRecordedSchema.parse(JSON.parse(posted.text)).recorded[0]!.id;

      // every score after the answer, whichever worker gives it, carries the decision (each on a connection of its own)
      const ids: string[] = [];
      const pids = new Set<number>();
      for (let round = 0; round < 30 && (round < 4 || pids.size < workers); round++) {
        const answers = await Promise.all(Array.from({ length: 4 }, () => predict(newcomer, false)));
        for (const { result, id } of answers) {
          expect(result.risk_score).toBeGreaterThan(before.risk_score);
          expect(result.evidence).toContain('decisions');
          expect(result.reasons.find((r) => r.code === 'decision-linked-to-fraud')?.detail).toContain(`decision ${decisionId.slice(0, 8)} by ana`);
          ids.push(id);
        }
        const answered = await waitFor('the request log lines', () => {
          const lines = logLines(service.stdout()).filter((l) => l.msg === 'request' && l.req_id !== undefined && ids.includes(l.req_id));
          return lines.length === ids.length ? lines : undefined;
        });
        for (const line of answered) pids.add(line.pid);
      }
      expect(pids.size).toBe(workers);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
});
