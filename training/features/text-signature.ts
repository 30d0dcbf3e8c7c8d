// MinHash signatures of proposal texts: near-duplicate detection within an account and across accounts.
//
// The definition (fixed: signatures must be identical in training and serving, on every machine, and in stored
// models and identity stores): a text's words are its runs of ASCII letters and digits, lower-cased, each hashed
// with FNV-1a; its shingles are the runs of 3 consecutive words (one shingle of all its words when it has fewer,
// the empty shingle when it has none), each mixed into one 32-bit value; signature[k] is the minimum over the
// shingles of a hash of that value under the k-th of 32 fixed odd multipliers.
//
// Speed (scoring an account computes the signatures of all its proposal texts, issue 21): one WebAssembly function
// over the text's UTF-8 bytes, the 32 hashes of each shingle as eight 4-lane SIMD vectors (minhash-kernel.ts);
// without SIMD, one pass over the text into a buffer of shingle values, then the hashes over them (min-hashes.ts).

import { writeMinHashes } from './min-hashes.js';
import { createMinHashKernel } from './minhash-kernel.js';

/** Hashes per signature. */
export const SIGNATURE_SIZE = 32;
const SHINGLE_WORDS = 3;
// Fixed odd multipliers. Int32Array: Math.imul reads its arguments as int32 anyway, and an int32 array keeps the hot
// loop off boxed doubles.
const MULTIPLIERS = Int32Array.from({ length: SIGNATURE_SIZE }, (_, i) => Math.imul(0x9e3779b1, i + 1) | 1);
/** h ^ (h >>> 13) of value * multiplier, the value unsalted */
const TEXT_HASH = { shift: 13, salted: false } as const;

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
/**
 * Each ASCII code's lower-cased word character, 0 for a separator (everything else, non-ASCII too): one table read
 * per character instead of three range tests and a case test, about twice as fast over a proposal text (issue 21).
 */
const LOWER_WORD_CHAR = Uint8Array.from({ length: 128 }, (_, c) => (isWordChar(c) ? (c >= 65 && c <= 90 ? c + 32 : c) : 0));

/** The signature as one WebAssembly SIMD function (minhash-kernel.ts), or null where the runtime has no WebAssembly SIMD. */
const KERNEL = createMinHashKernel(MULTIPLIERS, LOWER_WORD_CHAR);

/** Reused by every call of the scalar path (scoring is synchronous): the shingle values of the text at hand. */
let scratch = new Int32Array(256);

/** Room (scalar path) for the shingle values of a text of `length` characters: at most one word per two characters, and at least one shingle. */
const valuesCapacity = (length: number) => length + 1;

/**
 * The scalar path's first step: the text's shingle values (the inputs of the 32 hashes) into `values`, which has
 * room for valuesCapacity(text.length); returns how many (at least one). The words' FNV-1a hashes are written first
 * and each shingle's value overwrites the first word it starts with.
 */
function shingleValues(text: string, values: Int32Array): number {
  let words = 0;
  let h = 0x811c9dc5 | 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c < 128 ? (LOWER_WORD_CHAR[c] as number) : 0;
    if (lower !== 0) {
      h = Math.imul(h ^ lower, 0x01000193);
      inWord = true;
    } else if (inWord) {
      values[words++] = h;
      h = 0x811c9dc5 | 0;
      inWord = false;
    }
  }
  if (inWord) values[words++] = h;
  const shingles = Math.max(1, words - SHINGLE_WORDS + 1);
  for (let i = 0; i < shingles; i++) {
    let base = 0x9747b28c | 0;
    const end = Math.min(words, i + SHINGLE_WORDS);
    for (let w = i; w < end; w++) base = Math.imul(base ^ (values[w] as number), 0x5bd1e995) ^ (base >>> 13);
    values[i] = base ^ (base >>> 15);
  }
  return shingles;
}

/** 32 minimum hashes over the text's lower-cased 3-word shingles. */
export function textSignature(text: string): Uint32Array {
  const signature = new Uint32Array(SIGNATURE_SIZE);
  writeSignature(text, signature, 0);
  return signature;
}

/**
 * The texts' signatures one after the other in one array, text i's at [32 i, 32 i + 32): one allocation for them all
 * (a 128-byte typed array costs about as much to allocate as the hashes of a short text).
 */
export function textSignatures(texts: readonly string[]): Uint32Array {
  const signatures = new Uint32Array(SIGNATURE_SIZE * texts.length);
  for (let i = 0; i < texts.length; i++) writeSignature(texts[i] as string, signatures, SIGNATURE_SIZE * i);
  return signatures;
}

/** textSignature(text) into out[at, at + 32). */
function writeSignature(text: string, out: Uint32Array, at: number): void {
  if (KERNEL === null) writeSignatureScalar(text, out, at);
  else KERNEL.writeTextSignature(text, out, at);
}

/** textSignature without WebAssembly: its path where the runtime has no SIMD (exported for its test). */
export function textSignatureScalar(text: string): Uint32Array {
  const signature = new Uint32Array(SIGNATURE_SIZE);
  writeSignatureScalar(text, signature, 0);
  return signature;
}

function writeSignatureScalar(text: string, signature: Uint32Array, at: number): void {
  if (scratch.length < valuesCapacity(text.length)) scratch = new Int32Array(2 * valuesCapacity(text.length));
  const values = scratch; // a local: the loop below then reads a typed array the compiler can keep in registers
  const shingles = shingleValues(text, values);
  writeMinHashes(values, shingles, MULTIPLIERS, TEXT_HASH, signature, at);
}

/** Estimated Jaccard similarity of the two texts' shingle sets. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let k = 0; k < SIGNATURE_SIZE; k++) if (a[k] === b[k]) same++;
  return same / SIGNATURE_SIZE;
}

/** Two texts count as near-duplicates at this estimated Jaccard similarity or more. */
export const NEAR_DUPLICATE_SIMILARITY = 0.5;
/** signatureSimilarity ≥ NEAR_DUPLICATE_SIMILARITY ⇔ at least this many positions agree */
const NEAR_DUPLICATE_POSITIONS = Math.ceil(NEAR_DUPLICATE_SIMILARITY * SIGNATURE_SIZE);

/**
 * signatureSimilarity(a, b) ≥ NEAR_DUPLICATE_SIMILARITY, deciding as soon as the answer is known: once enough
 * positions agree, or too few are left to reach it.
 */
export function areNearDuplicates(a: Uint32Array, b: Uint32Array): boolean {
  return areNearDuplicatesAt(a, 0, b, 0);
}

/** areNearDuplicates of the signatures at a[aAt, aAt + 32) and b[bAt, bAt + 32) (as textSignatures lays them out). */
export function areNearDuplicatesAt(a: Uint32Array, aAt: number, b: Uint32Array, bAt: number): boolean {
  let same = 0;
  for (let k = 0; k < SIGNATURE_SIZE; k++) {
    if (a[aAt + k] === b[bAt + k]) {
      if (++same >= NEAR_DUPLICATE_POSITIONS) return true;
    } else if (same + SIGNATURE_SIZE - 1 - k < NEAR_DUPLICATE_POSITIONS) return false;
  }
  return false;
}
