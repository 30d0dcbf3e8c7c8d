// seeded normal accounts + labelled rings, bots, takeovers, test cheats → tables, seeded-random
//
// Every account draws from its own stream (`fork`), so the output is byte-for-byte reproducible and accounts are
// generated one at a time: memory stays flat however many accounts are asked for. Only the population plan
// (which account is which kind, and ring membership) is held for the whole population: a few bytes per account.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createCsvWriter, type CsvWriter } from '../csv-writer.js';
import type { ProgressEvent } from '../progress-event.js';
import { createSeededRandom, type SeededRandom } from '../seeded-random.js';
import { TABLE_COLUMNS } from '../tables.js';
import { trackTemporaryOutput } from '../temporary-outputs.js';
import {
  COUNTRIES,
  COUNTRY_WEIGHTS,
  DAY_MS,
  FAR_COUNTRIES,
  FRAUD_TEMPLATE_COUNT,
  firstName,
  hexId,
  honestProposalText,
  ipFor,
  jobAt,
  jobIndexBefore,
  personalLetter,
  TESTS,
  templatedText,
  WINDOW_END_MS,
  WINDOW_START_MS,
} from './marketplace-world.js';

export const FRAUD_KINDS = ['ring', 'bot', 'takeover', 'test_cheat', 'bid_abuse'] as const;
export type FraudKind = (typeof FRAUD_KINDS)[number];
/** Share of fraud accounts per kind. */
export const FRAUD_MIX: Record<FraudKind, number> = { ring: 0.36, bot: 0.16, takeover: 0.18, test_cheat: 0.15, bid_abuse: 0.15 };

export interface GenerateOptions {
  readonly accounts: number;
  readonly seed: number;
  /** share of fraudulent accounts, default 0.05 */
  readonly fraudRate?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface GenerateSummary {
  readonly accounts: number;
  readonly rows: Record<string, number>;
  /** fraud accounts per kind and difficulty, e.g. {"ring/easy": 40} */
  readonly labelMix: Record<string, number>;
  readonly rings: number;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SECOND = 1000;
/** accounts per office or campus IP (offices are hubs: many unrelated honest users behind one IP) */
const ACCOUNTS_PER_OFFICE = 250;
/** mobile users per carrier NAT exit IP, and VPN users per VPN exit: both are hubs in any population size */
const MOBILE_USERS_PER_CARRIER_IP = 40;
const VPN_USERS_PER_EXIT = 30;
const HOUSEHOLD_RATE = 0.001;

type Login = [ts: number, ip: string, country: string, device: string];
type Proposal = [ts: number, jobId: string, postedAt: number, bid: number, budget: number, text: string];
type Test = [testId: string, startedAt: number, duration: number, score: number, typical: number];
type Payout = [addedAt: number, bank: string];

interface AccountOut {
  id: string;
  createdAt: number;
  country: string;
  has2fa: boolean;
  logins: Login[];
  proposals: Proposal[];
  tests: Test[];
  payouts: Payout[];
}

interface Plan {
  /** 0 = honest, else 1 + index in FRAUD_KINDS */
  kind: Uint8Array;
  isHard: Uint8Array;
  /** ring number + 1 for ring members, else 0 */
  ring: Int32Array;
  ringSizes: number[];
  ringIsHard: boolean[];
}

function planPopulation(n: number, fraudRate: number, random: SeededRandom): Plan {
  const kind = new Uint8Array(n);
  const isHard = new Uint8Array(n);
  const ring = new Int32Array(n);
  const order = random.shuffle(Array.from({ length: n }, (_, i) => i));
  const fraudCount = Math.round(n * fraudRate);
  let cursor = 0;
  const ringSizes: number[] = [];
  const ringIsHard: boolean[] = [];
  for (const [k, share] of Object.entries(FRAUD_MIX) as [FraudKind, number][]) {
    const count = Math.round(fraudCount * share);
    const kindCode = FRAUD_KINDS.indexOf(k) + 1;
    if (k === 'ring') {
      let placed = 0;
      while (placed + 3 <= count) {
        const size = Math.min(count - placed, random.int(3, 10));
        if (size < 3) break;
        const hard = random.chance(0.5);
        ringSizes.push(size);
        ringIsHard.push(hard);
        for (let m = 0; m < size; m++) {
          const account = order[cursor++] as number;
          kind[account] = kindCode;
          isHard[account] = hard ? 1 : 0;
          ring[account] = ringSizes.length;
        }
        placed += size;
      }
    } else {
      for (let m = 0; m < count && cursor < n; m++) {
        const account = order[cursor++] as number;
        kind[account] = kindCode;
        isHard[account] = random.chance(0.5) ? 1 : 0;
      }
    }
  }
  return { kind, isHard, ring, ringSizes, ringIsHard };
}

const accountId = (i: number) => `A${String(i + 1).padStart(7, '0')}`;
const countryInfo = (code: string) => COUNTRIES.find((c) => c.code === code) ?? (COUNTRIES[0] as (typeof COUNTRIES)[number]);
const roundSecond = (ms: number) => Math.round(ms / SECOND) * SECOND;

/** A time of day in the account's local rhythm: mostly working hours, a few late nights. */
function localTime(random: SeededRandom, dayStart: number, utcOffset: number): number {
  const hour = random.chance(0.9) ? random.normal(14, 3) : random.next() * 24;
  return dayStart + (((hour - utcOffset) % 24) + 24) % 24 * HOUR + random.next() * HOUR;
}

interface Household {
  device: string;
  ip: string;
  sharesDevice: boolean;
}

/** Honest behaviour, also the base for takeovers (whose history is honest until the takeover). */
interface SharedPools {
  offices: number;
  vpnExits: number;
  /** carrier NAT IPs per country code */
  carrierIps: Map<string, number>;
}

function sharedPools(accounts: number): SharedPools {
  const totalWeight = COUNTRY_WEIGHTS.reduce((a, b) => a + b, 0);
  return {
    offices: Math.max(2, Math.round(accounts / ACCOUNTS_PER_OFFICE)),
    vpnExits: Math.max(2, Math.round((accounts * 0.08) / VPN_USERS_PER_EXIT)),
    carrierIps: new Map(COUNTRIES.map((c) => [c.code, Math.max(1, Math.round((accounts * (c.weight / totalWeight) * 0.3) / MOBILE_USERS_PER_CARRIER_IP))])),
  };
}

function honestAccount(i: number, seed: number, random: SeededRandom, household: Household | null, pools: SharedPools): AccountOut {
  const id = accountId(i);
  const info = COUNTRIES[random.weightedIndex(COUNTRY_WEIGHTS)] as (typeof COUNTRIES)[number];
  const createdAt = roundSecond(WINDOW_END_MS - random.next() * 400 * DAY_MS);
  const activeFrom = Math.max(createdAt, WINDOW_START_MS);
  const activeDays = Math.max(1, (WINDOW_END_MS - activeFrom) / DAY_MS);
  const devices = Array.from({ length: random.chance(0.15) ? 3 : random.chance(0.5) ? 2 : 1 }, (_, k) => hexId(`dev:${seed}:${id}:${k}`, 16));
  if (household?.sharesDevice) devices[0] = household.device;
  const homeIps = Array.from({ length: random.int(1, 3) }, (_, k) => ipFor(`home:${seed}:${id}:${k}`, 80 + (k % 40)));
  if (household) homeIps[0] = household.ip;
  const officeIp = random.chance(0.2) ? ipFor(`office:${seed}:${random.int(0, pools.offices - 1)}`, 150) : null;
  const isMobile = random.chance(0.3);
  const isVpnUser = random.chance(0.08);
  const trip = random.chance(0.08) ? { start: activeFrom + random.next() * activeDays * DAY_MS, days: random.int(3, 14), country: random.pick(info.neighbours.length && random.chance(0.5) ? info.neighbours : FAR_COUNTRIES) } : null;

  const logins: Login[] = [];
  const loginCount = Math.max(1, Math.round(Math.exp(random.normal(3, 0.7))));
  for (let k = 0; k < loginCount; k++) {
    const day = activeFrom + Math.floor(random.next() * activeDays) * DAY_MS;
    const ts = roundSecond(Math.min(WINDOW_END_MS - 1, Math.max(activeFrom, localTime(random, day - (day % DAY_MS), info.utcOffset))));
    let ip = random.pick(homeIps);
    let country = info.code;
    if (officeIp && random.chance(0.4)) ip = officeIp;
    else if (isMobile && random.chance(0.35)) ip = ipFor(`carrier:${seed}:${info.code}:${random.int(0, (pools.carrierIps.get(info.code) ?? 1) - 1)}`, 100);
    if (isVpnUser && random.chance(0.3)) {
      const exit = random.int(0, pools.vpnExits - 1);
      ip = ipFor(`vpn:${seed}:${exit}`, 45);
      country = ['US', 'NL', 'DE', 'GB', 'SG', 'CA'][exit % 6] as string;
    }
    if (trip && ts >= trip.start && ts < trip.start + trip.days * DAY_MS) {
      country = trip.country;
      ip = ipFor(`hotel:${seed}:${id}:${Math.floor((ts - trip.start) / (3 * DAY_MS))}`, 190);
    }
    logins.push([ts, ip, country, random.chance(0.85) ? (devices[0] as string) : random.pick(devices)]);
  }
  // a trip starts no sooner than a plausible flight after the last login at home
  logins.sort((a, b) => a[0] - b[0]);

  const name = firstName((items) => random.pick(items));
  const letter = personalLetter((items) => random.pick(items), name);
  const reusesLetter = random.chance(0.4);
  const isJobAlertUser = random.chance(0.2);
  const proposals: Proposal[] = [];
  const proposalCount = random.chance(0.8) ? Math.round(Math.exp(random.normal(2, 0.8))) : 0;
  const ageDays = (WINDOW_END_MS - createdAt) / DAY_MS;
  for (let k = 0; k < proposalCount; k++) {
    const ts = roundSecond(activeFrom + random.next() * (WINDOW_END_MS - activeFrom));
    const delay = isJobAlertUser && random.chance(0.7) ? random.int(60, 900) * SECOND : Math.exp(random.normal(9.5, 1.2)) * SECOND;
    const job = jobAt(jobIndexBefore(ts - delay));
    const isNewcomer = ageDays < 45 && ts - createdAt < 30 * DAY_MS;
    const ratio = Math.max(0.2, random.normal(isNewcomer ? 0.65 : 0.92, 0.15));
    const text = honestProposalText(letter, job.id, reusesLetter ? 0 : random.next(), (items) => random.pick(items));
    proposals.push([Math.max(ts, job.postedAt + 30 * SECOND), job.id, job.postedAt, Math.round(job.budget * ratio * 100) / 100, job.budget, text]);
  }
  proposals.sort((a, b) => a[0] - b[0]);

  const tests: Test[] = [];
  const testCount = random.chance(0.6) ? random.int(1, 4) : 0;
  for (let k = 0; k < testCount; k++) {
    const test = random.pick(TESTS);
    const startedAt = roundSecond(activeFrom + random.next() * (WINDOW_END_MS - activeFrom));
    const isAce = random.chance(0.04);
    const duration = Math.round(test.typicalSeconds * (isAce ? 0.3 + random.next() * 0.2 : Math.exp(random.normal(0, 0.3))));
    const score = isAce ? random.int(92, 100) : Math.max(10, Math.min(100, Math.round(random.normal(68, 15))));
    tests.push([test.id, startedAt, Math.max(30, duration), score, test.typicalSeconds]);
  }
  tests.sort((a, b) => a[1] - b[1]);

  const payouts: Payout[] = [];
  if (random.chance(0.85)) {
    payouts.push([roundSecond(activeFrom + random.next() * 10 * DAY_MS), household && random.chance(0.5) ? hexId(`bank:household:${household.ip}`, 24) : hexId(`bank:${seed}:${id}:0`, 24)]);
    if (random.chance(0.08)) payouts.push([roundSecond(activeFrom + random.next() * (WINDOW_END_MS - activeFrom)), hexId(`bank:${seed}:${id}:1`, 24)]);
    payouts.sort((a, b) => a[0] - b[0]);
  }
  return { id, createdAt, country: info.code, has2fa: random.chance(0.6), logins, proposals, tests, payouts };
}

interface RingShared {
  bank: string;
  devices: string[];
  proxyIp: string;
  template: number;
  country: string;
  createdAround: number;
}

function ringShared(seed: number, ring: number, isHard: boolean, size: number): RingShared {
  const random = createSeededRandom(seed).fork(`ring:${ring}`);
  const deviceCount = isHard ? Math.max(2, Math.ceil(size / 3)) : random.int(1, 2);
  return {
    bank: hexId(`ringbank:${seed}:${ring}`, 24),
    devices: Array.from({ length: deviceCount }, (_, k) => hexId(`ringdev:${seed}:${ring}:${k}`, 16)),
    proxyIp: ipFor(`proxy:${seed}:${ring}`, 203),
    template: random.int(0, FRAUD_TEMPLATE_COUNT - 1),
    country: random.pick(COUNTRIES.map((c) => c.code)),
    createdAround: WINDOW_END_MS - random.next() * 150 * DAY_MS,
  };
}

function fraudProposal(random: SeededRandom, ts: number, delayMs: number, ratio: number, text: string): Proposal {
  const job = jobAt(jobIndexBefore(ts - delayMs));
  return [roundSecond(Math.max(ts, job.postedAt + delayMs)), job.id, job.postedAt, Math.round(job.budget * ratio * 100) / 100, job.budget, text];
}

function ringMember(base: AccountOut, random: SeededRandom, shared: RingShared, memberIndex: number, isHard: boolean): AccountOut {
  const createdAt = roundSecond(shared.createdAround + random.next() * (isHard ? 20 : 4) * DAY_MS);
  const from = Math.max(createdAt, WINDOW_START_MS);
  // Hard rings share no bank, a pool of devices (each member uses two, so the ring stays connected) and no
  // common proxy; easy rings share a bank hash, one or two devices and a proxy IP.
  const myDevices = isHard
    ? [shared.devices[memberIndex % shared.devices.length] as string, shared.devices[(memberIndex + 1) % shared.devices.length] as string]
    : [random.pick(shared.devices)];
  const logins: Login[] = [];
  const loginCount = random.int(8, 40);
  for (let k = 0; k < loginCount; k++) {
    const ts = roundSecond(from + random.next() * (WINDOW_END_MS - from));
    const ip = !isHard && random.chance(0.7) ? shared.proxyIp : ipFor(`ringres:${base.id}:${random.int(0, 2)}`, 91);
    logins.push([ts, ip, !isHard && random.chance(0.3) ? shared.country : base.country, random.pick(myDevices)]);
  }
  logins.sort((a, b) => a[0] - b[0]);
  const proposals: Proposal[] = [];
  const count = random.int(isHard ? 5 : 15, isHard ? 25 : 60);
  for (let k = 0; k < count; k++) {
    const ts = from + random.next() * (WINDOW_END_MS - from);
    const text = templatedText(shared.template, isHard ? random.int(1, 3) : 0, (items) => random.pick(items), () => random.next());
    proposals.push(fraudProposal(random, ts, random.int(isHard ? 300 : 60, isHard ? 7200 : 900) * SECOND, Math.max(0.15, random.normal(isHard ? 0.7 : 0.45, 0.1)), text));
  }
  proposals.sort((a, b) => a[0] - b[0]);
  const payouts: Payout[] = [[roundSecond(from + random.next() * 3 * DAY_MS), isHard ? hexId(`ringownbank:${base.id}`, 24) : shared.bank]];
  return { ...base, createdAt, has2fa: isHard ? random.chance(0.4) : false, logins, proposals, tests: base.tests.filter((t) => t[1] >= createdAt), payouts };
}

function botAccount(base: AccountOut, random: SeededRandom, isHard: boolean, seed: number): AccountOut {
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const device = hexId(`botdev:${seed}:${base.id}`, 16);
  const dcIp = ipFor(`dc:${seed}:${random.int(0, 199)}`, 172);
  const logins: Login[] = Array.from({ length: random.int(20, 60) }, () => [roundSecond(from + random.next() * (WINDOW_END_MS - from)), dcIp, base.country, device] as Login);
  logins.sort((a, b) => a[0] - b[0]);
  const proposals: Proposal[] = [];
  const bursts = random.int(isHard ? 3 : 4, isHard ? 6 : 10);
  const template = random.int(0, FRAUD_TEMPLATE_COUNT - 1);
  for (let b = 0; b < bursts; b++) {
    const start = from + random.next() * (WINDOW_END_MS - from);
    const inBurst = isHard ? random.int(6, 11) : random.int(14, 30);
    for (let k = 0; k < inBurst; k++) {
      const ts = start + k * (isHard ? random.int(4, 9) : random.int(1, 3)) * MINUTE;
      const delay = (isHard ? random.int(120, 900) : random.int(8, 90)) * SECOND;
      proposals.push(fraudProposal(random, ts, delay, Math.max(0.2, random.normal(0.7, 0.15)), templatedText(template, isHard ? random.int(0, 3) : 0, (items) => random.pick(items), () => random.next())));
    }
  }
  proposals.sort((a, b) => a[0] - b[0]);
  return { ...base, has2fa: false, logins: isHard ? [...base.logins, ...logins].sort((a, b) => a[0] - b[0]) : logins, proposals };
}

function takeoverAccount(base: AccountOut, random: SeededRandom, isHard: boolean, seed: number): AccountOut {
  const history = base.logins;
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const takeoverAt = roundSecond(Math.max(from + 5 * DAY_MS, WINDOW_END_MS - random.int(5, 40) * DAY_MS));
  const info = countryInfo(base.country);
  const attackerCountry = isHard && info.neighbours.length > 0 ? random.pick(info.neighbours) : random.pick(FAR_COUNTRIES.filter((c) => c !== base.country));
  const attackerDevice = hexId(`atkdev:${seed}:${base.id}`, 16);
  const attackerIp = ipFor(`atk:${seed}:${base.id}`, 185);
  const before = history.filter((l) => l[0] < takeoverAt);
  const lastHome = before.length > 0 ? (before[before.length - 1] as Login) : null;
  // easy: the attacker logs in within the hour after the owner (impossible travel); hard: a day later
  const firstAttack = lastHome ? lastHome[0] + (isHard ? random.int(20, 40) * HOUR : random.int(10, 50) * MINUTE) : takeoverAt;
  const logins: Login[] = [...before];
  const attackLogins = random.int(isHard ? 3 : 6, isHard ? 8 : 20);
  for (let k = 0; k < attackLogins; k++) logins.push([roundSecond(firstAttack + k * random.int(2, 20) * HOUR), attackerIp, attackerCountry, attackerDevice]);
  // the owner still logs in now and then, flipping countries back and forth
  for (const l of history.filter((l) => l[0] >= takeoverAt).slice(0, isHard ? 1 : 4)) logins.push(l);
  logins.sort((a, b) => a[0] - b[0]);
  const payouts: Payout[] = [...base.payouts.filter((p) => p[0] < firstAttack), [roundSecond(firstAttack + (isHard ? random.int(50, 120) : random.int(1, 20)) * HOUR), hexId(`atkbank:${seed}:${base.id}`, 24)]];
  const proposals = base.proposals.filter((p) => p[0] < firstAttack);
  for (let k = 0; k < random.int(isHard ? 1 : 5, isHard ? 4 : 15); k++) {
    proposals.push(fraudProposal(random, firstAttack + random.next() * 4 * DAY_MS, random.int(120, 3600) * SECOND, Math.max(0.2, random.normal(0.6, 0.15)), templatedText(random.int(0, FRAUD_TEMPLATE_COUNT - 1), random.int(0, 2), (items) => random.pick(items), () => random.next())));
  }
  proposals.sort((a, b) => a[0] - b[0]);
  return { ...base, has2fa: isHard ? base.has2fa : false, logins, proposals, payouts };
}

function testCheatAccount(base: AccountOut, random: SeededRandom, isHard: boolean): AccountOut {
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const tests: Test[] = [...base.tests];
  const cheats = isHard ? random.int(1, 2) : random.int(3, 6);
  for (let k = 0; k < cheats; k++) {
    const test = random.pick(TESTS);
    const fraction = isHard ? 0.28 + random.next() * 0.14 : 0.05 + random.next() * 0.15;
    tests.push([test.id, roundSecond(from + random.next() * (WINDOW_END_MS - from)), Math.max(20, Math.round(test.typicalSeconds * fraction)), isHard ? random.int(90, 97) : random.int(98, 100), test.typicalSeconds]);
  }
  tests.sort((a, b) => a[1] - b[1]);
  return { ...base, tests };
}

function bidAbuseAccount(base: AccountOut, random: SeededRandom, isHard: boolean): AccountOut {
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const proposals: Proposal[] = [];
  const count = isHard ? random.int(15, 30) : random.int(30, 80);
  const isOverbid = random.chance(0.25);
  for (let k = 0; k < count; k++) {
    const ratio = isOverbid ? (isHard ? 1.6 + random.next() * 0.6 : 3 + random.next() * 3) : isHard ? 0.35 + random.next() * 0.15 : 0.05 + random.next() * 0.2;
    const text = honestProposalText(`Hi, I can do it for less. ${base.id.slice(-3)}`, 'x', random.next(), (items) => random.pick(items));
    proposals.push(fraudProposal(random, from + random.next() * (WINDOW_END_MS - from), random.int(300, 20000) * SECOND, ratio, text));
  }
  proposals.sort((a, b) => a[0] - b[0]);
  return { ...base, proposals };
}

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Writes a seeded synthetic marketplace into `outDir` (which must not exist or be empty). */
export async function generateMarketplace(outDir: string, options: GenerateOptions): Promise<GenerateSummary> {
  const fraudRate = options.fraudRate ?? 0.05;
  if (!Number.isInteger(options.accounts) || options.accounts < 10) throw new RangeError(`accounts must be an integer >= 10, got ${options.accounts}`);
  if (!(fraudRate >= 0 && fraudRate <= 0.5)) throw new RangeError(`fraud rate must be in [0, 0.5], got ${fraudRate}`);
  const existing = await readdir(outDir).catch(() => null);
  if (existing && existing.length > 0) throw new Error(`output folder ${outDir} is not empty; choose a new folder or pass --force`);
  const tmpDir = `${outDir.replace(/[/\\]+$/, '')}.tmp-${process.pid}`;
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  const untrack = trackTemporaryOutput(tmpDir);
  const root = createSeededRandom(options.seed);
  const plan = planPopulation(options.accounts, fraudRate, root.fork('plan'));
  const writers: Record<string, CsvWriter> = {};
  for (const table of ['accounts', 'logins', 'proposals', 'tests', 'payouts', 'labels'] as const) {
    writers[table] = createCsvWriter(path.join(tmpDir, `${table}.csv`), TABLE_COLUMNS[table].map((c) => c.name));
  }
  writers['rings'] = createCsvWriter(path.join(tmpDir, 'rings.csv'), ['ring_id', 'account_id']);
  const rows: Record<string, number> = { accounts: 0, logins: 0, proposals: 0, tests: 0, payouts: 0, labels: 0, rings: 0 };
  const labelMix: Record<string, number> = {};
  const ringCache = new Map<number, RingShared>();
  const ringMembersSeen = new Map<number, number>();
  const pools = sharedPools(options.accounts);
  const write = async (table: string, values: (string | number | boolean)[]) => {
    rows[table] = (rows[table] ?? 0) + 1;
    await (writers[table] as CsvWriter).writeRow(values);
  };
  try {
    for (let i = 0; i < options.accounts; i++) {
      const random = root.fork(`account:${i}`);
      const kindCode = plan.kind[i] as number;
      const isHard = plan.isHard[i] === 1;
      // households: two consecutive honest accounts sharing a home IP, sometimes a laptop or a bank account
      const householdIndex = Math.floor(i / 2);
      const householdRandom = root.fork(`household:${householdIndex}`);
      const isHousehold = householdRandom.chance(HOUSEHOLD_RATE) && plan.kind[householdIndex * 2] === 0 && plan.kind[householdIndex * 2 + 1] === 0 && householdIndex * 2 + 1 < options.accounts;
      const household = isHousehold ? { ip: ipFor(`household:${options.seed}:${householdIndex}`, 77), device: hexId(`household:${options.seed}:${householdIndex}`, 16), sharesDevice: householdRandom.chance(0.2) } : null;
      let account = honestAccount(i, options.seed, random, household, pools);
      const kind = kindCode === 0 ? null : (FRAUD_KINDS[kindCode - 1] as FraudKind);
      if (kind === 'ring') {
        const ringNumber = plan.ring[i] as number;
        let shared = ringCache.get(ringNumber);
        if (!shared) {
          shared = ringShared(options.seed, ringNumber, plan.ringIsHard[ringNumber - 1] === true, plan.ringSizes[ringNumber - 1] as number);
          ringCache.set(ringNumber, shared);
        }
        const memberIndex = ringMembersSeen.get(ringNumber) ?? 0;
        ringMembersSeen.set(ringNumber, memberIndex + 1);
        account = ringMember(account, random, shared, memberIndex, isHard);
        await write('rings', [`R${String(ringNumber).padStart(5, '0')}`, account.id]);
      } else if (kind === 'bot') account = botAccount(account, random, isHard, options.seed);
      else if (kind === 'takeover') account = takeoverAccount(account, random, isHard, options.seed);
      else if (kind === 'test_cheat') account = testCheatAccount(account, random, isHard);
      else if (kind === 'bid_abuse') account = bidAbuseAccount(account, random, isHard);

      await write('accounts', [account.id, iso(account.createdAt), account.country, account.has2fa]);
      for (const l of account.logins) await write('logins', [account.id, iso(Math.max(l[0], account.createdAt)), l[1], l[2], l[3]]);
      for (const p of account.proposals) await write('proposals', [account.id, iso(Math.max(p[0], account.createdAt)), p[1], iso(p[2]), p[3], p[4], p[5]]);
      for (const t of account.tests) await write('tests', [account.id, t[0], iso(Math.max(t[1], account.createdAt)), t[2], t[3], t[4]]);
      for (const p of account.payouts) await write('payouts', [account.id, iso(Math.max(p[0], account.createdAt)), p[1]]);
      const difficulty = kind ? (isHard ? 'hard' : 'easy') : '';
      await write('labels', [account.id, kind ? 1 : 0, kind ?? '', difficulty]);
      if (kind) labelMix[`${kind}/${difficulty}`] = (labelMix[`${kind}/${difficulty}`] ?? 0) + 1;
      if (i % 5000 === 0) options.onProgress?.({ stage: 'generate', done: i, total: options.accounts, unit: 'accounts' });
    }
    options.onProgress?.({ stage: 'generate', done: options.accounts, total: options.accounts, unit: 'accounts' });
    for (const writer of Object.values(writers)) await writer.close();
    if (existing) await rm(outDir, { recursive: true, force: true });
    await mkdir(path.dirname(path.resolve(outDir)), { recursive: true });
    await rename(tmpDir, outDir);
    untrack();
  } catch (error) {
    await Promise.all(Object.values(writers).map((w) => w.abort()));
    await rm(tmpDir, { recursive: true, force: true });
    untrack();
    throw error;
  }
  return { accounts: options.accounts, rows, labelMix, rings: plan.ringSizes.length };
}
