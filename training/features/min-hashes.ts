// The MinHash loop of both signatures an account carries (its proposal texts, text-signature.ts; its active hours,
// identity/member-profile.ts), which differ only in their multipliers, the shift of the final mix and whether each
// hash salts the value with its index.

// Minimums are kept with the sign bit flipped: unsigned order becomes signed order, so the loop compares int32 values.
const FLIP = 0x80000000 | 0;

/**
 * out[at + k] = the minimum (unsigned) over values[0, count) of h ^ (h >>> shift), h = (salted ? v ^ k : v) *
 * multipliers[k] in 32-bit arithmetic, for each k < multipliers.length (a multiple of 4). Four hash functions per pass
 * over the values, their running minimums in registers: independent chains the processor overlaps, ~1.6x faster than
 * one at a time (issue 21, bench/RESULTS.md).
 */
export function writeMinHashes(
  values: Int32Array,
  count: number,
  multipliers: Int32Array,
  hash: { readonly shift: number; readonly salted: boolean },
  out: Uint32Array,
  at: number,
): void {
  const { shift, salted } = hash;
  for (let k = 0; k < multipliers.length; k += 4) {
    const m0 = multipliers[k] as number;
    const m1 = multipliers[k + 1] as number;
    const m2 = multipliers[k + 2] as number;
    const m3 = multipliers[k + 3] as number;
    const s0 = salted ? k : 0;
    const s1 = salted ? k + 1 : 0;
    const s2 = salted ? k + 2 : 0;
    const s3 = salted ? k + 3 : 0;
    let min0 = 0x7fffffff;
    let min1 = 0x7fffffff;
    let min2 = 0x7fffffff;
    let min3 = 0x7fffffff;
    for (let i = 0; i < count; i++) {
      const v = values[i] as number;
      const h0 = Math.imul(v ^ s0, m0);
      const h1 = Math.imul(v ^ s1, m1);
      const h2 = Math.imul(v ^ s2, m2);
      const h3 = Math.imul(v ^ s3, m3);
      const f0 = h0 ^ (h0 >>> shift) ^ FLIP;
      const f1 = h1 ^ (h1 >>> shift) ^ FLIP;
      const f2 = h2 ^ (h2 >>> shift) ^ FLIP;
      const f3 = h3 ^ (h3 >>> shift) ^ FLIP;
      min0 = f0 < min0 ? f0 : min0;
      min1 = f1 < min1 ? f1 : min1;
      min2 = f2 < min2 ? f2 : min2;
      min3 = f3 < min3 ? f3 : min3;
    }
    out[at + k] = min0 ^ FLIP;
    out[at + k + 1] = min1 ^ FLIP;
    out[at + k + 2] = min2 ^ FLIP;
    out[at + k + 3] = min3 ^ FLIP;
  }
}
