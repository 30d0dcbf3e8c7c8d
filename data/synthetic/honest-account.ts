// One honest account's activity: its own history, shaped by the groups it belongs to (agency, household, re-opened
// pair) and the shared networks it logs in from. Fraud kinds start from this account and rewrite parts of it.
//
// Draw order matters: the account's own stream (`random`) draws exactly what the first generator drew, so the
// `baseline` world stays byte-for-byte what it was; everything groups and newer networks add draws from `side`.
import type { SeededRandom } from '../seeded-random.js';
import {
  COUNTRIES,
  COUNTRY_WEIGHTS,
  DAY_MS,
  FAR_COUNTRIES,
  firstName,
  hexId,
  honestProposalText,
  ipFor,
  jobAt,
  jobIndexBefore,
  personalLetter,
  TESTS,
  WINDOW_END_MS,
  WINDOW_START_MS,
} from './marketplace-world.js';
import type { NetworkVariant, World } from './world-config.js';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const SECOND = 1000;

export type Login = [ts: number, ip: string, country: string, device: string];
export type Proposal = [ts: number, jobId: string, postedAt: number, bid: number, budget: number, text: string];
export type Test = [testId: string, startedAt: number, duration: number, score: number, typical: number];
export type Payout = [addedAt: number, bank: string];

export interface AccountOut {
  id: string;
  createdAt: number;
  country: string;
  has2fa: boolean;
  logins: Login[];
  proposals: Proposal[];
  tests: Test[];
  payouts: Payout[];
}

export const accountId = (i: number) => `A${String(i + 1).padStart(7, '0')}`;
export const roundSecond = (ms: number) => Math.round(ms / SECOND) * SECOND;

/** A home shared by a family: its IP, maybe a laptop, maybe a country and a joint bank account. */
export interface Household {
  ip: string;
  device: string;
  sharesDevice: boolean;
  country: string | null;
  jointBankShare: number;
  /** share of at-home logins from the shared home IP, which every member then uses at least once (0: any home IP) */
  homeLoginShare: number;
}

/** What an agency or a re-opened pair imposes on a member; unset fields keep the member's own draw. */
export interface Affiliation {
  country?: string;
  createdAt?: number;
  /** the last moment the account is used (a re-opened pair's old account) */
  activeUntil?: number;
  /** the member's main device (a shared workstation, the device a re-opened account is opened on) */
  device?: string;
  homeIp?: string;
  /** the agency office, used for this share of logins */
  workIp?: { ip: string; share: number };
  bank?: string;
  /** the agency's proposal template, used instead of the member's own letter */
  letter?: string;
}

/** Sizes of the shared-network IP pools, from the world's rates and the population size. */
export interface NetworkPools {
  world: World;
  offices: number;
  vpnExits: number;
  /** per network variant, IPs per declared country */
  perCountry: Record<'coworking' | 'university' | 'public_wifi' | 'mobile_nat', Map<string, number>>;
}

export function networkPools(accounts: number, world: World): NetworkPools {
  const nets = world.honest.shared_networks;
  const totalWeight = COUNTRY_WEIGHTS.reduce((a, b) => a + b, 0);
  // a roaming user holds ips_per_user of the pool at a time (0: roams it all, counted as 1, as the first generator did)
  const perCountry = (net: { user_share: number; users_per_ip: number; ips_per_user?: number }) =>
    new Map(
      COUNTRIES.map((c) => [
        c.code,
        Math.max(1, Math.round((accounts * (c.weight / totalWeight) * net.user_share * Math.max(1, net.ips_per_user ?? 1)) / net.users_per_ip)),
      ]),
    );
  return {
    world,
    offices: Math.max(2, Math.round((accounts * nets.office.user_share) / nets.office.users_per_ip)),
    vpnExits: Math.max(2, Math.round((accounts * nets.vpn.user_share) / nets.vpn.users_per_ip)),
    perCountry: {
      coworking: perCountry(nets.coworking),
      university: perCountry(nets.university),
      public_wifi: perCountry(nets.public_wifi),
      mobile_nat: perCountry(nets.mobile_nat),
    },
  };
}

/** First octet of each network kind's IPs (agency offices use 160, homes 77-119). */
const NETWORK_OCTET: Record<NetworkVariant, number> = { office: 150, coworking: 152, university: 141, public_wifi: 154, mobile_nat: 100, vpn: 45 };

/** The group id of a shared network IP, for honest_groups.csv. */
export type NetworkUse = Map<string, string>;

function networkIp(seed: number, variant: NetworkVariant, key: string, uses: NetworkUse): string {
  // mobile, office and VPN IPs keep the first generator's labels (and so its bytes)
  const label =
    variant === 'mobile_nat'
      ? `carrier:${seed}:${key}`
      : variant === 'office'
        ? `office:${seed}:${key}`
        : variant === 'vpn'
          ? `vpn:${seed}:${key}`
          : `${variant}:${seed}:${key}`;
  const ip = ipFor(label, NETWORK_OCTET[variant]);
  uses.set(ip, `NW-${variant}-${key.replace(/:/g, '-')}`);
  return ip;
}

/** A time of day in the account's local rhythm: mostly working hours, a few late nights. */
export function localTime(random: SeededRandom, dayStart: number, utcOffset: number): number {
  const hour = random.chance(0.9) ? random.normal(14, 3) : random.next() * 24;
  return dayStart + ((((hour - utcOffset) % 24) + 24) % 24) * HOUR + random.next() * HOUR;
}

export interface HonestContext {
  seed: number;
  pools: NetworkPools;
  household: Household | null;
  affiliation: Affiliation | null;
  /** draws for everything the first generator did not have */
  side: SeededRandom;
}

/** Who the account is and where it goes: drawn before any event, in the first generator's order. */
interface Profile {
  id: string;
  info: (typeof COUNTRIES)[number];
  createdAt: number;
  activeFrom: number;
  activeTo: number;
  devices: string[];
  homeIps: string[];
  officeKey: string | null;
  isMobile: boolean;
  /** the carrier IPs (pool indices) a mobile user moves among; null: the whole pool */
  mobileIps: number[] | null;
  isVpnUser: boolean;
  trip: { start: number; days: number; country: string } | null;
  venues: Venue[];
}

function drawProfile(i: number, random: SeededRandom, context: HonestContext, affiliation: Affiliation): Profile {
  const { seed, pools, household, side } = context;
  const nets = pools.world.honest.shared_networks;
  const id = accountId(i);
  const drawnInfo = COUNTRIES[random.weightedIndex(COUNTRY_WEIGHTS)] as (typeof COUNTRIES)[number];
  const drawnCreatedAt = roundSecond(WINDOW_END_MS - random.next() * 400 * DAY_MS);
  const country = affiliation.country ?? household?.country ?? drawnInfo.code;
  const info = COUNTRIES.find((c) => c.code === country) ?? drawnInfo;
  const createdAt = affiliation.createdAt ?? drawnCreatedAt;
  const activeTo = affiliation.activeUntil ?? WINDOW_END_MS;
  const activeFrom = Math.max(createdAt, WINDOW_START_MS);
  const activeDays = Math.max(1, (activeTo - activeFrom) / DAY_MS);
  const devices = Array.from({ length: random.chance(0.15) ? 3 : random.chance(0.5) ? 2 : 1 }, (_, k) => hexId(`dev:${seed}:${id}:${k}`, 16));
  if (household?.sharesDevice) devices[0] = household.device;
  if (affiliation.device) devices[0] = affiliation.device;
  const homeIps = Array.from({ length: random.int(1, 3) }, (_, k) => ipFor(`home:${seed}:${id}:${k}`, 80 + (k % 40)));
  if (household) homeIps[0] = household.ip;
  if (affiliation.homeIp) homeIps[0] = affiliation.homeIp;
  const officeKey = random.chance(nets.office.user_share) ? String(random.int(0, pools.offices - 1)) : null;
  const isMobile = random.chance(nets.mobile_nat.user_share);
  const isVpnUser = random.chance(nets.vpn.user_share);
  const trip = random.chance(pools.world.honest.traveller_share)
    ? {
        start: activeFrom + random.next() * activeDays * DAY_MS,
        days: random.int(3, 14),
        country: random.pick(info.neighbours.length && random.chance(0.5) ? info.neighbours : FAR_COUNTRIES),
      }
    : null;
  const venues = venueNetworks(side, pools, info.code);
  return {
    id,
    info,
    createdAt,
    activeFrom,
    activeTo,
    devices,
    homeIps,
    officeKey,
    isMobile,
    mobileIps: roamingIps(side, nets.mobile_nat, pools.perCountry.mobile_nat.get(info.code) ?? 1),
    isVpnUser,
    trip,
    venues,
  };
}

/** An honest account and the shared networks it used (IP → network group id). */
export function honestAccount(i: number, random: SeededRandom, context: HonestContext): { account: AccountOut; networks: NetworkUse } {
  const affiliation = context.affiliation ?? {};
  const profile = drawProfile(i, random, context, affiliation);
  const networks: NetworkUse = new Map();
  const logins = honestLogins(random, context, affiliation, profile, networks);
  const proposals = honestProposals(random, context.side, profile, affiliation.letter);
  const tests = honestTests(random, profile.activeFrom, profile.activeTo);
  const payouts = honestPayouts(random, context, affiliation, profile);
  const { id, createdAt, info } = profile;
  return { account: { id, createdAt, country: info.code, has2fa: random.chance(0.6), logins, proposals, tests, payouts }, networks };
}

function honestLogins(random: SeededRandom, context: HonestContext, affiliation: Affiliation, profile: Profile, networks: NetworkUse): Login[] {
  const { seed, pools, household, side } = context;
  const nets = pools.world.honest.shared_networks;
  const { id, info, activeFrom, activeTo, devices, homeIps, officeKey, trip } = profile;
  const activeDays = Math.max(1, (activeTo - activeFrom) / DAY_MS);
  const logins: Login[] = [];
  const loginCount = Math.max(1, Math.round(Math.exp(random.normal(3, 0.7))));
  for (let k = 0; k < loginCount; k++) {
    const day = activeFrom + Math.floor(random.next() * activeDays) * DAY_MS;
    const ts = roundSecond(Math.min(activeTo - 1, Math.max(activeFrom, localTime(random, day - (day % DAY_MS), info.utcOffset))));
    let ip = random.pick(homeIps);
    let loginCountry = info.code;
    if (officeKey !== null && random.chance(nets.office.login_share)) ip = networkIp(seed, 'office', officeKey, networks);
    else if (profile.isMobile && random.chance(nets.mobile_nat.login_share)) {
      const drawn = random.int(0, (pools.perCountry.mobile_nat.get(info.code) ?? 1) - 1);
      ip = networkIp(seed, 'mobile_nat', `${info.code}:${profile.mobileIps ? profile.mobileIps[drawn % profile.mobileIps.length] : drawn}`, networks);
    }
    let isAway = false;
    if (profile.isVpnUser && random.chance(nets.vpn.login_share)) {
      const exit = random.int(0, pools.vpnExits - 1);
      ip = networkIp(seed, 'vpn', String(exit), networks);
      loginCountry = ['US', 'NL', 'DE', 'GB', 'SG', 'CA'][exit % 6] as string;
      isAway = true;
    }
    if (trip && ts >= trip.start && ts < trip.start + trip.days * DAY_MS) {
      loginCountry = trip.country;
      ip = ipFor(`hotel:${seed}:${id}:${Math.floor((ts - trip.start) / (3 * DAY_MS))}`, 190);
      isAway = true;
    }
    const atHome = household && household.homeLoginShare > 0 && side.chance(household.homeLoginShare) ? household.ip : ip;
    if (!isAway) ip = venueIp(side, seed, affiliation, profile.venues, networks) ?? atHome;
    logins.push([ts, ip, loginCountry, random.chance(0.85) ? (devices[0] as string) : random.pick(devices)]);
  }
  logins.sort((a, b) => a[0] - b[0]);
  // a group member uses the group's place at least once: the office, the family home, the re-opened account's home
  const groupIp = affiliation.workIp?.ip ?? affiliation.homeIp ?? (household && household.homeLoginShare > 0 ? household.ip : null);
  if (groupIp) useGroupIpOnce(logins, groupIp, info.code, side);
  return logins;
}

function honestPayouts(random: SeededRandom, context: HonestContext, affiliation: Affiliation, profile: Profile): Payout[] {
  const { seed, household, side } = context;
  const { id, activeFrom, activeTo } = profile;
  const payouts: Payout[] = [];
  if (random.chance(0.85)) {
    const addedAt = roundSecond(activeFrom + random.next() * 10 * DAY_MS);
    const jointBank = household && random.chance(household.jointBankShare) ? hexId(`bank:household:${household.ip}`, 24) : null;
    payouts.push([addedAt, affiliation.bank ?? jointBank ?? hexId(`bank:${seed}:${id}:0`, 24)]);
    if (random.chance(0.08)) payouts.push([roundSecond(activeFrom + random.next() * (activeTo - activeFrom)), hexId(`bank:${seed}:${id}:1`, 24)]);
    payouts.sort((a, b) => a[0] - b[0]);
  } else if (affiliation.bank) {
    // a member paid into a shared account always has it on file
    payouts.push([roundSecond(activeFrom + side.next() * 10 * DAY_MS), affiliation.bank]);
  }
  return payouts;
}

function useGroupIpOnce(logins: Login[], groupIp: string, country: string, side: SeededRandom): void {
  if (logins.some((l) => l[1] === groupIp)) return;
  const atHome = logins.filter((l) => l[2] === country);
  const login = atHome.length > 0 ? side.pick(atHome) : logins[0];
  if (login) login[1] = groupIp;
}

interface Venue {
  variant: NetworkVariant;
  country: string;
  /** the member's own coworking space or campus; null for public Wi-Fi, where each login picks a hotspot */
  index: number | null;
  /** public Wi-Fi: the hotspots the user goes to (null: any of the pool) */
  hotspots: number[] | null;
  poolSize: number;
  share: number;
}

/** The pool indices a roaming user moves among, or null to roam the whole pool. */
function roamingIps(side: SeededRandom, net: { user_share: number; ips_per_user: number }, poolSize: number): number[] | null {
  if (net.ips_per_user === 0 || net.user_share === 0) return null;
  return Array.from({ length: net.ips_per_user }, () => side.int(0, poolSize - 1));
}

/** The coworking space, campus and public Wi-Fi an honest user visits, if any (from the side stream). */
function venueNetworks(side: SeededRandom, pools: NetworkPools, country: string): Venue[] {
  const nets = pools.world.honest.shared_networks;
  const venues: Venue[] = [];
  for (const variant of ['coworking', 'university', 'public_wifi'] as const) {
    const net = nets[variant];
    if (net.user_share === 0 || !side.chance(net.user_share)) continue;
    const poolSize = pools.perCountry[variant].get(country) ?? 1;
    const hotspots = variant === 'public_wifi' ? roamingIps(side, nets.public_wifi, poolSize) : null;
    venues.push({
      variant,
      country,
      index: variant === 'public_wifi' ? null : side.int(0, poolSize - 1),
      hotspots,
      poolSize,
      share: net.login_share,
    });
  }
  return venues;
}

/** The agency office or a venue for this login, or null to keep the home or carrier IP. */
function venueIp(side: SeededRandom, seed: number, affiliation: Affiliation, venues: readonly Venue[], networks: NetworkUse): string | null {
  if (affiliation.workIp && side.chance(affiliation.workIp.share)) return affiliation.workIp.ip;
  for (const venue of venues) {
    if (!side.chance(venue.share)) continue;
    const index = venue.index ?? (venue.hotspots ? side.pick(venue.hotspots) : side.int(0, venue.poolSize - 1));
    return networkIp(seed, venue.variant, `${venue.country}:${index}`, networks);
  }
  return null;
}

function honestProposals(random: SeededRandom, side: SeededRandom, profile: Profile, template: string | undefined): Proposal[] {
  const { createdAt, activeFrom, activeTo } = profile;
  const name = firstName((items) => random.pick(items));
  const ownLetter = personalLetter((items) => random.pick(items), name);
  const reusesLetter = random.chance(0.4);
  const isJobAlertUser = random.chance(0.2);
  const proposals: Proposal[] = [];
  const proposalCount = random.chance(0.8) ? Math.round(Math.exp(random.normal(2, 0.8))) : 0;
  const ageDays = (WINDOW_END_MS - createdAt) / DAY_MS;
  for (let k = 0; k < proposalCount; k++) {
    const ts = roundSecond(activeFrom + random.next() * (activeTo - activeFrom));
    const delay = isJobAlertUser && random.chance(0.7) ? random.int(60, 900) * SECOND : Math.exp(random.normal(9.5, 1.2)) * SECOND;
    const job = jobAt(jobIndexBefore(ts - delay));
    const isNewcomer = ageDays < 45 && ts - createdAt < 30 * DAY_MS;
    const ratio = Math.max(0.2, random.normal(isNewcomer ? 0.65 : 0.92, 0.15));
    const rewrite = reusesLetter ? 0 : random.next();
    // agency members send the agency template (with the job line) most of the time
    const letter = template && side.chance(0.8) ? template : ownLetter;
    const text = honestProposalText(letter, job.id, letter === template ? 0 : rewrite, (items) => random.pick(items));
    proposals.push([Math.max(ts, job.postedAt + 30 * SECOND), job.id, job.postedAt, Math.round(job.budget * ratio * 100) / 100, job.budget, text]);
  }
  return proposals.sort((a, b) => a[0] - b[0]);
}

function honestTests(random: SeededRandom, activeFrom: number, activeTo: number): Test[] {
  const tests: Test[] = [];
  const testCount = random.chance(0.6) ? random.int(1, 4) : 0;
  for (let k = 0; k < testCount; k++) {
    const test = random.pick(TESTS);
    const startedAt = roundSecond(activeFrom + random.next() * (activeTo - activeFrom));
    const isAce = random.chance(0.04);
    const duration = Math.round(test.typicalSeconds * (isAce ? 0.3 + random.next() * 0.2 : Math.exp(random.normal(0, 0.3))));
    const score = isAce ? random.int(92, 100) : Math.max(10, Math.min(100, Math.round(random.normal(68, 15))));
    tests.push([test.id, startedAt, Math.max(30, duration), score, test.typicalSeconds]);
  }
  return tests.sort((a, b) => a[1] - b[1]);
}
