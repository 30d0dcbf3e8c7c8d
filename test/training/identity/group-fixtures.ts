// Hand-made honest groups and rings for the ring scorer's tests: agencies, households, re-opened accounts, a new ring.
import { createSeededRandom, type SeededRandom } from '../../../data/seeded-random.js';
import type { AccountEvents, LoginEvent, ProposalEvent } from '../../../data/tables.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const AS_OF = Date.UTC(2026, 5, 30);

const WORDS =
  'design build test ship review plan write code data model api web mobile app shop brand logo video edit copy seo email chat bot cloud'.split(' ');
const TEMPLATE =
  'Hello I am an expert with many years of experience and I can deliver your project fast with top quality results guaranteed contact me now';

/** A personal cover letter: different words every time. */
function ownLetter(random: SeededRandom): string {
  return Array.from({ length: 30 }, () => WORDS[random.int(0, WORDS.length - 1)]).join(' ');
}

export interface MemberSpec {
  readonly id: string;
  readonly createdAt: number;
  readonly country?: string;
  /** logins: each at a time from `loginTimes`, with this IP / device / country */
  readonly loginTimes: readonly number[];
  readonly ips: readonly string[];
  readonly devices: readonly string[];
  readonly loginCountry?: (k: number) => string;
  readonly banks: readonly { hash: string; at: number }[];
  readonly proposalTimes: readonly number[];
  readonly bidRatio: number;
  /** one template for every proposal, else a letter of its own each time */
  readonly template?: string;
  readonly seed: number;
}

export function member(spec: MemberSpec): AccountEvents {
  const random = createSeededRandom(spec.seed);
  const country = spec.country ?? 'DE';
  const logins: LoginEvent[] = spec.loginTimes.map((ts, k) => ({
    ts,
    ip: spec.ips[k % spec.ips.length] as string,
    country: spec.loginCountry ? spec.loginCountry(k) : country,
    device_id: spec.devices[k % spec.devices.length] as string,
  }));
  const proposals: ProposalEvent[] = spec.proposalTimes.map((ts, k) => ({
    ts,
    job_id: `J-${spec.id}-${k}`,
    job_posted_at: ts - HOUR,
    bid_amount: Math.round(100 * spec.bidRatio * (0.7 + 0.6 * random.next())),
    job_budget: 100,
    text: spec.template ?? ownLetter(random),
  }));
  return {
    account_id: spec.id,
    created_at: spec.createdAt,
    country,
    has_2fa: true,
    logins: logins.sort((a, b) => a.ts - b.ts),
    proposals: proposals.sort((a, b) => a.ts - b.ts),
    tests: [],
    payouts: spec.banks.map((b) => ({ added_at: b.at, bank_hash: b.hash })),
  };
}

/** Times on random days between `from` and `to` at random hours of a working day (UTC 8-18): an independent history. */
export function ownTimes(random: SeededRandom, from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, () => {
    const day = Math.floor((from + random.next() * (to - from)) / DAY) * DAY;
    return day + (8 + random.next() * 10) * HOUR;
  }).sort((a, b) => a - b);
}

/** An agency of `size` that opened accounts over two years: one office IP, one agency bank, own devices and histories. */
export function agency(size: number, seed = 1): AccountEvents[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: size }, (_, i) => {
    const createdAt = AS_OF - (60 + random.next() * 700) * DAY;
    return member({
      id: `AG${seed}-${i}`,
      createdAt,
      loginTimes: ownTimes(random, Math.max(createdAt, AS_OF - 180 * DAY), AS_OF, 30),
      ips: ['office-ip', `home-${seed}-${i}`],
      devices: [`laptop-${seed}-${i}`],
      banks: [{ hash: `agency-bank-${seed}`, at: createdAt + random.next() * DAY }],
      proposalTimes: ownTimes(random, Math.max(createdAt, AS_OF - 180 * DAY), AS_OF, 12),
      bidRatio: 0.6 + random.next(),
      seed: seed * 1000 + i,
    });
  });
}

/** A household of `size`: one home IP and one shared laptop, accounts opened years apart, each its own bank and life. */
export function household(size: number, seed = 2): AccountEvents[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: size }, (_, i) => {
    const createdAt = AS_OF - (100 + i * 300 + random.next() * 100) * DAY;
    const evenings = ownTimes(random, AS_OF - 170 * DAY, AS_OF, 25).map((t) => t + 9 * HOUR);
    return member({
      id: `HH${seed}-${i}`,
      createdAt,
      loginTimes: evenings,
      ips: ['home-ip', `phone-${seed}-${i}`],
      devices: ['family-laptop'],
      banks: [{ hash: `own-bank-${seed}-${i}`, at: createdAt + DAY }],
      proposalTimes: ownTimes(random, AS_OF - 170 * DAY, AS_OF, 8),
      bidRatio: 0.5 + random.next(),
      seed: seed * 1000 + i,
    });
  });
}

/** A ring of `size` new accounts created within two days, one template, each with its own bank, on one crew laptop. */
export function newRing(size: number, seed = 3): AccountEvents[] {
  const random = createSeededRandom(seed);
  const start = AS_OF - 40 * DAY;
  return Array.from({ length: size }, (_, i) => {
    const createdAt = start + random.next() * 2 * DAY;
    return member({
      id: `RG${seed}-${i}`,
      createdAt,
      loginTimes: ownTimes(random, createdAt, AS_OF, 15),
      ips: [`proxy-${seed}-${i}`],
      devices: [`crew-laptop-${seed}`],
      banks: [{ hash: `mule-${seed}-${i}`, at: createdAt + random.next() * 30 * DAY }],
      proposalTimes: ownTimes(random, createdAt, AS_OF, 10),
      bidRatio: 0.3 + random.next(),
      template: TEMPLATE,
      seed: seed * 1000 + i,
    });
  });
}

/**
 * A freelancer who lost access to an account made two years ago and opened a new one a few days after its last use,
 * on the same laptop and home IP, paid into the same bank: two accounts, one person, one after the other.
 */
export function reopened(seed = 4): AccountEvents[] {
  const random = createSeededRandom(seed);
  const oldCreated = AS_OF - 720 * DAY;
  const lostAt = AS_OF - 40 * DAY;
  const newCreated = lostAt + 3 * DAY;
  const shared = { ips: ['home-ip-4', `phone-${seed}`], devices: [`own-laptop-${seed}`], bidRatio: 0.9 };
  return [
    member({
      id: `RO${seed}-old`,
      createdAt: oldCreated,
      loginTimes: ownTimes(random, AS_OF - 200 * DAY, lostAt, 40),
      banks: [{ hash: `own-bank-${seed}`, at: oldCreated + DAY }],
      proposalTimes: ownTimes(random, AS_OF - 200 * DAY, lostAt, 20),
      seed: seed * 1000,
      ...shared,
    }),
    member({
      id: `RO${seed}-new`,
      createdAt: newCreated,
      loginTimes: ownTimes(random, newCreated, AS_OF, 15),
      banks: [{ hash: `own-bank-${seed}`, at: newCreated + DAY }],
      proposalTimes: ownTimes(random, newCreated, AS_OF, 8),
      seed: seed * 1000 + 1,
      ...shared,
    }),
  ];
}

/**
 * Members of a coworking space of `size`: its two office IPs (wired and Wi-Fi) on working days, each member's own
 * home IP, laptop and bank, accounts opened over years.
 */
export function coworking(size: number, seed = 5): AccountEvents[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: size }, (_, i) => {
    const createdAt = AS_OF - (90 + random.next() * 900) * DAY;
    return member({
      id: `CW${seed}-${i}`,
      createdAt,
      loginTimes: ownTimes(random, Math.max(createdAt, AS_OF - 180 * DAY), AS_OF, 30),
      ips: [`cowork-wired-${seed}`, `cowork-wifi-${seed}`, `home-${seed}-${i}`],
      devices: [`laptop-${seed}-${i}`],
      banks: [{ hash: `own-bank-${seed}-${i}`, at: createdAt + DAY }],
      proposalTimes: ownTimes(random, Math.max(createdAt, AS_OF - 180 * DAY), AS_OF, 10),
      bidRatio: 0.6 + random.next(),
      seed: seed * 1000 + i,
    });
  });
}
