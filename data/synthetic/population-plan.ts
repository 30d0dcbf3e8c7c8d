// Who is who, decided once for the whole population before any account is written: each account's fraud kind and
// difficulty, and its place in a planned group (a fraud ring, an agency, a re-opened pair). A few bytes per account;
// households and shared networks need no plan (see honest-groups.ts).
import type { SeededRandom } from '../seeded-random.js';
import { FRAUD_KINDS, type FraudKind, type World } from './world-config.js';

/** Groups planned ahead: fraud rings come first, so their numbers are the ring ids of rings.csv. */
export type PlannedGroupKind = 'ring' | 'agency_ring' | 'household_ring' | 'agency' | 'reopened';

export interface PlannedGroup {
  kind: PlannedGroupKind;
  size: number;
  /** fraud rings: the hard variant */
  isHard: boolean;
  /** agencies: a new agency, several of whose accounts open on one day */
  isNewAgency: boolean;
  /** 1-based number among groups of the same family (fraud rings; agencies; re-opened pairs) */
  number: number;
}

export interface Plan {
  /** 0 = honest, else 1 + index in FRAUD_KINDS */
  kind: Uint8Array;
  isHard: Uint8Array;
  /** 1 + index in `groups`, or 0 */
  group: Int32Array;
  /** the account's index inside its group */
  member: Uint16Array;
  groups: PlannedGroup[];
}

type FraudRingKind = 'ring' | 'agency_ring' | 'household_ring';
const RING_KINDS: readonly FraudRingKind[] = ['ring', 'agency_ring', 'household_ring'];

export function isFraudRingKind(kind: PlannedGroupKind | FraudKind): kind is FraudRingKind {
  return (RING_KINDS as readonly string[]).includes(kind);
}

/** A group size between min and max, small ones more often (log-uniform), as with agencies and crews. */
function skewedSize(random: SeededRandom, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(Math.exp(Math.log(min) + random.next() * (Math.log(max + 0.5) - Math.log(min))))));
}

export function planPopulation(n: number, world: World, random: SeededRandom): Plan {
  const plan: Plan = { kind: new Uint8Array(n), isHard: new Uint8Array(n), group: new Int32Array(n), member: new Uint16Array(n), groups: [] };
  const order = random.shuffle(Array.from({ length: n }, (_, i) => i));
  const fraudCount = Math.round(n * world.fraud.rate);
  let cursor = 0;
  const familyCounts = new Map<string, number>();
  const addGroup = (kind: PlannedGroupKind, size: number, isHard: boolean, code: number, isNewAgency = false) => {
    const family = isFraudRingKind(kind) ? 'ring' : kind;
    const number = (familyCounts.get(family) ?? 0) + 1;
    familyCounts.set(family, number);
    plan.groups.push({ kind, size, isHard, isNewAgency, number });
    for (let m = 0; m < size; m++) {
      const account = order[cursor++] as number;
      plan.kind[account] = code;
      plan.isHard[account] = isHard ? 1 : 0;
      plan.group[account] = plan.groups.length;
      plan.member[account] = m;
    }
  };
  // the five first kinds keep their order and draws, so the baseline world plans what the first generator planned
  for (const kind of FRAUD_KINDS) {
    const count = Math.round(fraudCount * world.fraud.mix[kind]);
    const code = FRAUD_KINDS.indexOf(kind) + 1;
    if (isFraudRingKind(kind)) {
      const range = kind === 'ring' ? world.fraud.ring_size : world.fraud[kind].size;
      let placed = 0;
      while (placed + range.min <= count) {
        const size = Math.min(count - placed, random.int(range.min, range.max));
        if (size < range.min) break;
        addGroup(kind, size, random.chance(world.fraud.hard_share), code);
        placed += size;
      }
    } else {
      for (let m = 0; m < count && cursor < n; m++) {
        const account = order[cursor++] as number;
        plan.kind[account] = code;
        plan.isHard[account] = random.chance(world.fraud.hard_share) ? 1 : 0;
      }
    }
  }
  const honest = random.fork('honest-groups');
  const agencies = world.honest.agencies;
  const agencyTarget = Math.round(n * agencies.account_share);
  for (let placed = 0; placed + agencies.size.min <= agencyTarget;) {
    const size = Math.min(agencyTarget - placed, skewedSize(honest, agencies.size.min, agencies.size.max));
    if (size < agencies.size.min || cursor + size > n) break;
    addGroup('agency', size, false, 0, honest.chance(agencies.new_agency_share));
    placed += size;
  }
  const reopenedPairs = Math.floor((n * world.honest.reopened.account_share) / 2);
  for (let p = 0; p < reopenedPairs && cursor + 2 <= n; p++) addGroup('reopened', 2, false, 0);
  return plan;
}
