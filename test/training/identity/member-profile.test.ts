// The activity signature's fast code (int32, four hashes per pass) against its definition written out plainly in
// unsigned arithmetic: signatures are stored in identity stores and compared across processes, so they must not change.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import type { AccountEvents } from '../../../data/tables.js';
import { textSignature } from '../../../training/features/text-signature.js';
import { integerSetSignature, memberProfile } from '../../../training/identity/member-profile.js';

/** The definition: two multiply-xorshift rounds per value, then 32 keyed multiply-xorshift hashes, minimum of each. */
function referenceSignature(values: ReadonlySet<number>): number[] {
  const multipliers = Array.from({ length: 32 }, (_, i) => Math.imul(0x85ebca6b, 2 * i + 3) | 1);
  const signature = new Array<number>(32).fill(0xffffffff);
  for (const value of values) {
    let h = Math.imul(value ^ (value >>> 16), 0x7feb352d) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
    for (let k = 0; k < 32; k++) {
      const mixed = Math.imul(h ^ k, multipliers[k] as number) >>> 0;
      signature[k] = Math.min(signature[k] as number, (mixed ^ (mixed >>> 16)) >>> 0);
    }
  }
  return signature;
}

describe('integerSetSignature', () => {
  it('equals the definition on empty, small and large sets of hour numbers and of arbitrary 32-bit values', () => {
    const random = createSeededRandom(19);
    const sets: Set<number>[] = [new Set(), new Set([0]), new Set([0xffffffff]), new Set([490_000, 490_001, 490_002])];
    for (let trial = 0; trial < 200; trial++) {
      const size = random.int(1, trial < 100 ? 300 : 2000);
      const start = random.int(260_000, 500_000); // hours since the epoch, 2000-2027
      sets.push(new Set(Array.from({ length: size }, () => (trial % 2 ? start + random.int(0, 5000) : random.int(0, 0xffffffff)))));
    }
    for (const set of sets) expect(integerSetSignature(set)).toEqual(referenceSignature(set));
  });
});

describe('memberProfile', () => {
  /** The definition: the finite bid / budget ratios sorted by (a, b) => a - b, their middle one or the mean of the two. */
  function referenceMedian(ratios: readonly number[]): number | null {
    const sorted = ratios.filter(Number.isFinite).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    if (sorted.length === 0) return null;
    return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  }

  it('gives the median bid ratio of the sorted definition, for few and many proposals, ties, zero budgets and -0 included', () => {
    const random = createSeededRandom(23);
    for (let trial = 0; trial < 600; trial++) {
      const count = trial < 400 ? random.int(0, 70) : random.int(60, 200);
      const levels = random.int(1, 12);
      const proposals = Array.from({ length: count }, (_, i) => {
        const roll = random.next();
        // few distinct levels make ties; a zero budget an infinite (or NaN) ratio; a -0 bid a -0 ratio
        const bid = roll < 0.03 ? -0 : roll < 0.06 ? 0 : 10 * random.int(1, levels) + (trial % 3 === 0 ? random.next() : 0);
        const budget = roll > 0.97 ? 0 : 10 * random.int(1, levels);
        return {
          ts: 1_700_000_000_000 + i * 3_600_000,
          job_id: `j${i}`,
          job_posted_at: 1_700_000_000_000,
          bid_amount: bid,
          job_budget: budget,
          text: 'x',
        };
      });
      const account: AccountEvents = {
        account_id: `a${trial}`,
        created_at: 0,
        country: 'DE',
        has_2fa: false,
        logins: [],
        proposals,
        tests: [],
        payouts: [],
      };
      const expected = referenceMedian(proposals.map((p) => p.bid_amount / p.job_budget));
      expect(Object.is(memberProfile(account, null).bid_ratio_median, expected), `trial ${trial}`).toBe(true);
    }
  });

  it('keeps its signatures as plain arrays of the typed signatures: the text MinHash and that of the set of active hours', () => {
    const random = createSeededRandom(29);
    for (let trial = 0; trial < 50; trial++) {
      const ts = () => 1_700_000_000_000 + random.int(0, 2000) * 3_600_000 + random.int(0, 3_599_999);
      const logins = Array.from({ length: random.int(0, 30) }, () => ({ ts: ts(), ip: '1.2.3.4', country: 'DE', device_id: 'd' }));
      const proposals = Array.from({ length: random.int(0, 30) }, (_, i) => ({
        ts: ts(),
        job_id: `j${i}`,
        job_posted_at: 0,
        bid_amount: 10,
        job_budget: 20,
        text: `proposal ${i} ${random.int(0, 1e9)} with a few more words`,
      }));
      const account: AccountEvents = {
        account_id: `a${trial}`,
        created_at: 0,
        country: 'DE',
        has_2fa: false,
        logins,
        proposals,
        tests: [],
        payouts: [],
      };
      const text = trial % 5 === 0 ? null : `typical ${trial} text of a proposal, ${random.int(0, 1e9)}`;
      const profile = memberProfile(account, text);
      expect(profile.template_signature).toEqual(text === null ? null : Array.from(textSignature(text)));
      const hours = new Set([...logins, ...proposals].map((e) => Math.floor(e.ts / 3_600_000)));
      expect(profile.activity_signature).toEqual(hours.size > 0 ? integerSetSignature(hours) : null);
      expect(profile.active_hours).toBe(hours.size);
    }
  });
});
