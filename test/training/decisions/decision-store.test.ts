// The decision store on both backends: decisions recorded once (by content), replayed by every process sharing the
// store, refused when made with another secret; and what the decisions mean for scoring (later ones win).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../data/decisions.js';
import { StoreRefusedError } from '../../../stores/key-value-store.js';
import {
  decisionStoreLocation,
  DecisionState,
  openDecisionStore,
  readAllDecisions,
  recordDecisions,
} from '../../../training/decisions/decision-store.js';
import { decisionView } from '../../../training/decisions/decision-view.js';
import { openIdentityStore } from '../../../training/identity/identity-store.js';
import { useTestRedis } from '../../stores/redis-test-server.js';
import { useTemporaryDirs } from '../../temporary-dirs.js';

const temporaryDir = useTemporaryDirs('ringfence-decisions-');
const redisUrl = useTestRedis();
const backends: [string, () => Promise<string>][] = [
  ['lmdb', async () => path.join(await temporaryDir(), 'decision-store')],
  ['redis', redisUrl],
];

const who = { reviewer: 'ana', note: 'same payout bank as a known ring' };
const fraud = (account_id: string, decided_at = '2026-03-01T10:00:00Z'): Decision => ({
  type: 'account',
  account_id,
  label: 'fraud',
  kind: 'ring',
  decided_at,
  ...who,
});
const honest = (account_id: string, decided_at: string): Decision => ({ type: 'account', account_id, label: 'honest', decided_at, ...who });
const agency: Decision = {
  type: 'group',
  group_id: 'ring-7',
  verdict: 'benign',
  kind: 'agency',
  account_ids: ['g1', 'g2', 'g3'],
  decided_at: '2026-03-02T09:00:00Z',
  ...who,
};
const allow: Decision = { type: 'list', list: 'allow', entry_kind: 'account', value: 'vip', decided_at: '2026-03-02T09:00:00Z', ...who };
const blockIp: Decision = {
  type: 'list',
  list: 'block',
  entry_kind: 'ip',
  value: 'ab'.repeat(12),
  decided_at: '2026-03-02T09:00:00Z',
  ...who,
};

describe.each(backends)('%s decision store', (backend, newLocation) => {
  it('records each decision once, with who, when and what brought it in; every process sharing the store replays it', async () => {
    const location = await newLocation();
    const writer = new DecisionState(await openDecisionStore(location, 'fp-1'));
    const reader = new DecisionState(await openDecisionStore(location, 'fp-1'));
    const first = await writer.record([fraud('a1'), agency, fraud('a1')], 'api key ana', new Date('2026-03-03T00:00:00Z'));
    expect(first.added.map((d) => d.decision)).toEqual([fraud('a1'), agency]);
    expect(first.added[0]).toMatchObject({ recorded_by: 'api key ana', recorded_at: '2026-03-03T00:00:00.000Z' });
    const again = await recordDecisions(reader.store!, [agency, allow], 'import decisions.csv');
    expect(again.added.map((d) => d.decision)).toEqual([allow]);
    expect(again.known).toBe(1);

    expect(reader.decisions()).toEqual([]);
    await reader.catchUp();
    await writer.catchUp();
    for (const state of [reader, writer]) {
      expect(state.decisions().map((d) => d.decision)).toEqual([fraud('a1'), agency, allow]);
      expect(state.ofAccount('g2').map((d) => d.decision)).toEqual([agency]);
      expect(state.current().confirmedFraud.has('a1')).toBe(true);
    }
    await Promise.all([writer.close(), reader.close()]);
    const reopened = await openDecisionStore(location, 'fp-1');
    expect((await readAllDecisions(reopened)).length).toBe(3);
    await reopened.close();
  });

  it('refuses a store made with another secret; beside an identity store, a directory refuses and Redis keeps its own namespace', async () => {
    const location = await newLocation();
    await (await openDecisionStore(location, 'fp-1')).close();
    await expect(openDecisionStore(location, 'fp-2')).rejects.toThrow(StoreRefusedError);
    const identityLocation = await newLocation();
    const identity = await openIdentityStore(identityLocation, 'fp-1');
    await identity.write([{ op: 'append', log: 'decisions', value: 'not a decision' }]);
    await identity.close();
    if (backend === 'lmdb') {
      await expect(openDecisionStore(identityLocation, 'fp-1')).rejects.toThrow(/identity-store, not a decision-store/);
      return;
    }
    const beside = await openDecisionStore(identityLocation, 'fp-1');
    expect(await readAllDecisions(beside)).toEqual([]);
    await beside.close();
  });

  it('names the entry of a log that does not hold decisions', async () => {
    const store = await openDecisionStore(await newLocation(), 'fp-1');
    await store.write([{ op: 'append', log: 'decisions', value: '{"id":"x"}' }]);
    await expect(readAllDecisions(store)).rejects.toThrow(/log entry \S+ is not a stored decision/);
    await store.close();
  });
});

describe('decisionView', () => {
  const stored = (decisions: Decision[]) =>
    decisions.map((decision, i) => ({ id: String(i).padStart(24, '0'), recorded_at: '', recorded_by: 't', decision }));

  it('lets the latest decision about an account or a list entry win, whatever order they were recorded in', () => {
    const view = decisionView(
      stored([honest('a1', '2026-03-05T00:00:00Z'), fraud('a1', '2026-03-01T00:00:00Z'), fraud('a2'), agency, allow, blockIp]),
    );
    expect([...view.confirmedFraud.keys()]).toEqual(['a2']);
    expect([...view.benign.keys()].sort()).toEqual(['g1', 'g2', 'g3']);
    expect([...view.allowedAccounts.keys()]).toEqual(['vip']);
    expect([...view.blockedIdentifiers.keys()]).toEqual([`ip:${'ab'.repeat(12)}`]);
    const unblocked = decisionView(stored([blockIp, { ...blockIp, list: 'allow', decided_at: '2026-03-09T00:00:00Z' }]));
    expect(unblocked.blockedIdentifiers.size).toBe(0);
    expect(decisionView([]).empty).toBe(true);
    expect(view.empty).toBe(false);
  });
});

describe('decisionStoreLocation', () => {
  it('puts the decision store beside the identity store unless told otherwise', () => {
    expect(decisionStoreLocation(undefined, '/m/default/identity-store', {})).toBe(path.join('/m/default', 'decision-store'));
    expect(decisionStoreLocation(undefined, 'redis://h:6379/0', {})).toBe('redis://h:6379/0');
    expect(decisionStoreLocation(undefined, '/m/x/identity-store', { RINGFENCE_DECISION_STORE: '/d' })).toBe('/d');
    expect(decisionStoreLocation('/o', '/m/x/identity-store', { RINGFENCE_DECISION_STORE: '/d' })).toBe('/o');
  });
});
