// the one seeded PRNG (generator, splits, inits); lives in the bottom layer
//
// sfc32 seeded through splitmix32: fast, 128-bit state, good statistical quality, and identical on every
// platform (only 32-bit integer maths), which is what byte-for-byte reproducible outputs need.

export interface SeededRandom {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] inclusive */
  int(min: number, max: number): number;
  /** standard normal (Box-Muller) */
  normal(mean?: number, sd?: number): number;
  /** true with probability p */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** index drawn with probability proportional to weights */
  weightedIndex(weights: readonly number[]): number;
  /** Fisher-Yates shuffle in place; returns the same array */
  shuffle<T>(items: T[]): T[];
  /** an independent stream derived from this one's seed and a label (stable under code reordering) */
  fork(label: string): SeededRandom;
  readonly seed: number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** 32-bit FNV-1a of a string: derives fork seeds from labels. */
export function hashString32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createSeededRandom(seed: number): SeededRandom {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  let spareNormal: number | null = null;

  const random: SeededRandom = {
    seed,
    next: () => nextUint32() / 4294967296,
    int(min, max) {
      if (max < min) throw new RangeError(`int(${min}, ${max}): max < min`);
      return min + Math.floor(random.next() * (max - min + 1));
    },
    normal(mean = 0, sd = 1) {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return mean + sd * value;
      }
      let u = 0;
      while (u === 0) u = random.next();
      const v = random.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => random.next() < p,
    pick(items) {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(random.next() * items.length)] as (typeof items)[number];
    },
    weightedIndex(weights) {
      let total = 0;
      for (const w of weights) total += w;
      if (!(total > 0)) throw new RangeError('weightedIndex needs a positive total weight');
      let r = random.next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] as number;
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        const tmp = items[i] as (typeof items)[number];
        items[i] = items[j] as (typeof items)[number];
        items[j] = tmp;
      }
      return items;
    },
    fork: (label) => createSeededRandom((Math.imul(seed ^ 0x5bd1e995, 31) ^ hashString32(label)) | 0),
  };
  return random;
}
