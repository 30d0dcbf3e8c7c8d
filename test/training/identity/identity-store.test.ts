// The live identity state's change record (what GET /v1/rings?changed_since reads): the groups that gained or lost a
// member since a time, and a record bounded by the accounts of the state however many changes it has seen.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIdentityIndexOfIdentities } from '../../../training/identity/identity-graph.js';
import { hashIdentifier, IdentityConfigSchema } from '../../../training/identity/identity-index.js';
import { LiveIdentityState, openIdentityStore } from '../../../training/identity/identity-store.js';
import type { LiveAccount } from '../../../training/identity/live-account.js';
import { logReadCountingView } from '../../stores/log-read-counting-view.js';
import { useTemporaryDirs } from '../../temporary-dirs.js';

const KEY = 'test-key';
const temporaryDir = useTemporaryDirs('ringfence-identity-store-');

const account = (id: string, bank: string, at: number): LiveAccount => ({
  account_id: id,
  identifiers: { bank: [hashIdentifier(KEY, 'bank', bank)], device: [], ip: [] },
  created_at: 0,
  recorded_at: at,
  template_signature: null,
});

const changed = (state: LiveIdentityState, since: number) =>
  state.groupsChangedSince(since).map(({ group, changed_at }) => ({ members: [...group.ring.members].sort(), changed_at }));

describe('live identity state: changes', () => {
  it('lists the groups changed since a time, and keeps one entry per account however often it changes', async () => {
    const state = new LiveIdentityState(buildIdentityIndexOfIdentities([], { config: IdentityConfigSchema.parse({}), hashKey: KEY }), null);
    await state.record([account('a1', 'A', 1000), account('a2', 'A', 2000)]);
    await state.record([account('b1', 'B', 3000), account('b2', 'B', 4000), account('b3', 'B', 4500)]);
    expect(changed(state, 0)).toEqual([
      { members: ['b1', 'b2', 'b3'], changed_at: 4500 },
      { members: ['a1', 'a2'], changed_at: 2000 },
    ]);
    expect(changed(state, 2500)).toEqual([{ members: ['b1', 'b2', 'b3'], changed_at: 4500 }]);

    // a thousand resubmissions of one account: the record holds one entry per account still
    for (let i = 0; i < 1000; i++) await state.record([account('a1', 'A', 5000 + i)]);
    expect(state.changeRecordSize).toBe(5);
    expect(changed(state, 5000)).toEqual([{ members: ['a1', 'a2'], changed_at: 5999 }]);

    // an erasure: the erased account leaves the record, the members left behind are marked changed
    expect(await state.forget('b3', 7000)).toBe(true);
    expect(state.changeRecordSize).toBe(4);
    expect(changed(state, 6500)).toEqual([{ members: ['b1', 'b2'], changed_at: 7000 }]);
    // a group dissolved by an erasure is no group any more: nothing to list
    expect(await state.forget('b2', 8000)).toBe(true);
    expect(changed(state, 7500)).toEqual([]);
    expect(changed(state, 0).map((c) => c.members)).toEqual([['a1', 'a2']]);
  });
});

describe('live identity state: ids', () => {
  it('keeps a group id when its founding account is recorded again (a resubmission keeps its place in arrival order)', async () => {
    const state = new LiveIdentityState(buildIdentityIndexOfIdentities([], { config: IdentityConfigSchema.parse({}), hashKey: KEY }), null);
    await state.record([account('f1', 'F', 1000)]);
    await state.record([account('f2', 'F', 2000), account('f3', 'F', 3000)]);
    const id = state.graph.groupOfAccountNow('f3')?.ring.ring_id;
    expect(id).toBeDefined();
    await state.record([{ ...account('f1', 'F', 4000), created_at: 5 }]);
    expect(state.graph.groupOfAccountNow('f3')?.ring.ring_id).toBe(id);
    // erased and recorded anew, it arrives last: the group is named by the earliest of the others now
    await state.forget('f1', 5000);
    await state.record([account('f1', 'F', 6000)]);
    const renamed = state.graph.groupOfAccountNow('f1')?.ring.ring_id;
    expect(renamed).not.toBe(id);
    expect(state.graph.groupOfAccountNow('f2')?.ring.ring_id).toBe(renamed);
  });
});

describe('live identity state: replaying its own entries', () => {
  const snapshot = (state: LiveIdentityState) => ({
    recorded: [...state.graph.recordedEntries()],
    groups: [...state.graph.liveGroups()],
    changed: state.groupsChangedSince(0),
    size: state.changeRecordSize,
  });

  it('reaches the state of reading every entry back, with another process writing between its own entries', async () => {
    const base = buildIdentityIndexOfIdentities([], { config: IdentityConfigSchema.parse({ hub_cap: { bank: 3 } }), hashKey: KEY });
    const setups = await Promise.all(
      [true, false].map(async (listsIds) => {
        const store = await openIdentityStore(path.join(await temporaryDir(), 'store'), 'fp');
        const mine = logReadCountingView(store, listsIds);
        // another process: its own state on the same store, its entries foreign to the first
        return { state: new LiveIdentityState(base, mine.view), other: new LiveIdentityState(base, store), reads: mine.reads, store };
      }),
    );
    const [fast, plain] = setups as [(typeof setups)[number], (typeof setups)[number]];
    let at = 1000;
    const batch = (ids: string[], bank: string) => ids.map((id) => account(id, bank, at++));
    const steps: ((setup: typeof fast) => Promise<unknown>)[] = [
      (s) => s.state.record(batch(['a1', 'a2'], 'A')),
      (s) => s.state.record(batch(['a1'], 'A')),
      // concurrent requests, one account in several of them
      (s) => Promise.all([s.state.record(batch(['b1', 'a1'], 'B')), s.state.record(batch(['b2'], 'B')), s.state.record(batch(['a1'], 'A'))]),
      (s) => s.other.record(batch(['c1', 'c2'], 'C')),
      (s) => s.state.record(batch(['c3', 'a2'], 'C')),
      (s) => Promise.all([s.other.record(batch(['a1'], 'C')), s.state.record(batch(['a1', 'd1'], 'A'))]),
      // a fourth user of bank A: a hub at the cap of 3
      (s) => s.state.record(batch(['a3', 'a4'], 'A')),
      (s) => s.state.record(batch(['a4'], 'A')),
      (s) => s.state.forget('a3', at++),
      (s) => s.state.record(batch(['a4', 'a4'], 'A')),
      (s) => s.other.forget('c1', at++),
      (s) => s.state.record(batch(['c2'], 'C')),
    ];
    for (const step of steps) {
      const start = at;
      await step(fast);
      at = start;
      await step(plain);
      await fast.state.catchUp();
      await plain.state.catchUp();
      expect(snapshot(fast.state)).toEqual(snapshot(plain.state));
    }
    // and what a process replaying the whole store from the start reaches
    const fresh = new LiveIdentityState(base, fast.store);
    await Promise.all([fresh.catchUp(), fast.other.catchUp()]);
    expect(snapshot(fresh)).toEqual(snapshot(fast.state));
    expect(snapshot(fast.other)).toEqual(snapshot(fast.state));
    // its own entries alone were not read back
    expect(fast.reads.count).toBeLessThan(plain.reads.count - 5);
    await fast.store.close();
    await plain.store.close();
  });
});
