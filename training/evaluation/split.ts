// Seeded stratified split of row indices: the same share of each class goes to the held-out part.
import { createSeededRandom } from '../../data/seeded-random.js';

export function stratifiedSplit(labels: ArrayLike<number>, testShare: number, seed: number): { train: Uint32Array; test: Uint32Array } {
  if (!(testShare > 0 && testShare < 1)) throw new RangeError(`test share must be in (0, 1), got ${testShare}`);
  const random = createSeededRandom(seed).fork('split');
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === label) rows.push(i);
    random.shuffle(rows);
    const testCount = Math.round(rows.length * testShare);
    // a loop, not push(...rows): spreading a million arguments overflows the stack
    for (let k = 0; k < rows.length; k++) (k < testCount ? test : train).push(rows[k] as number);
  }
  return { train: Uint32Array.from(train.sort((a, b) => a - b)), test: Uint32Array.from(test.sort((a, b) => a - b)) };
}
