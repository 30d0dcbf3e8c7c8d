// A seeded sample of row indices, for fitting on large matrices.
import { createSeededRandom } from '../../data/seeded-random.js';

/** Up to `size` distinct row indices drawn without replacement (all rows when there are fewer), sorted. */
export function sampleRowIndices(rowCount: number, size: number, seed: number): Uint32Array {
  if (rowCount <= size) return Uint32Array.from({ length: rowCount }, (_, i) => i);
  const random = createSeededRandom(seed);
  const chosen = new Set<number>();
  while (chosen.size < size) chosen.add(random.int(0, rowCount - 1));
  return Uint32Array.from([...chosen].sort((a, b) => a - b));
}
