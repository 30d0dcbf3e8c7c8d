// The first generator's fraud kinds, each rewriting an honest account: classic rings, bots, takeovers, test cheats
// and bid abusers (easy and hard variants; see data/README.md).
import { createSeededRandom, type SeededRandom } from '../seeded-random.js';
import {
  COUNTRIES,
  DAY_MS,
  FAR_COUNTRIES,
  FRAUD_TEMPLATE_COUNT,
  hexId,
  honestProposalText,
  ipFor,
  jobAt,
  jobIndexBefore,
  TESTS,
  templatedText,
  WINDOW_END_MS,
  WINDOW_START_MS,
} from './marketplace-world.js';
import { HOUR, MINUTE, roundSecond, SECOND, type AccountOut, type Login, type Payout, type Proposal, type Test } from './honest-account.js';

const countryInfo = (code: string) => COUNTRIES.find((c) => c.code === code) ?? (COUNTRIES[0] as (typeof COUNTRIES)[number]);

export interface RingShared {
  bank: string;
  devices: string[];
  proxyIp: string;
  template: number;
  country: string;
  createdAround: number;
}

export function ringShared(seed: number, ring: number, isHard: boolean, size: number): RingShared {
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

export function fraudProposal(random: SeededRandom, ts: number, delayMs: number, ratio: number, text: string): Proposal {
  const job = jobAt(jobIndexBefore(ts - delayMs));
  return [roundSecond(Math.max(ts, job.postedAt + delayMs)), job.id, job.postedAt, Math.round(job.budget * ratio * 100) / 100, job.budget, text];
}

export function ringMember(base: AccountOut, random: SeededRandom, shared: RingShared, memberIndex: number, isHard: boolean): AccountOut {
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
    const text = templatedText(
      shared.template,
      isHard ? random.int(1, 3) : 0,
      (items) => random.pick(items),
      () => random.next(),
    );
    proposals.push(
      fraudProposal(
        random,
        ts,
        random.int(isHard ? 300 : 60, isHard ? 7200 : 900) * SECOND,
        Math.max(0.15, random.normal(isHard ? 0.7 : 0.45, 0.1)),
        text,
      ),
    );
  }
  proposals.sort((a, b) => a[0] - b[0]);
  const payouts: Payout[] = [[roundSecond(from + random.next() * 3 * DAY_MS), isHard ? hexId(`ringownbank:${base.id}`, 24) : shared.bank]];
  return {
    ...base,
    createdAt,
    has2fa: isHard ? random.chance(0.4) : false,
    logins,
    proposals,
    tests: base.tests.filter((t) => t[1] >= createdAt),
    payouts,
  };
}

export function botAccount(base: AccountOut, random: SeededRandom, isHard: boolean, seed: number): AccountOut {
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const device = hexId(`botdev:${seed}:${base.id}`, 16);
  const dcIp = ipFor(`dc:${seed}:${random.int(0, 199)}`, 172);
  const logins: Login[] = Array.from(
    { length: random.int(20, 60) },
    () => [roundSecond(from + random.next() * (WINDOW_END_MS - from)), dcIp, base.country, device] as Login,
  );
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
      proposals.push(
        fraudProposal(
          random,
          ts,
          delay,
          Math.max(0.2, random.normal(0.7, 0.15)),
          templatedText(
            template,
            isHard ? random.int(0, 3) : 0,
            (items) => random.pick(items),
            () => random.next(),
          ),
        ),
      );
    }
  }
  proposals.sort((a, b) => a[0] - b[0]);
  return { ...base, has2fa: false, logins: isHard ? [...base.logins, ...logins].sort((a, b) => a[0] - b[0]) : logins, proposals };
}

export function takeoverAccount(base: AccountOut, random: SeededRandom, isHard: boolean, seed: number): AccountOut {
  const history = base.logins;
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const takeoverAt = roundSecond(Math.max(from + 5 * DAY_MS, WINDOW_END_MS - random.int(5, 40) * DAY_MS));
  const info = countryInfo(base.country);
  const attackerCountry =
    isHard && info.neighbours.length > 0 ? random.pick(info.neighbours) : random.pick(FAR_COUNTRIES.filter((c) => c !== base.country));
  const attackerDevice = hexId(`atkdev:${seed}:${base.id}`, 16);
  const attackerIp = ipFor(`atk:${seed}:${base.id}`, 185);
  const before = history.filter((l) => l[0] < takeoverAt);
  const lastHome = before.length > 0 ? (before[before.length - 1] as Login) : null;
  // easy: the attacker logs in within the hour after the owner (impossible travel); hard: a day later
  const firstAttack = lastHome ? lastHome[0] + (isHard ? random.int(20, 40) * HOUR : random.int(10, 50) * MINUTE) : takeoverAt;
  const logins: Login[] = [...before];
  const attackLogins = random.int(isHard ? 3 : 6, isHard ? 8 : 20);
  for (let k = 0; k < attackLogins; k++)
    logins.push([roundSecond(firstAttack + k * random.int(2, 20) * HOUR), attackerIp, attackerCountry, attackerDevice]);
  // the owner still logs in now and then, flipping countries back and forth
  for (const l of history.filter((l) => l[0] >= takeoverAt).slice(0, isHard ? 1 : 4)) logins.push(l);
  logins.sort((a, b) => a[0] - b[0]);
  const payouts: Payout[] = [
    ...base.payouts.filter((p) => p[0] < firstAttack),
    [roundSecond(firstAttack + (isHard ? random.int(50, 120) : random.int(1, 20)) * HOUR), hexId(`atkbank:${seed}:${base.id}`, 24)],
  ];
  const proposals = base.proposals.filter((p) => p[0] < firstAttack);
  for (let k = 0; k < random.int(isHard ? 1 : 5, isHard ? 4 : 15); k++) {
    proposals.push(
      fraudProposal(
        random,
        firstAttack + random.next() * 4 * DAY_MS,
        random.int(120, 3600) * SECOND,
        Math.max(0.2, random.normal(0.6, 0.15)),
        templatedText(
          random.int(0, FRAUD_TEMPLATE_COUNT - 1),
          random.int(0, 2),
          (items) => random.pick(items),
          () => random.next(),
        ),
      ),
    );
  }
  proposals.sort((a, b) => a[0] - b[0]);
  return { ...base, has2fa: isHard ? base.has2fa : false, logins, proposals, payouts };
}

export function testCheatAccount(base: AccountOut, random: SeededRandom, isHard: boolean): AccountOut {
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const tests: Test[] = [...base.tests];
  const cheats = isHard ? random.int(1, 2) : random.int(3, 6);
  for (let k = 0; k < cheats; k++) {
    const test = random.pick(TESTS);
    const fraction = isHard ? 0.28 + random.next() * 0.14 : 0.05 + random.next() * 0.15;
    tests.push([
      test.id,
      roundSecond(from + random.next() * (WINDOW_END_MS - from)),
      Math.max(20, Math.round(test.typicalSeconds * fraction)),
      isHard ? random.int(90, 97) : random.int(98, 100),
      test.typicalSeconds,
    ]);
  }
  tests.sort((a, b) => a[1] - b[1]);
  return { ...base, tests };
}

export function bidAbuseAccount(base: AccountOut, random: SeededRandom, isHard: boolean): AccountOut {
  const from = Math.max(base.createdAt, WINDOW_START_MS);
  const proposals: Proposal[] = [];
  const count = isHard ? random.int(15, 30) : random.int(30, 80);
  const isOverbid = random.chance(0.25);
  for (let k = 0; k < count; k++) {
    const ratio = isOverbid
      ? isHard
        ? 1.6 + random.next() * 0.6
        : 3 + random.next() * 3
      : isHard
        ? 0.35 + random.next() * 0.15
        : 0.05 + random.next() * 0.2;
    const text = honestProposalText(`Hi, I can do it for less. ${base.id.slice(-3)}`, 'x', random.next(), (items) => random.pick(items));
    proposals.push(fraudProposal(random, from + random.next() * (WINDOW_END_MS - from), random.int(300, 20000) * SECOND, ratio, text));
  }
  proposals.sort((a, b) => a[0] - b[0]);
  return { ...base, proposals };
}
