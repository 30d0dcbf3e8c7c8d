// The live identity state against the batch graph: whatever the order accounts arrive and leave in, its groups are
// the connected components training would find over the same accounts, with hub caps applied to the final counts.
import { describe, expect, it } from 'vitest';
import { buildIdentityIndexOfIdentities } from '../../../training/identity/identity-graph.js';
import { type AccountIdentity, hashIdentifier, IdentityConfigSchema, type IdentityIndex } from '../../../training/identity/identity-index.js';
import type { LiveAccount } from '../../../training/identity/live-account.js';
import { LiveIdentityGraph } from '../../../training/identity/live-identity-graph.js';
import { memberProfile } from '../../../training/identity/member-profile.js';

const KEY = 'test-key';
const config = IdentityConfigSchema.parse({ hub_cap: { bank: 4, device: 3, ip: 3 }, min_shared_ips: 2 });

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomAccounts(count: number, seed: number, prefix = 'a'): LiveAccount[] {
  const random = seeded(seed);
  const pick = (kind: 'bank' | 'device' | 'ip', pool: number, n: number) => [
    ...new Set(Array.from({ length: n }, () => hashIdentifier(KEY, kind, `${kind}${Math.floor(random() * pool)}`))),
  ];
  return Array.from({ length: count }, (_, i) => ({
    account_id: `${prefix}${i}`,
    identifiers: { bank: random() < 0.3 ? pick('bank', count, 1) : [], device: pick('device', count * 1.5, 1), ip: pick('ip', count / 2, 3) },
    created_at: i,
    recorded_at: i,
    template_signature: null,
  }));
}

const identityOf = (a: LiveAccount): AccountIdentity => ({
  account_id: a.account_id,
  identifiers: a.identifiers,
  typicalProposalText: null,
  profile: memberProfile(
    { account_id: a.account_id, created_at: a.created_at, country: 'DE', has_2fa: false, logins: [], proposals: [], tests: [], payouts: [] },
    null,
  ),
});
const emptyIndex = (): IdentityIndex => buildIdentityIndexOfIdentities([], { config, hashKey: KEY });

/** groups as sorted member lists, sorted */
function batchGroups(accounts: readonly LiveAccount[]): string[][] {
  const index = buildIdentityIndexOfIdentities(accounts.map(identityOf), { config, hashKey: KEY });
  // candidate groups, rings or not: the live graph keeps the same groups whatever their verdict
  return [...index.rings.values(), ...index.groups.values()].map((r) => [...r.members].sort()).sort((a, b) => a.join().localeCompare(b.join()));
}

function liveGroups(graph: LiveIdentityGraph): string[][] {
  return [...graph.liveGroups()].map((g) => [...g.ring.members].sort()).sort((a, b) => a.join().localeCompare(b.join()));
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seeded(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe('live identity graph', () => {
  it('has the batch components after every arrival, in any order, hub caps crossed on the way included', () => {
    const accounts = randomAccounts(120, 7);
    let hubsCrossed = 0;
    for (const seed of [1, 2, 3]) {
      const graph = new LiveIdentityGraph(emptyIndex());
      const order = shuffled(accounts, seed);
      order.forEach((account, i) => {
        graph.add(account);
        if (i % 17 === 0 || i === order.length - 1) expect(liveGroups(graph)).toEqual(batchGroups(order.slice(0, i + 1)));
      });
      const final = buildIdentityIndexOfIdentities(accounts.map(identityOf), { config, hashKey: KEY });
      hubsCrossed = final.identifiers.hubCount;
    }
    expect(hubsCrossed).toBeGreaterThan(0);
  });

  it('splits groups when accounts leave, and comes back to the same state (ids included) after adding and removing', () => {
    const accounts = randomAccounts(100, 11);
    const graph = new LiveIdentityGraph(emptyIndex());
    for (const account of accounts) graph.add(account);
    const before = [...graph.liveGroups()].map((g) => g.ring).sort((a, b) => a.ring_id.localeCompare(b.ring_id));
    const leaving = shuffled(accounts, 5).slice(0, 30);
    for (const account of leaving) graph.remove(account.account_id);
    const staying = accounts.filter((a) => !leaving.includes(a));
    expect(liveGroups(graph)).toEqual(batchGroups(staying));
    for (const account of leaving) graph.add(account, accounts.indexOf(account) + 1);
    const after = [...graph.liveGroups()].map((g) => g.ring).sort((a, b) => a.ring_id.localeCompare(b.ring_id));
    expect(after).toEqual(before);
  });

  it('keeps a ring id as the ring grows, keeps the older id on a merge and resolves the absorbed id to the merged ring', () => {
    const bank = (n: number) => hashIdentifier(KEY, 'bank', `b${n}`);
    const account = (id: string, banks: string[], seq: number): LiveAccount => ({
      account_id: id,
      identifiers: { bank: banks, device: [], ip: [] },
      created_at: seq,
      recorded_at: seq,
      template_signature: null,
    });
    const graph = new LiveIdentityGraph(emptyIndex());
    graph.add(account('x1', [bank(1)], 1));
    expect(graph.groupOfAccountNow('x1')).toBeNull();
    graph.add(account('x2', [bank(1)], 2));
    const first = graph.groupOfAccountNow('x1')?.ring.ring_id as string;
    graph.add(account('x3', [bank(1)], 3));
    expect(graph.groupOfAccountNow('x3')?.ring.ring_id).toBe(first);
    graph.add(account('y1', [bank(2)], 4));
    graph.add(account('y2', [bank(2)], 5));
    const second = graph.groupOfAccountNow('y1')?.ring.ring_id as string;
    expect(second).not.toBe(first);
    graph.add(account('bridge', [bank(1), bank(2)], 6));
    const merged = graph.groupOfAccountNow('y2');
    expect(merged?.ring.ring_id).toBe(first);
    expect(merged?.size).toBe(6);
    expect(graph.groupById(second)?.ring.ring_id).toBe(first);
    // one more user of bank 1 puts it over its cap of 4: the links through it are undone
    graph.add(account('x4', [bank(1)], 7));
    graph.add(account('x5', [bank(1)], 8));
    expect(graph.groupOfAccountNow('x1')).toBeNull();
    expect(graph.groupOfAccountNow('bridge')?.ring.members).toEqual(['bridge', 'y1', 'y2']);
  });

  it('joins recorded accounts to training rings as the batch graph over both would, counting a training account once', () => {
    const wide = IdentityConfigSchema.parse({ hub_cap: { bank: 50, device: 50, ip: 50 }, min_shared_ips: 2 });
    const training = randomAccounts(60, 21, 't');
    // the same identifiers under new names: each recorded account is a twin of a training account
    const recorded = randomAccounts(60, 21, 'n').slice(0, 15);
    const base = buildIdentityIndexOfIdentities(training.map(identityOf), { config: wide, hashKey: KEY });
    const both = buildIdentityIndexOfIdentities([...training, ...recorded].map(identityOf), { config: wide, hashKey: KEY });
    const graph = new LiveIdentityGraph(base);
    for (const account of recorded) graph.add(account);
    const index = graph.asIdentityIndex();
    let joined = 0;
    for (const account of recorded) {
      // candidate groups, rings or not
      const groupId = both.groupOfAccount.get(account.account_id) ?? '';
      const expected = (both.rings.get(groupId) ?? both.groups.get(groupId))?.members ?? null;
      const group = graph.groupOfAccountNow(account.account_id);
      expect(group ? [...group.ring.members].sort() : null).toEqual(expected ? [...expected].sort() : null);
      if (group?.ring.members.some((m) => m.startsWith('t'))) joined++;
      if (group) expect(index.groupOfAccount.get(account.account_id)).toBe(group.ring.ring_id);
    }
    expect(joined).toBeGreaterThan(5);
    // re-recording a training account does not count its identifiers twice
    const again = training[0] as LiveAccount;
    const hash = again.identifiers.device[0] as string;
    const before = graph.identifierRecord('device', hash)?.account_count;
    graph.add(again);
    expect(graph.identifierRecord('device', hash)?.account_count).toBe(before);
  });

  it('scores as if added and keeps nothing (withAccounts)', () => {
    const accounts = randomAccounts(80, 31);
    const graph = new LiveIdentityGraph(emptyIndex());
    for (const account of accounts.slice(0, 60)) graph.add(account);
    const before = JSON.stringify([...graph.liveGroups()].map((g) => g.ring).sort((a, b) => a.ring_id.localeCompare(b.ring_id)));
    const during = graph.withAccounts(accounts.slice(55), () => liveGroups(graph));
    expect(during).toEqual(batchGroups(accounts));
    expect(JSON.stringify([...graph.liveGroups()].map((g) => g.ring).sort((a, b) => a.ring_id.localeCompare(b.ring_id)))).toBe(before);
    expect(graph.recordedAccounts).toBe(60);
  });

  it('scores a recorded account given again with the same content (as stored: in any field order, recorded at any time) on its record', () => {
    const graph = new LiveIdentityGraph(emptyIndex());
    const [first, second] = randomAccounts(2, 61) as [LiveAccount, LiveAccount];
    const recorded: LiveAccount = { ...first, anomaly: 12 };
    graph.add(recorded);
    graph.add(second);
    const { account_id, identifiers, ...rest } = recorded;
    // another field order and another recording time: the same record as stored
    const reordered: LiveAccount = { ...rest, recorded_at: 99, identifiers, account_id };
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify({ ...recorded, recorded_at: 99 }));
    expect(graph.withAccounts([reordered], () => graph.recorded(account_id))).toBe(recorded);
    // a field left undefined is no field in JSON
    const withUndefined: LiveAccount = { ...recorded, profile: undefined, recorded_at: 5 };
    expect(graph.withAccounts([withUndefined], () => graph.recorded(account_id))).toBe(recorded);
    // other content: scored as given, and the record put back after
    const other: LiveAccount = { ...recorded, anomaly: 13 };
    expect(graph.withAccounts([other], () => graph.recorded(account_id))).toBe(other);
    expect(graph.recorded(account_id)).toBe(recorded);
  });

  it('replays recorded accounts onto a version whose training index holds them without counting any twice, hubs included', () => {
    // a low cap makes hubs of some shared identifiers: their records list no users
    const training = randomAccounts(60, 41, 't');
    const base = buildIdentityIndexOfIdentities(training.map(identityOf), { config, hashKey: KEY });
    expect(base.identifiers.hubCount).toBeGreaterThan(0);
    const graph = new LiveIdentityGraph(base);
    // recorded under the previous version, now all in the new version's training data
    for (const account of training) graph.add(account);
    for (const record of base.identifiers.records()) expect(graph.identifierRecord(record.kind, record.hash)).toEqual(record);
    for (const account of training) {
      const groupId = base.groupOfAccount.get(account.account_id);
      const expected = groupId ? (base.rings.get(groupId) ?? base.groups.get(groupId))?.members : undefined;
      expect(graph.groupOfAccountNow(account.account_id)?.ring.members ?? null).toEqual(expected ? [...expected].sort() : null);
    }
  });

  it("judges a group with its recorded members' anomaly scores: unusual members raise the ring score", () => {
    const members = (prefix: string, anomaly: number): LiveAccount[] =>
      [0, 1, 2].map((i) => {
        const account: LiveAccount = {
          account_id: `${prefix}${i}`,
          identifiers: { bank: [hashIdentifier(KEY, 'bank', `${prefix}-bank`)], device: [], ip: [] },
          created_at: i * 86_400_000 * 90,
          recorded_at: 0,
          template_signature: null,
          anomaly,
        };
        return { ...account, profile: identityOf(account).profile };
      });
    const graph = new LiveIdentityGraph(emptyIndex());
    for (const account of [...members('u', 90), ...members('q', 10)]) graph.add(account);
    const unusual = graph.groupOfAccountNow('u0')?.ring;
    const usual = graph.groupOfAccountNow('q0')?.ring;
    expect(unusual?.evidence.find((e) => e.code === 'unusual-members')?.strength).toBe(1);
    expect(usual?.evidence.find((e) => e.code === 'unusual-members')).toBeUndefined();
    expect(unusual?.ring_score).toBeGreaterThan(usual?.ring_score as number);
    // pure: the same members in another order give the same verdict
    const again = new LiveIdentityGraph(emptyIndex());
    for (const account of [...members('u', 90)].reverse()) again.add(account);
    expect(again.groupOfAccountNow('u0')?.ring.ring_score).toBe(unusual?.ring_score);
  });

  it('re-records an account as remove then add would: every view the same, in the same order, hubs at their caps included', () => {
    // training accounts (blocks, identifiers counted in the index), recorded twins of some, and recorded newcomers
    const training = randomAccounts(40, 51, 't');
    const base = buildIdentityIndexOfIdentities(training.map(identityOf), { config, hashKey: KEY });
    const world = [...randomAccounts(40, 51, 'n').slice(0, 10), ...randomAccounts(90, 52), ...training.slice(0, 10)];
    const fast = new LiveIdentityGraph(base);
    const plain = new LiveIdentityGraph(base);
    const seqOf = new Map<string, number>();
    const random = seeded(53);
    const hashes = new Set<string>();
    for (const account of [...world, ...training])
      for (const kind of ['bank', 'device', 'ip'] as const) for (const hash of account.identifiers[kind]) hashes.add(`${kind}:${hash}`);
    const snapshot = (graph: LiveIdentityGraph) => {
      const index = graph.asIdentityIndex();
      return {
        recorded: [...graph.recordedEntries()],
        identifiers: [...hashes].map((key) => {
          const [kind, hash] = key.split(':') as ['bank' | 'device' | 'ip', string];
          return [graph.identifierRecord(kind, hash), graph.isHub(kind, hash)];
        }),
        groups: [...world, ...training].map((a) => graph.groupOfAccountNow(a.account_id)),
        live: [...graph.liveGroups()],
        byId: [...graph.liveGroups()].map((g) => graph.groupById(g.ring.ring_id)),
        rings: [...index.rings.entries()],
        candidates: [...index.groups.entries()],
        ofAccount: [...index.groupOfAccount.entries()],
      };
    };
    const recordBoth = (account: LiveAccount) => {
      const seq = seqOf.get(account.account_id);
      if (seq === undefined) {
        seqOf.set(account.account_id, seqOf.size + 1);
        fast.add(account, seqOf.size);
        plain.add(account, seqOf.size);
        return;
      }
      // the plain definition: out, then in again at its place
      fast.add(account, 1);
      plain.remove(account.account_id);
      plain.add(account, seq);
    };
    let aloneSame = 0;
    let atCap = 0;
    let moved = 0;
    for (let step = 0; step < 400; step++) {
      const account = world[Math.floor(random() * world.length)] as LiveAccount;
      const earlier = [...fast.recordedEntries()].find((a) => a.account_id === account.account_id);
      const roll = random();
      if (earlier && roll < 0.1) {
        fast.remove(account.account_id);
        plain.remove(account.account_id);
        seqOf.delete(account.account_id);
      } else if (earlier && roll < 0.75) {
        // the same identifiers, other content
        if (fast.groupOfAccountNow(account.account_id) === null) aloneSame++;
        const kinds = ['bank', 'device', 'ip'] as const;
        if (
          kinds.some((kind) =>
            earlier.identifiers[kind].some((hash) => fast.identifierRecord(kind, hash)?.account_count === config.hub_cap[kind] + 1),
          )
        )
          atCap++;
        recordBoth({
          ...earlier,
          recorded_at: 1000 + step,
          created_at: earlier.created_at + (roll < 0.4 ? 1 : 0),
          anomaly: roll < 0.5 ? step % 100 : null,
        });
      } else if (earlier && roll < 0.85) {
        // other identifiers, or the same ones in another order
        moved++;
        const other = world[Math.floor(random() * world.length)] as LiveAccount;
        const identifiers = roll < 0.8 ? other.identifiers : { ...earlier.identifiers, ip: [...earlier.identifiers.ip].reverse() };
        recordBoth({ ...earlier, identifiers, recorded_at: 1000 + step });
      } else recordBoth({ ...account, recorded_at: 1000 + step });
      if (step % 25 === 0 || step === 399) expect(snapshot(fast)).toEqual(snapshot(plain));
    }
    expect(aloneSame).toBeGreaterThan(20);
    expect(atCap).toBeGreaterThan(5);
    expect(moved).toBeGreaterThan(10);
    // new accounts arrive the same way afterwards (seq, orders of users)
    for (const account of randomAccounts(20, 54, 'z')) recordBoth(account);
    expect(snapshot(fast)).toEqual(snapshot(plain));
  });
});
