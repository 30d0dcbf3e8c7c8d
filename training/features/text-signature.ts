// MinHash signatures of proposal texts: near-duplicate detection within an account and across accounts.

const SIGNATURE_SIZE = 32;
const SHINGLE_WORDS = 3;
// Fixed odd multipliers: signatures must be identical in training and serving, on every machine.
// Int32Array: Math.imul reads its arguments as int32 anyway, and an int32 array keeps the hot loop off boxed doubles.
const MULTIPLIERS = Int32Array.from({ length: SIGNATURE_SIZE }, (_, i) => Math.imul(0x9e3779b1, i + 1) | 1);

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/** FNV-1a hashes of the text's lower-cased ASCII words (letters and digits), scanned without building strings. */
function wordHashes(text: string): number[] {
  const hashes: number[] = [];
  let h = 0x811c9dc5;
  let inWord = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      h ^= c >= 65 && c <= 90 ? c + 32 : c;
      h = Math.imul(h, 0x01000193);
      inWord = true;
    } else if (inWord) {
      hashes.push(h >>> 0);
      h = 0x811c9dc5;
      inWord = false;
    }
  }
  return hashes;
}

/** 32 minimum hashes over the text's lower-cased 3-word shingles. */
export function textSignature(text: string): Uint32Array {
  const words = wordHashes(text);
  const signature = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  const count = Math.max(1, words.length - SHINGLE_WORDS + 1);
  for (let i = 0; i < count; i++) {
    let base = 0x9747b28c;
    for (let w = i; w < Math.min(words.length, i + SHINGLE_WORDS); w++) base = Math.imul(base ^ (words[w] as number), 0x5bd1e995) ^ (base >>> 13);
    base >>>= 0;
    const spread = base ^ (base >>> 15);
    for (let k = 0; k < SIGNATURE_SIZE; k++) {
      const h = Math.imul(spread, MULTIPLIERS[k] as number) >>> 0;
      const mixed = (h ^ (h >>> 13)) >>> 0;
      if (mixed < (signature[k] as number)) signature[k] = mixed;
    }
  }
  return signature;
}

/** Estimated Jaccard similarity of the two texts' shingle sets. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let k = 0; k < SIGNATURE_SIZE; k++) if (a[k] === b[k]) same++;
  return same / SIGNATURE_SIZE;
}

/** Two texts count as near-duplicates at this estimated Jaccard similarity or more. */
export const NEAR_DUPLICATE_SIMILARITY = 0.5;
