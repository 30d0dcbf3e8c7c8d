// The faster feature and identity code against the plain definitions (plain-account-summary.ts): trained models,
// stored identities and issue 18's figures depend on every value, so the same accounts must give the same bits.
import { describe, expect, it } from 'vitest';
import { inCanonicalOrder } from '../../../data/event-order.js';
import { createSeededRandom, type SeededRandom } from '../../../data/seeded-random.js';
import type { AccountEvents } from '../../../data/tables.js';
import { completeAccountFeatures, summariseAccountEvents, toModelInput } from '../../../training/features/account-features.js';
import { DETECTOR_COLUMNS, FEATURES } from '../../../training/features/feature-registry.js';
import { utcHourOf } from '../../../training/features/login-features.js';
import { nearDuplicateShare, textsWithTwin } from '../../../training/features/proposal-features.js';
import { areNearDuplicatesAt } from '../../../training/features/text-signature.js';
import { buildIdentityIndex } from '../../../training/identity/identity-graph.js';
import { accountIdentity, IdentityConfigSchema } from '../../../training/identity/identity-index.js';
import { plainAccountIdentity, plainLastEventTime, plainNearDuplicateShare, plainOwnValues } from './plain-account-summary.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

const COUNTRIES = ['DE', 'US', 'FR', 'AU', 'ZZ', 'XK', 'IN', 'BR'];
const IDS = ['d1', 'd2', 'dévice-ü', '端末', '10.0.0.1', '10.0.0.2', '2001:db8::1', 'x'.repeat(256), '', '\u{1F600}'];
const WORDS = ['hello', 'I', 'can', 'DELIVER', 'api', 'React', 'today', 'x2', 'café', 'naïve', '端末', 'ok', 'the', 'job'];
const TEMPLATE = 'Hello, I have read your job description and I am confident I can deliver what you need today';

function text(random: SeededRandom): string {
  const kind = random.int(0, 5);
  if (kind === 0) return '';
  if (kind <= 2) return `${TEMPLATE} (${random.int(0, 3)})`; // near-duplicates of one template
  const words = random.int(1, 60);
  return Array.from({ length: words }, () => WORDS[random.int(0, WORDS.length - 1)]).join(random.chance(0.5) ? ' ' : ', ');
}

/** A time near T0: clustered within minutes, spread over months, or exactly on an hour or day boundary (ties too). */
function time(random: SeededRandom, spread: number): number {
  const kind = random.int(0, 4);
  if (kind === 0) return T0 + random.int(0, 200) * HOUR_MS;
  if (kind === 1) return T0 + random.int(0, 30) * DAY_MS - random.int(0, 1);
  return T0 + Math.floor(random.next() * spread);
}

const AMOUNTS = [0, -0, 1e-300, 1e-10, 0.5, 1, 40, 50, 99.99, 1e6, 1e200, 1e300, Number.MAX_VALUE];

function randomAccount(random: SeededRandom, id: number): AccountEvents {
  const size = (max: number) => (random.chance(0.25) ? 0 : random.int(1, random.chance(0.2) ? max : 12));
  const spread = random.pick([HOUR_MS, DAY_MS, 90 * DAY_MS]);
  const country = random.pick(COUNTRIES);
  const ids = IDS.slice(0, random.int(1, IDS.length));
  const logins = Array.from({ length: size(200) }, () => ({
    ts: time(random, spread),
    ip: random.pick(ids),
    country: random.chance(0.7) ? country : random.pick(COUNTRIES),
    device_id: random.pick(ids),
  }));
  const proposals = Array.from({ length: size(300) }, (_, i) => {
    const ts = time(random, spread);
    return {
      ts,
      job_id: `J${i}`,
      job_posted_at: ts - random.pick([0, 1000, 60_000, 120_000, 120_001, DAY_MS, -HOUR_MS]),
      bid_amount: random.chance(0.3) ? random.pick(AMOUNTS) : random.int(1, 500),
      job_budget: random.chance(0.3) ? random.pick(AMOUNTS.filter((a) => a > 0)) : random.int(1, 500),
      text: text(random),
    };
  });
  const tests = Array.from({ length: size(5) }, (_, i) => ({
    test_id: `T${i}`,
    started_at: time(random, spread),
    duration_s: random.int(1, 2000),
    score: random.int(0, 100),
    typical_duration_s: random.int(1, 2000),
  }));
  const payouts = Array.from({ length: size(12) }, () => ({ added_at: time(random, spread), bank_hash: random.pick(ids) }));
  const account = { account_id: `A${id}`, created_at: T0 - DAY_MS, country, has_2fa: random.chance(0.5), logins, proposals, tests, payouts };
  // half of them in canonical order already (what loaders hand over), half in the order a client might send
  return random.chance(0.5) ? inCanonicalOrder(account) : account;
}

const emptyIndex = buildIdentityIndex([], { config: IdentityConfigSchema.parse({}), hashKey: 'k' });
const bits = (values: Float64Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, 2 * values.length));
const KEYS = ['k', '', 'a deployment secret of moderate length', 'ü'.repeat(40), 'long key '.repeat(20)];

describe('account summary against the plain definitions', () => {
  it('gives the same feature bits and the same identity for generated accounts, empty families and extremes included', () => {
    const random = createSeededRandom(2112);
    for (let n = 0; n < 400; n++) {
      const account = randomAccount(random, n);
      const key = KEYS[n % KEYS.length] as string;
      const summary = summariseAccountEvents(account, key);
      expect(bits(summary.ownValues)).toEqual(bits(plainOwnValues(account)));
      expect(summary.lastEventAt).toBe(plainLastEventTime(account));
      expect(summary.identity).toStrictEqual(plainAccountIdentity(inCanonicalOrder(account), key));
      expect(accountIdentity(account, key)).toStrictEqual(plainAccountIdentity(account, key));
      // the model input: the detectors' columns, heavy-tailed ones through log1p
      const { values } = completeAccountFeatures(summary, { referenceTime: T0, identityIndex: emptyIndex });
      const input = DETECTOR_COLUMNS.map((c) =>
        (FEATURES[c] as (typeof FEATURES)[number]).isLogScaled ? Math.log1p(Math.max(0, values[c] as number)) : values[c],
      );
      expect(bits(toModelInput(values))).toEqual(bits(Float64Array.from(input as number[])));
    }
  });

  it('keeps the sign of a zero median bid ratio and the order of tied foreign countries', () => {
    const proposal = (bid: number, i: number) => ({ ts: T0 + i, job_id: `J${i}`, job_posted_at: T0, bid_amount: bid, job_budget: 10, text: 'a b c' });
    const login = (country: string, i: number) => ({ ts: T0 + i * HOUR_MS, ip: 'ip', country, device_id: 'd' });
    const accounts: AccountEvents[] = [[0, -0, 0], [-0, 0, 0], [0, 0, -0], [-0], [-0, -0, 0, 0], [5, -0, 0, 1]].map((bids, n) => ({
      account_id: `Z${n}`,
      created_at: T0,
      country: 'DE',
      has_2fa: false,
      logins: ['US', 'FR', 'ÅL', 'AU', 'US', 'FR', 'AU', 'ÅL'].map(login),
      proposals: bids.map(proposal),
      tests: [],
      payouts: [],
    }));
    for (const account of accounts) {
      expect(accountIdentity(account, 'k')).toStrictEqual(plainAccountIdentity(account, 'k'));
      expect(bits(summariseAccountEvents(account, 'k').ownValues)).toEqual(bits(plainOwnValues(account)));
    }
  });

  it('counts active hours as a Set does when times are -0 or not numbers at all (a library caller unchecked)', () => {
    const event = (ts: number, i: number) => ({
      ts,
      ip: 'ip',
      country: 'DE',
      device_id: 'd',
      job_id: `J${i}`,
      job_posted_at: 0,
      bid_amount: 1,
      job_budget: 2,
      text: 'a',
    });
    const times = [[NaN], [NaN, NaN], [0, -0], [-0, NaN, 0], [NaN, 5 * HOUR_MS, NaN], [HOUR_MS, 0, NaN, -0]];
    for (const loginTimes of times) {
      for (const proposalTimes of times) {
        const account: AccountEvents = {
          ...{ account_id: 'N', created_at: 0, country: 'DE', has_2fa: false, tests: [], payouts: [] },
          logins: loginTimes.map(event),
          proposals: proposalTimes.map(event),
        };
        expect(accountIdentity(account, 'k')).toStrictEqual(plainAccountIdentity(account, 'k'));
      }
    }
  });

  it('shares near-duplicates alike for families of texts edited around the threshold, among unrelated ones', () => {
    const random = createSeededRandom(16);
    const vocabulary = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}`);
    const words = (n: number) => Array.from({ length: n }, () => random.pick(vocabulary));
    for (let trial = 0; trial < 300; trial++) {
      const texts: string[] = [];
      const count = random.int(2, trial % 10 === 0 ? 300 : 70);
      const families = random.int(1, 6);
      const bases = Array.from({ length: families }, () => words(random.int(3, 60)));
      while (texts.length < count) {
        if (random.chance(0.3)) texts.push(words(random.int(0, 60)).join(' '));
        else {
          // a base with a share of its words replaced: Jaccard similarities from near 1 to near 0, many near the threshold
          const share = random.next() * 0.7;
          texts.push((random.pick(bases) as string[]).map((w) => (random.chance(share) ? random.pick(vocabulary) : w)).join(' '));
        }
      }
      expect(nearDuplicateShare(texts)).toBe(plainNearDuplicateShare(texts));
    }
  });

  it('finds every signature with a twin, as comparing all pairs does, for pairs differing in 15-17 positions spread over the bands', () => {
    const random = createSeededRandom(17);
    /**
     * Positions where a copy differs from its original: anywhere, or (the hard case for banding) 32 positions cut into
     * 17 runs of one or two, one position differing in each run but one: 16 agree, and a single run is whole.
     */
    const differences = (): number[] => {
      if (random.chance(0.4)) return random.shuffle(Array.from({ length: 32 }, (_, k) => k)).slice(0, random.int(14, 18));
      const singles = random.shuffle(Array.from({ length: 17 }, (_, r) => r)).slice(0, 2);
      const whole = random.int(0, 16);
      const positions: number[] = [];
      for (let run = 0, at = 0; run < 17; run++) {
        const width = singles.includes(run) ? 1 : 2;
        if (run !== whole) positions.push(at + random.int(0, width - 1));
        at += width;
      }
      return positions;
    };
    for (let trial = 0; trial < 3000; trial++) {
      const m = random.int(2, trial % 20 === 0 ? 120 : 12);
      const signatures = new Uint32Array(32 * m);
      for (let i = 0; i < signatures.length; i++) signatures[i] = random.int(0, 0xffffffff);
      for (let i = 1; i < m; i++) {
        if (random.chance(0.4)) continue;
        // a copy of an earlier signature, changed in some positions
        const original = random.int(0, i - 1);
        signatures.copyWithin(32 * i, 32 * original, 32 * original + 32);
        for (const k of differences()) signatures[32 * i + k] = (signatures[32 * i + k] as number) ^ (1 + random.int(0, 0xfffffff));
      }
      let expected = 0;
      for (let i = 0; i < m; i++) {
        let twin = false;
        for (let j = 0; j < m && !twin; j++) twin = j !== i && areNearDuplicatesAt(signatures, 32 * i, signatures, 32 * j);
        if (twin) expected++;
      }
      expect(textsWithTwin(signatures, m)).toBe(expected);
    }
    expect(() => textsWithTwin(new Uint32Array(32 * 121), 121)).toThrow(RangeError);
  });

  it('shares near-duplicates alike over more texts than are compared, and over one or none', () => {
    const random = createSeededRandom(7);
    for (const count of [0, 1, 2, 3, 119, 120, 121, 250, 361]) {
      const texts = Array.from({ length: count }, () => text(random));
      expect(nearDuplicateShare(texts)).toBe(plainNearDuplicateShare(texts));
    }
  });
});

describe('utcHourOf', () => {
  it("is a Date's UTC hour for whole, fractional, negative and out-of-range times", () => {
    const random = createSeededRandom(24);
    const times = [0, -0, -1, -0.5, 0.5, HOUR_MS - 1, HOUR_MS, -HOUR_MS, -HOUR_MS - 0.25, DAY_MS - 0.001, 8.64e15, -8.64e15, 8.64e15 + 1];
    times.push(-8.64e15 - 1, 8.64e15 + 0.5, 1e300, -Infinity, Infinity, NaN, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE);
    for (let i = 0; i < 20_000; i++) {
      const scale = random.pick([HOUR_MS, DAY_MS, 1e12, 1e15, 8.64e15]);
      const t = (random.next() * 2 - 1) * scale;
      times.push(t, Math.round(t), Math.floor(t / HOUR_MS) * HOUR_MS, Math.floor(t / HOUR_MS) * HOUR_MS - 1);
    }
    for (const t of times) expect([t, utcHourOf(t)]).toEqual([t, new Date(t).getUTCHours()]);
  });
});
