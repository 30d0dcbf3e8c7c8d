// Fraud rings that pose as honest groups: a crew's accounts on one "office" or "home" IP in one country, each with
// its own bank account (no shared bank to give them away), rotating a pool of devices, created over weeks rather
// than in a burst. What still gives them away is group evidence: young accounts, activity in the crew's shifts,
// one paraphrased template and one bid level, devices passed round, now and then a login from the crew's country.
import type { SeededRandom } from '../seeded-random.js';
import { fraudProposal } from './fraud-accounts.js';
import { HOUR, MINUTE, roundSecond, SECOND, type AccountOut, type Login, type Payout, type Proposal } from './honest-account.js';
import {
  COUNTRIES,
  COUNTRY_WEIGHTS,
  DAY_MS,
  FAR_COUNTRIES,
  FRAUD_TEMPLATE_COUNT,
  hexId,
  ipFor,
  templatedText,
  WINDOW_END_MS,
  WINDOW_START_MS,
} from './marketplace-world.js';
import type { PlannedGroup } from './population-plan.js';
import type { World } from './world-config.js';

export interface ImitatingRing {
  posesAs: 'agency' | 'household';
  country: string;
  crewCountry: string;
  venueIp: string;
  devices: string[];
  template: number;
  start: number;
  spreadDays: number;
  /** the crew's working sessions: every member logs in and bids in these */
  shifts: number[];
  bidRatio: number;
}

export function imitatingRing(group: PlannedGroup & { kind: 'agency_ring' | 'household_ring' }, world: World, root: SeededRandom): ImitatingRing {
  const random = root.fork(`imitating-ring:${group.number}`);
  const seed = root.seed;
  const posesAs = group.kind === 'agency_ring' ? 'agency' : 'household';
  const spread = world.fraud[group.kind].creation_spread_days;
  const spreadDays = random.int(spread.min, spread.max);
  const start = WINDOW_END_MS - (spreadDays + 20 + random.next() * 80) * DAY_MS;
  const country = (COUNTRIES[random.weightedIndex(COUNTRY_WEIGHTS)] as (typeof COUNTRIES)[number]).code;
  const crewCountry = random.pick(FAR_COUNTRIES.filter((c) => c !== country));
  const deviceCount = posesAs === 'agency' ? Math.max(3, Math.ceil(group.size * 0.6)) : random.int(2, 4);
  const shiftHour = random.int(0, 23);
  const shifts: number[] = [];
  for (let day = Math.floor(Math.max(start, WINDOW_START_MS) / DAY_MS) * DAY_MS; day < WINDOW_END_MS - DAY_MS; day += DAY_MS) {
    if (random.chance(0.35)) shifts.push(day + shiftHour * HOUR + random.int(0, 30) * MINUTE);
  }
  return {
    posesAs,
    country,
    crewCountry,
    // same address blocks as real agency offices and homes, so the IP itself tells nothing
    venueIp: posesAs === 'agency' ? ipFor(`mimicoffice:${seed}:${group.number}`, 160) : ipFor(`mimichome:${seed}:${group.number}`, 77),
    devices: Array.from({ length: deviceCount }, (_, k) => hexId(`mimicdev:${seed}:${group.number}:${k}`, 16)),
    template: random.int(0, FRAUD_TEMPLATE_COUNT - 1),
    start,
    spreadDays,
    shifts,
    bidRatio: group.isHard ? 0.6 + random.next() * 0.15 : 0.35 + random.next() * 0.15,
  };
}

/** Member `member` of `size`: accounts open one after another across the ring's spread, a day or so apart at least. */
export function imitatingRingMember(
  base: AccountOut,
  random: SeededRandom,
  ring: ImitatingRing,
  position: { member: number; size: number; isHard: boolean; seed: number },
): AccountOut {
  const { isHard, seed } = position;
  const step = position.size > 1 ? position.member / (position.size - 1) : 0.5;
  const createdAt = roundSecond(ring.start + Math.min(1, Math.max(0, step + (random.next() - 0.5) * 0.1)) * ring.spreadDays * DAY_MS);
  const shifts = ring.shifts.filter((s) => s >= createdAt);
  if (shifts.length === 0) shifts.push(createdAt + DAY_MS);
  const foreignShare = isHard ? 0.05 : 0.35;
  const logins: Login[] = [];
  for (const shift of shifts) {
    if (!random.chance(0.7)) continue;
    const ip = random.chance(ring.posesAs === 'agency' ? 0.75 : 0.85)
      ? ring.venueIp
      : ipFor(`mimicres:${seed}:${base.id}:${random.int(0, 2)}`, 80 + random.int(0, 39));
    // device rotation: any member may pick up any of the crew's devices
    logins.push([
      roundSecond(Math.min(WINDOW_END_MS - 1, shift + random.int(0, 90) * MINUTE)),
      ip,
      random.chance(foreignShare) ? ring.crewCountry : ring.country,
      random.pick(ring.devices),
    ]);
  }
  if (logins.length === 0) logins.push([roundSecond(shifts[0] as number), ring.venueIp, ring.country, random.pick(ring.devices)]);
  logins.sort((a, b) => a[0] - b[0]);
  const proposals: Proposal[] = [];
  const count = isHard ? random.int(6, 25) : random.int(15, 50);
  for (let k = 0; k < count; k++) {
    const ts = Math.min(WINDOW_END_MS - MINUTE, random.pick(shifts) + random.next() * 3 * HOUR);
    const text = templatedText(
      ring.template,
      isHard ? random.int(1, 3) : random.int(0, 1),
      (items) => random.pick(items),
      () => random.next(),
    );
    const delay = random.int(isHard ? 600 : 120, isHard ? 7200 : 1800) * SECOND;
    proposals.push(fraudProposal(random, ts, delay, Math.max(0.15, random.normal(ring.bidRatio, 0.04)), text));
  }
  proposals.sort((a, b) => a[0] - b[0]);
  const payouts: Payout[] = [[roundSecond(createdAt + random.next() * 3 * DAY_MS), hexId(`mimicbank:${seed}:${base.id}`, 24)]];
  const tests = base.tests.filter((t) => t[1] >= createdAt);
  return { ...base, createdAt, country: ring.country, has2fa: random.chance(isHard ? 0.5 : 0.1), logins, proposals, tests, payouts };
}
