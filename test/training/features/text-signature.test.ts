// The fast MinHash code against the definition written out plainly (strings, arrays, one shingle at a time):
// signatures are stored in models and identity stores, so a faster computation must give the very same values.
import { describe, expect, it } from 'vitest';
import { createSeededRandom, type SeededRandom } from '../../../data/seeded-random.js';
import { nearDuplicateShare } from '../../../training/features/proposal-features.js';
import { createMinHashKernel } from '../../../training/features/minhash-kernel.js';
import {
  areNearDuplicates,
  NEAR_DUPLICATE_SIMILARITY,
  signatureSimilarity,
  textSignature,
  textSignatureScalar,
  textSignatures,
} from '../../../training/features/text-signature.js';

/** The definition: FNV-1a of each lower-cased ASCII word, 3-word shingles, 32 multiply-xorshift hashes, minimum of each. */
function referenceSignature(text: string): number[] {
  const words = (text.match(/[A-Za-z0-9]+/g) ?? []).map((word) => {
    let h = 0x811c9dc5;
    for (const c of word.toLowerCase()) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    return h >>> 0;
  });
  const shingles = words.length < 3 ? [words] : words.slice(0, -2).map((_, i) => words.slice(i, i + 3));
  const signature = new Array<number>(32).fill(0xffffffff);
  for (const shingle of shingles) {
    let base = 0x9747b28c;
    for (const word of shingle) base = Math.imul(base ^ word, 0x5bd1e995) ^ (base >>> 13);
    base >>>= 0;
    const spread = base ^ (base >>> 15);
    for (let k = 0; k < 32; k++) {
      const h = Math.imul(spread, Math.imul(0x9e3779b1, k + 1) | 1) >>> 0;
      signature[k] = Math.min(signature[k] as number, (h ^ (h >>> 13)) >>> 0);
    }
  }
  return signature;
}

const VOCABULARY = ['hello', 'I', 'can', 'DELIVER', 'api', 'React', 'node', 'today', 'x2', '2024', 'café', 'naïve', 'über', 'ok'];
const SEPARATORS = [' ', ', ', '. ', '\n', ' - ', '!', '  ', '/', '€'];

/** Texts of 0-400 words from a small vocabulary, with mixed case, digits, non-ASCII letters and punctuation. */
function randomText(random: SeededRandom): string {
  const words = random.int(0, random.next() < 0.2 ? 3 : 400);
  let text = random.next() < 0.3 ? ' ' : '';
  for (let i = 0; i < words; i++) {
    text += VOCABULARY[random.int(0, VOCABULARY.length - 1)] + (SEPARATORS[random.int(0, SEPARATORS.length - 1)] as string);
  }
  return text;
}

describe('textSignature', () => {
  const random = createSeededRandom(21);
  const texts = [
    '',
    '   ',
    '!!',
    'one',
    'Two words',
    'Ünïcode wörds only',
    // the kernel reads UTF-8: characters of several bytes (an emoji, lone surrogates) and a NUL between words
    'emoji 😀 between words, then more words',
    '\ud800abc def ghi jkl \udfff mno',
    'nul\u0000separated words here',
    'a'.repeat(5000),
    ...Array.from({ length: 300 }, () => randomText(random)),
    // longer than the kernel's first memory page holds, so that it grows (after shorter texts, and before them again)
    Array.from({ length: 40_000 }, (_, i) => `w${i}`).join(' '),
    'one more short text after the long one',
  ];

  it('equals the definition on random texts, empty and one-word texts and texts longer than its buffers', () => {
    for (const text of texts) expect(Array.from(textSignature(text)), text.slice(0, 60)).toEqual(referenceSignature(text));
  });

  it('lays out the signatures of many texts one after the other (textSignatures), each equal to the definition', () => {
    expect(Array.from(textSignatures(texts))).toEqual(texts.flatMap(referenceSignature));
    expect(textSignatures([])).toHaveLength(0);
  });

  it('equals the definition on its scalar path too (runtimes without WebAssembly SIMD)', () => {
    for (const text of texts) expect(Array.from(textSignatureScalar(text)), text.slice(0, 60)).toEqual(referenceSignature(text));
  });

  it('runs the WebAssembly SIMD kernel on this runtime (Node 20 has SIMD)', () => {
    const table = Uint8Array.from({ length: 128 }, (_, c) =>
      /[a-z0-9]/i.test(String.fromCharCode(c)) ? String.fromCharCode(c).toLowerCase().charCodeAt(0) : 0,
    );
    expect(
      createMinHashKernel(
        Int32Array.from({ length: 32 }, (_, k) => Math.imul(0x9e3779b1, k + 1) | 1),
        table,
      ),
    ).not.toBeNull();
  });
});

describe('areNearDuplicates', () => {
  it('answers signatureSimilarity >= NEAR_DUPLICATE_SIMILARITY for every number of agreeing positions', () => {
    const random = createSeededRandom(3);
    for (let agreeing = 0; agreeing <= 32; agreeing++) {
      for (let trial = 0; trial < 20; trial++) {
        const a = Uint32Array.from({ length: 32 }, () => random.int(0, 0x7fffffff));
        const b = a.map((v) => v + 1);
        const positions = random.shuffle(Array.from({ length: 32 }, (_, k) => k)).slice(0, agreeing);
        for (const k of positions) b[k] = a[k] as number;
        expect(areNearDuplicates(a, b)).toBe(signatureSimilarity(a, b) >= NEAR_DUPLICATE_SIMILARITY);
      }
    }
  });
});

describe('nearDuplicateShare', () => {
  it('equals the share of texts with a near-duplicate among the others, by the definition', () => {
    const random = createSeededRandom(5);
    const template = randomText(random);
    for (let trial = 0; trial < 20; trial++) {
      // some texts copied from a template with a few words changed, some of their own
      const texts = Array.from({ length: random.int(2, 40) }, (_, i) =>
        random.next() < 0.5 ? `${template} ${i} ${VOCABULARY[random.int(0, VOCABULARY.length - 1)]}` : randomText(random),
      );
      const signatures = texts.map(referenceSignature);
      const similar = (i: number, j: number) => signatures[i]!.filter((v, k) => v === signatures[j]![k]).length / 32 >= NEAR_DUPLICATE_SIMILARITY;
      const withTwin = texts.filter((_, i) => texts.some((__, j) => j !== i && similar(i, j))).length;
      expect(nearDuplicateShare(texts)).toBe(withTwin / texts.length);
    }
  });
});
