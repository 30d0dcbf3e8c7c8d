// The worlds: each preset's honest groups at their rates and with their shared identifiers, imitating rings,
// determinism. Generated once per preset (4,000 accounts) and read back through the data layer.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../data/dataset.js';
import { loadDataset } from '../../../data/load-dataset.js';
import { generateMarketplace } from '../../../data/synthetic/generate-marketplace.js';
import { FRAUD_KINDS, HONEST_GROUP_KINDS, NETWORK_VARIANTS, WORLD_PRESETS, type World } from '../../../data/synthetic/world-config.js';
import type { AccountEvents } from '../../../data/tables.js';
import { readTrueHonestGroups, type TrueHonestGroup } from '../../../data/true-honest-groups.js';
import { readTrueRings, type TrueRing } from '../../../data/true-rings.js';
import { digestOfFolder as digestOf } from '../../cli/run-cli-in-process.js';
import { useTemporaryDirs } from '../../temporary-dirs.js';

const tempDir = useTemporaryDirs('ringfence-worlds-');
const ACCOUNTS = 4000;
const DAY = 86_400_000;

interface Generated {
  world: World;
  dir: string;
  dataset: Dataset;
  byId: Map<string, AccountEvents>;
  rings: TrueRing[];
  groups: TrueHonestGroup[];
}

const cache = new Map<string, Promise<Generated>>();
function generated(name: string): Promise<Generated> {
  let entry = cache.get(name);
  if (!entry) {
    entry = (async () => {
      const world = WORLD_PRESETS[name] as World;
      const dir = path.join(await tempDir(), name);
      await generateMarketplace(dir, { accounts: ACCOUNTS, seed: 2001, world });
      const dataset = await loadDataset(dir);
      const ids = new Set(dataset.accounts.map((a) => a.account_id));
      return {
        world,
        dir,
        dataset,
        byId: new Map(dataset.accounts.map((a) => [a.account_id, a])),
        rings: (await readTrueRings(dir, ids)) ?? [],
        groups: (await readTrueHonestGroups(dir, ids)) ?? [],
      };
    })();
    cache.set(name, entry);
  }
  return entry;
}

const banksOf = (a: AccountEvents) => new Set(a.payouts.map((p) => p.bank_hash));
const ipsOf = (a: AccountEvents) => new Set(a.logins.map((l) => l.ip));
const devicesOf = (a: AccountEvents) => new Set(a.logins.map((l) => l.device_id));
/** The most accounts of `members` that hold one same value of `valuesOf`. */
function largestSharing(members: readonly AccountEvents[], valuesOf: (a: AccountEvents) => Set<string>): number {
  const counts = new Map<string, number>();
  for (const member of members) for (const value of valuesOf(member)) counts.set(value, (counts.get(value) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

describe('world presets', () => {
  it('each validates, and they disagree on honest-group rates and on the fraud mix', () => {
    const names = Object.keys(WORLD_PRESETS);
    expect(names).toEqual(expect.arrayContaining(['baseline', 'agency-heavy', 'household-heavy']));
    const agency = WORLD_PRESETS['agency-heavy'] as World;
    const household = WORLD_PRESETS['household-heavy'] as World;
    expect(agency.honest.agencies.account_share).toBeGreaterThan(2 * household.honest.agencies.account_share);
    expect(household.honest.households.account_share).toBeGreaterThan(2 * agency.honest.households.account_share);
    expect(agency.honest.agencies.size.max).toBeGreaterThan(household.honest.agencies.size.max);
    expect(agency.fraud.mix.agency_ring).toBeGreaterThan(agency.fraud.mix.household_ring);
    expect(household.fraud.mix.household_ring).toBeGreaterThan(household.fraud.mix.agency_ring);
    for (const world of Object.values(WORLD_PRESETS)) expect(Object.keys(world.rationale).length).toBeGreaterThan(2);
  });

  for (const name of ['baseline', 'agency-heavy', 'household-heavy']) {
    it(`${name}: honest groups and fraud kinds at their configured rates`, async () => {
      const { world, dataset, groups } = await generated(name);
      const labels = [...(dataset.labels?.values() ?? [])];
      const share = (kind: string) => labels.filter((l) => l.label === 0 && l.kind === kind).length / ACCOUNTS;
      const { agencies, households, reopened, shared_networks: networks } = world.honest;
      expect(share('agency')).toBeLessThanOrEqual(agencies.account_share);
      expect(share('agency')).toBeGreaterThanOrEqual(agencies.account_share - agencies.size.max / ACCOUNTS);
      expect(share('reopened')).toBeCloseTo((Math.floor((ACCOUNTS * reopened.account_share) / 2) * 2) / ACCOUNTS, 6);
      // households lose the slots' fraud members: a little under the configured share
      expect(share('household')).toBeGreaterThan(households.account_share * 0.6);
      expect(share('household')).toBeLessThan(households.account_share * 1.25 + 0.002);
      for (const variant of NETWORK_VARIANTS) {
        const used = groups.some((g) => g.kind === 'shared_network' && g.variant === variant);
        expect(used, variant).toBe(networks[variant].user_share > 0);
      }
      const fraud = labels.filter((l) => l.label === 1);
      for (const kind of FRAUD_KINDS) {
        const expected = Math.round(ACCOUNTS * world.fraud.rate) * world.fraud.mix[kind];
        // a ring kind may leave out the last few accounts that make no ring of the minimum size
        const slack =
          kind === 'ring' ? world.fraud.ring_size.min : kind === 'agency_ring' || kind === 'household_ring' ? world.fraud[kind].size.min : 1;
        expect(fraud.filter((l) => l.kind === kind).length, kind).toBeGreaterThanOrEqual(Math.floor(expected) - slack);
        expect(fraud.filter((l) => l.kind === kind).length, kind).toBeLessThanOrEqual(Math.ceil(expected));
      }
      // label 0 carries an honest group kind or nothing; label 1 a fraud kind
      for (const l of labels) expect(l.label === 1 ? FRAUD_KINDS : ['', ...HONEST_GROUP_KINDS]).toContain(l.kind ?? '');
    });
  }
});

describe('honest groups share identifiers as real ones do', () => {
  it('agencies: one office IP for all, one country, mostly one agency bank (10+ accounts in big agencies), created over months', async () => {
    const { groups, byId, world } = await generated('agency-heavy');
    const agencies = groups.filter((g) => g.kind === 'agency');
    expect(agencies.length).toBeGreaterThan(20);
    let bigWithSharedBank = 0;
    for (const agency of agencies) {
      const members = agency.members.map((id) => byId.get(id) as AccountEvents);
      expect(largestSharing(members, ipsOf), agency.group_id).toBe(members.length);
      expect(new Set(members.map((m) => m.country)).size).toBe(1);
      if (members.length >= 20 && largestSharing(members, banksOf) >= 10) bigWithSharedBank++;
      const created = members.map((m) => m.created_at).sort((a, b) => a - b);
      if (agency.variant === 'established' && members.length >= 5)
        expect((created.at(-1) as number) - (created[0] as number)).toBeGreaterThan(30 * DAY);
    }
    const sharedBankMembers = agencies.reduce(
      (n, a) =>
        n +
        largestSharing(
          a.members.map((id) => byId.get(id) as AccountEvents),
          banksOf,
        ),
      0,
    );
    const members = agencies.reduce((n, a) => n + a.members.length, 0);
    expect(sharedBankMembers / members).toBeGreaterThan(world.honest.agencies.agency_bank_share - 0.15);
    expect(bigWithSharedBank).toBeGreaterThan(0);
  });

  it('a new agency opens several accounts on one day', async () => {
    const { groups, byId } = await generated('agency-heavy');
    const fresh = groups.filter((g) => g.kind === 'agency' && g.variant === 'new');
    expect(fresh.length).toBeGreaterThan(0);
    for (const agency of fresh) {
      const created = agency.members.map((id) => (byId.get(id) as AccountEvents).created_at).sort((a, b) => a - b);
      expect(created.filter((t) => t - (created[0] as number) < DAY).length, agency.group_id).toBeGreaterThanOrEqual(2);
    }
  });

  it('households: every member logs in from the home IP; some share a laptop or a joint bank', async () => {
    const { groups, byId } = await generated('household-heavy');
    const households = groups.filter((g) => g.kind === 'household');
    expect(households.length).toBeGreaterThan(50);
    let laptops = 0;
    let jointBanks = 0;
    for (const household of households) {
      const members = household.members.map((id) => byId.get(id) as AccountEvents);
      expect(members.length).toBeGreaterThanOrEqual(2);
      expect(largestSharing(members, ipsOf), household.group_id).toBe(members.length);
      expect(new Set(members.map((m) => m.country)).size).toBe(1);
      if (largestSharing(members, devicesOf) >= 2) laptops++;
      if (largestSharing(members, banksOf) >= 2) jointBanks++;
    }
    expect(laptops).toBeGreaterThan(households.length * 0.2);
    expect(jointBanks).toBeGreaterThan(households.length * 0.1);
  });

  it('re-opened accounts: the new account opens after the old one stops, on the same device and bank', async () => {
    const { groups, byId } = await generated('household-heavy');
    const pairs = groups.filter((g) => g.kind === 'reopened');
    expect(pairs.length).toBe(40);
    for (const pair of pairs) {
      const [lost, reopened] = pair.members.map((id) => byId.get(id) as AccountEvents).sort((a, b) => a.created_at - b.created_at) as [
        AccountEvents,
        AccountEvents,
      ];
      const lastUse = Math.max(...lost.logins.map((l) => l.ts));
      expect(reopened.created_at).toBeGreaterThan(lastUse);
      expect([...devicesOf(lost)].some((d) => devicesOf(reopened).has(d))).toBe(true);
      expect([...banksOf(lost)].some((b) => banksOf(reopened).has(b))).toBe(true);
    }
  });
});

describe('shared networks', () => {
  it('a carrier IP is seen by about users_per_ip users when each user moves among a few IPs', async () => {
    const { groups, world } = await generated('agency-heavy');
    const carrier = groups.filter((g) => g.kind === 'shared_network' && g.variant === 'mobile_nat');
    const mean = carrier.reduce((n, g) => n + g.members.length, 0) / carrier.length;
    const configured = world.honest.shared_networks.mobile_nat.users_per_ip;
    expect(mean).toBeGreaterThan(configured * 0.5);
    expect(mean).toBeLessThan(configured * 1.5);
  });
});

describe('fraud rings that imitate honest groups', () => {
  for (const [world, kind] of [
    ['agency-heavy', 'agency_ring'],
    ['household-heavy', 'household_ring'],
  ] as const) {
    it(`${kind}: a bank of its own per member, devices passed round, creation spread over days, one IP like an office or home`, async () => {
      const { rings, byId, dataset, world: config } = await generated(world);
      const imitating = rings.filter((r) => dataset.labels?.get(r.members[0] as string)?.kind === kind);
      expect(imitating.length).toBeGreaterThan(3);
      for (const ring of imitating) {
        const members = ring.members.map((id) => byId.get(id) as AccountEvents);
        expect(largestSharing(members, banksOf), ring.ring_id).toBe(1);
        expect(largestSharing(members, ipsOf)).toBeGreaterThanOrEqual(Math.min(2, members.length));
        expect(largestSharing(members, devicesOf)).toBeGreaterThanOrEqual(2);
        const created = members.map((m) => m.created_at).sort((a, b) => a - b);
        expect((created.at(-1) as number) - (created[0] as number)).toBeGreaterThanOrEqual(config.fraud[kind].creation_spread_days.min * 0.85 * DAY);
      }
    });
  }
});

describe('determinism', () => {
  it('the same arguments and world give the same bytes; another seed does not', async () => {
    const dir = await tempDir();
    const world = WORLD_PRESETS['agency-heavy'] as World;
    for (const [name, seed] of [
      ['a', 2002],
      ['b', 2002],
      ['c', 2003],
    ] as const)
      await generateMarketplace(path.join(dir, name), { accounts: 1500, seed, world });
    expect(await digestOf(path.join(dir, 'a'))).toBe(await digestOf(path.join(dir, 'b')));
    expect(await digestOf(path.join(dir, 'a'))).not.toBe(await digestOf(path.join(dir, 'c')));
  });
});
