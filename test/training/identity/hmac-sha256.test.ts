// hmac-sha256.ts against node:crypto's createHmac: identifier hashes are stored in models and identity stores and
// compared across processes, so the faster computation must give the very same digests.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, type SeededRandom } from '../../../data/seeded-random.js';
import { hmacSha256Hex, sha256Hex } from '../../../training/identity/hmac-sha256.js';

const PIECES = ['a', 'Z', '0', ':', ' ', 'é', 'ü', '端', '\u{1F600}', '\uD800', '\uDC00', '\0', '\u07FF', '\uFFFF'];

/** Strings of 0-`max` code units, mostly ASCII, with 2-, 3- and 4-byte characters, NUL and lone surrogates among them. */
function randomString(random: SeededRandom, max: number): string {
  const length = random.int(0, max);
  let text = '';
  while (text.length < length) text += random.chance(0.7) ? String.fromCharCode(random.int(32, 126)) : random.pick(PIECES);
  return text;
}

describe('hmacSha256Hex and sha256Hex', () => {
  it("equals createHmac's hex digest, whole and cut, for keys and messages across the block boundaries", () => {
    const random = createSeededRandom(256);
    const keys = ['', 'k', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(65), 'é'.repeat(32), 'é'.repeat(33), '\uD800key', 'secret '.repeat(30)];
    // messages whose UTF-8 length sits at the padding boundaries (55/56 bytes, 119/120, ...) and beyond one block
    const messages = ['', 'device:', 'bank:x', ...[54, 55, 56, 57, 63, 64, 65, 119, 120, 121, 200, 1000].map((n) => 'm'.repeat(n))];
    for (let i = 0; i < 3000; i++) messages.push(randomString(random, random.chance(0.9) ? 40 : 400));
    for (let i = 0; i < 20; i++) keys.push(randomString(random, 100));
    for (const key of keys) {
      for (const [m, message] of messages.entries()) {
        if (key !== keys[0] && m % 7 !== 0) continue; // every message under the first key, a seventh of them under each other
        const expected = createHmac('sha256', key).update(message).digest('hex');
        expect(hmacSha256Hex(key, message, 32)).toBe(expected);
        expect(hmacSha256Hex(key, message, 12)).toBe(expected.slice(0, 24));
      }
    }
  });

  it("sha256Hex equals createHash's hex digest, whole and cut, across the block boundaries", () => {
    const random = createSeededRandom(257);
    const messages = ['', 'A0000001', ...[54, 55, 56, 57, 63, 64, 65, 119, 120, 121, 1000].map((n) => 'm'.repeat(n))];
    for (let i = 0; i < 2000; i++) messages.push(randomString(random, random.chance(0.9) ? 40 : 400));
    for (const message of messages) {
      const expected = createHash('sha256').update(message).digest('hex');
      expect(sha256Hex(message, 32)).toBe(expected);
      expect(sha256Hex(message, 6)).toBe(expected.slice(0, 12));
    }
  });

  it('alternates between keys without mixing them up', () => {
    for (let i = 0; i < 50; i++) {
      const key = i % 2 ? 'first' : 'second';
      expect(hmacSha256Hex(key, `ip:10.0.0.${i}`, 12)).toBe(createHmac('sha256', key).update(`ip:10.0.0.${i}`).digest('hex').slice(0, 24));
    }
  });

  it('refuses a digest length outside 1-32 bytes', () => {
    for (const bytes of [0, 33, 1.5, NaN]) {
      expect(() => hmacSha256Hex('k', 'm', bytes)).toThrow(RangeError);
      expect(() => sha256Hex('m', bytes)).toThrow(RangeError);
    }
  });
});
