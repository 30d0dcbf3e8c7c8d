// The live identity state through the HTTP API: new accounts form rings as they arrive, record:false keeps nothing,
// rings and changes are listed, erasure, and the state kept across a restart on both store backends.
import path from 'node:path';
import request from 'supertest';
import { describe, expect, inject, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { loadDataset } from '../../data/load-dataset.js';
import { generateMarketplace } from '../../data/synthetic/generate-marketplace.js';
import { WORLD_PRESETS } from '../../data/synthetic/world-config.js';
import { accountEventsToRecord } from '../../data/tables.js';
import { ChangedRingsSchema, PredictResponseSchema, ProblemSchema, RingDetailSchema } from '../../serving/api-schemas.js';
import { openIdentityStore } from '../../training/identity/identity-store.js';
import { type LiveAssessment, LiveAssessmentSchema, signUpOrder } from '../../training/identity/live-assessment.js';
import { loadScoringParts } from '../../training/model-files.js';
import { scoreDataset } from '../../training/scoring/score-dataset.js';
import { useTestRedis } from '../stores/redis-test-server.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { ADMIN_KEY, buildTestApp, newRingRecords, PREDICT_KEY, renamedTrueRingRecords } from './serving-helpers.js';

const fixture = inject('fixtureModel');
const auth = { Authorization: `Bearer ${PREDICT_KEY}` };
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
const temporaryDir = useTemporaryDirs('ringfence-live-');
const redisUrl = useTestRedis();

const newRing = (prefix: string, count: number) => newRingRecords(fixture, prefix, count);
/** the fixture's `index`-th largest true ring, every identifier renamed: new accounts that form a ring */
const coordinatedRing = (prefix: string, index: number) => renamedTrueRingRecords(fixture, prefix, index);

async function predict(app: Parameters<typeof request>[0], accounts: Record<string, unknown>[], record?: boolean) {
  const res = await request(app)
    .post('/v1/predict')
    .set(auth)
    .send(record === undefined ? { accounts } : { accounts, record });
  expect(res.status, res.text).toBe(200);
  return PredictResponseSchema.parse(res.body).results;
}

describe('live identity state over HTTP', () => {
  it('a ring arriving in one request sees itself; record:false scores the same and keeps nothing', async () => {
    const ring = await coordinatedRing('batch', 3);
    const { app: dryApp } = await buildTestApp(fixture);
    const dry = await predict(dryApp, ring, false);
    for (const result of dry) {
      expect(result.ring_id).not.toBeNull();
      expect(result.ring?.size).toBe(3);
      expect(result.ring?.ring_score).toBeGreaterThanOrEqual(50);
      expect(result.evidence).toContain('ring');
      expect(result.reasons.some((r) => r.code === 'ring-member')).toBe(true);
    }
    expect(new Set(dry.map((r) => r.ring_id)).size).toBe(1);
    expect((await request(dryApp).get(`/v1/accounts/batch-0/ring`).set(auth)).status).toBe(404);
    // the same request recorded elsewhere scores the same
    const { app } = await buildTestApp(fixture);
    expect(await predict(app, ring)).toEqual(dry);
    const detail = RingDetailSchema.parse((await request(app).get(`/v1/accounts/batch-2/ring`).set(auth)).body);
    expect(detail.members).toEqual(['batch-0', 'batch-1', 'batch-2']);
    expect(detail.ring_id).toBe(dry[0]?.ring_id);
    expect(detail.is_ring).toBe(true);
    expect(detail.not_ring_because).toBeNull();
  });

  it('a candidate group below policy.ring_above is no ring: ring_id null, shown by the account route, 404 on the ring routes', async () => {
    // strangers' accounts (created months apart, each with its own hours) paid into one bank account
    const strangers = await newRing('strangers', 4);
    const { app } = await buildTestApp(fixture);
    const start = new Date(Date.now() - 1000).toISOString();
    for (const result of await predict(app, strangers)) {
      expect(result.ring_id).toBeNull();
      expect(result.ring).toBeNull();
      expect(result.evidence).not.toContain('ring');
      expect(result.reasons.some((r) => r.code === 'shared-bank-hash' || r.code === 'ring-member')).toBe(false);
    }
    const group = RingDetailSchema.parse((await request(app).get('/v1/accounts/strangers-1/ring').set(auth)).body);
    expect(group.is_ring).toBe(false);
    expect(group.members).toEqual(['strangers-0', 'strangers-1', 'strangers-2', 'strangers-3']);
    expect(group.ring_score).toBeLessThan(50);
    expect(group.not_ring_because).toMatch(/^ring score [\d.]+ is below 50/);
    const asRing = await request(app).get(`/v1/rings/${group.ring_id}`).set(auth);
    expect(asRing.status).toBe(404);
    expect(ProblemSchema.parse(JSON.parse(asRing.text)).detail).toMatch(new RegExp(`^${group.ring_id} is a candidate group, not a ring: ring score`));
    const changed = ChangedRingsSchema.parse((await request(app).get('/v1/rings').query({ changed_since: start }).set(auth)).body);
    expect(changed.rings).toEqual([]);
  });

  it('an account alone has no ring; members arriving one by one make one, listed as changed, with an id stable as it grows', async () => {
    const members = await coordinatedRing('stream', 0);
    const { app } = await buildTestApp(fixture);
    const start = new Date(Date.now() - 1000).toISOString();
    const [alone] = await predict(app, [members[0]!]);
    expect(alone?.ring_id).toBeNull();
    expect(alone?.ring).toBeNull();
    const ids: (string | null)[] = [];
    for (const member of members.slice(1)) ids.push((await predict(app, [member]))[0]?.ring_id ?? null);
    // once the group's ring score reaches the threshold it is a ring, and its id stays as members arrive
    const first = ids.findIndex((id) => id !== null);
    expect(first).toBeGreaterThanOrEqual(0);
    const ringId = ids[first] as string;
    expect(ids.slice(first)).toEqual(ids.slice(first).map(() => ringId));
    const changed = ChangedRingsSchema.parse((await request(app).get('/v1/rings').query({ changed_since: start }).set(auth)).body);
    expect(changed.rings.map((r) => r.ring_id)).toEqual([ringId]);
    const detail = RingDetailSchema.parse((await request(app).get(`/v1/rings/${ringId}`).set(auth)).body);
    expect(detail.size).toBe(members.length);
    // the earliest member, once alone, is in the ring now
    expect(RingDetailSchema.parse((await request(app).get('/v1/accounts/stream-0/ring').set(auth)).body).ring_id).toBe(ringId);
    const later = new Date(Date.now() + 60_000).toISOString();
    expect(ChangedRingsSchema.parse((await request(app).get('/v1/rings').query({ changed_since: later }).set(auth)).body).rings).toEqual([]);
    const bad = await request(app).get('/v1/rings').query({ changed_since: 'yesterday' }).set(auth);
    expect(bad.status).toBe(400);
    expect(ProblemSchema.parse(JSON.parse(bad.text)).errors?.[0]?.detail).toMatch(/ISO-8601/);
  });

  it('streaming a new world in sign-up order (25 per request), then rescoring it with record:false, gives what scoreDataset gives', async () => {
    const dir = await temporaryDir();
    const dataDir = path.join(dir, 'data');
    await generateMarketplace(dataDir, { accounts: 400, seed: 23, world: WORLD_PRESETS['household-heavy'] });
    const accounts = [...(await loadDataset(dataDir)).accounts].sort(signUpOrder);
    const { app } = await buildTestApp(fixture);
    const arrival = new Map<string, string>();
    for (let i = 0; i < accounts.length; i += 25)
      for (const result of await predict(app, accounts.slice(i, i + 25).map(accountEventsToRecord)))
        arrival.set(result.account_id, JSON.stringify(result));
    const rescored = new Map<string, LiveAssessment>();
    for (let i = 0; i < accounts.length; i += 100)
      for (const result of await predict(app, accounts.slice(i, i + 100).map(accountEventsToRecord), false)) rescored.set(result.account_id, result);
    const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
    const scored = await scoreDataset(dataDir, parts, path.join(dir, 'scores.jsonl'), { formatLine: (a) => `${JSON.stringify(a)}\n` });
    const lines = (await readFile(path.join(dir, 'scores.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(accounts.length);
    for (const line of lines) {
      const assessment = LiveAssessmentSchema.parse(JSON.parse(line));
      expect(rescored.get(assessment.account_id)).toEqual(assessment);
    }
    // rings form among the new accounts, and each saw at arrival only those before it: answers (links, rings and their
    // sizes and scores, risk) moved for some
    expect(scored.groups.filter((g) => g.is_ring).length).toBeGreaterThan(0);
    const moved = [...rescored.values()].filter((r) => JSON.stringify(r) !== arrival.get(r.account_id));
    expect(moved.length).toBeGreaterThan(0);
  });

  it('ranks every ring member, even one the detectors find ordinary, at or above accounts outside rings with strong anomaly and rules parts', async () => {
    const { app } = await buildTestApp(fixture);
    const ring = await predict(app, await coordinatedRing('verdict', 0), false);
    expect(ring.every((r) => r.ring_id !== null)).toBe(true);
    expect(ring.some((r) => !r.evidence.includes('anomaly') && !r.evidence.includes('rules'))).toBe(true);
    // outside rings: the fixture's fraud of the kinds that are no ring, and ordinary accounts made to pass four skills
    // tests in a tenth of the usual time and to bid a tenth of every budget (the detectors and the rules both take them up)
    const dataset = await loadDataset(fixture.dataDir);
    const loneFraud = dataset.accounts.filter((a) => {
      const label = dataset.labels?.get(a.account_id);
      return label?.label === 1 && !/ring/.test(label.kind ?? '');
    });
    const cheating = dataset.accounts
      .filter((a) => dataset.labels?.get(a.account_id)?.label === 0 && a.proposals.length >= 5)
      .slice(0, 20)
      .map((account) => {
        const lastTs = Math.max(...account.proposals.map((p) => p.ts));
        const cheats = Array.from({ length: 4 }, (_, k) => ({
          test_id: `T-CHEAT-${k}`,
          started_at: lastTs - k * 86_400_000,
          duration_s: 120,
          score: 99,
          typical_duration_s: 1200,
        }));
        return {
          ...account,
          tests: [...account.tests, ...cheats].sort((a, b) => a.started_at - b.started_at),
          proposals: account.proposals.map((p) => ({ ...p, bid_amount: p.job_budget * 0.1 })),
        };
      });
    const records = [...loneFraud, ...cheating].map(accountEventsToRecord);
    const outside: LiveAssessment[] = [];
    for (let i = 0; i < records.length; i += 50) outside.push(...(await predict(app, records.slice(i, i + 50), false)));
    const { policy } = (await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version)).parts.config;
    const strong = outside.filter(
      (r) => r.ring_id === null && r.components.anomaly >= policy.anomaly_evidence_above && r.components.rules >= policy.rules_evidence_above,
    );
    expect(strong.length).toBeGreaterThanOrEqual(10);
    const lowestMember = Math.min(...ring.map((r) => r.risk_score));
    for (const r of strong) expect(r.risk_score).toBeLessThanOrEqual(lowestMember);
  });

  it('erases an account (admin only): its links leave the state, and its ring shrinks or dissolves', async () => {
    const ring = await newRing('erase', 3);
    const { app } = await buildTestApp(fixture);
    await predict(app, ring);
    expect((await request(app).delete('/v1/accounts/erase-1').set(auth)).status).toBe(403);
    expect((await request(app).delete('/v1/accounts/erase-1').set(admin)).status).toBe(204);
    expect(RingDetailSchema.parse((await request(app).get('/v1/accounts/erase-0/ring').set(auth)).body).members).toEqual(['erase-0', 'erase-2']);
    expect((await request(app).get('/v1/accounts/erase-1/ring').set(auth)).status).toBe(404);
    expect((await request(app).delete('/v1/accounts/erase-1').set(admin)).status).toBe(404);
    expect((await request(app).delete('/v1/accounts/erase-2').set(admin)).status).toBe(204);
    expect((await request(app).get('/v1/accounts/erase-0/ring').set(auth)).status).toBe(404);
  });

  it.each([
    ['lmdb', async () => path.join(await temporaryDir(), 'identity-store')],
    ['redis', redisUrl],
  ])('keeps the state across a restart on the %s store, and refuses a store of another secret', async (_backend, location) => {
    const store = await location();
    const ring = await coordinatedRing('restart', 3);
    const first = await buildTestApp(fixture, {}, { identityStore: store });
    const before = await predict(first.app, ring);
    await first.holder.current()?.close();
    const second = await buildTestApp(fixture, {}, { identityStore: store });
    const detail = RingDetailSchema.parse((await request(second.app).get('/v1/accounts/restart-0/ring').set(auth)).body);
    expect(detail.ring_id).toBe(before[0]?.ring_id);
    expect(detail.size).toBe(3);
    // rescoring with record:false after the restart gives the scores at arrival (the state has not changed since)
    expect(await predict(second.app, ring, false)).toEqual(before);
    await second.holder.current()?.close();
    const foreign = path.join(await temporaryDir(), 'foreign');
    await (await openIdentityStore(foreign, 'f'.repeat(64))).close();
    await expect(buildTestApp(fixture, {}, { identityStore: foreign })).rejects.toThrow(/refused: it was made with the secret of fingerprint f{64}/);
  });

  it('a retention window drops live accounts created longer ago (at load; then at most hourly on requests)', async () => {
    const store = path.join(await temporaryDir(), 'identity-store');
    const now = Date.now();
    const dated = async (prefix: string, createdAt: number) =>
      (await newRing(prefix, 2)).map((record) => ({ ...record, created_at: new Date(createdAt).toISOString() }));
    const old = await dated('old', now - 10 * 86_400_000);
    const fresh = await dated('fresh', now - 86_400_000);
    const keeping = await buildTestApp(fixture, {}, { identityStore: store });
    await predict(keeping.app, [...old, ...fresh]);
    expect((await request(keeping.app).get('/v1/accounts/old-0/ring').set(auth)).status).toBe(200);
    await keeping.holder.current()?.close();
    const retaining = await buildTestApp(fixture, { retention_days: 5 }, { identityStore: store });
    expect((await request(retaining.app).get('/v1/accounts/old-0/ring').set(auth)).status).toBe(404);
    expect(RingDetailSchema.parse((await request(retaining.app).get('/v1/accounts/fresh-0/ring').set(auth)).body).size).toBe(2);
    await retaining.holder.current()?.close();
    // the erasure is in the store: a service without the window does not see the old accounts again
    const after = await buildTestApp(fixture, {}, { identityStore: store });
    expect((await request(after.app).get('/v1/accounts/old-1/ring').set(auth)).status).toBe(404);
    await after.holder.current()?.close();
  });
});
