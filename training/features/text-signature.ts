// MinHash signatures of proposal texts: near-duplicate detection within an account and across accounts.

const SIGNATURE_SIZE = 32;
const SHINGLE_WORDS = 3;
// Fixed odd multipliers: signatures must be identical in training and serving, on every machine.
const MULTIPLIERS = Array.from({ length: SIGNATURE_SIZE }, (_, i) => (Math.imul(0x9e3779b1, i + 1) | 1) >>> 0);

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 32 minimum hashes over the text's lower-cased 3-word shingles. */
export function textSignature(text: string): Uint32Array {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const signature = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  const count = Math.max(1, words.length - SHINGLE_WORDS + 1);
  for (let i = 0; i < count; i++) {
    const base = fnv1a(words.slice(i, i + SHINGLE_WORDS).join(' '));
    for (let k = 0; k < SIGNATURE_SIZE; k++) {
      const h = Math.imul(base ^ (base >>> 15), MULTIPLIERS[k] as number) >>> 0;
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
