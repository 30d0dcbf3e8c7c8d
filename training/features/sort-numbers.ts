// Ascending order of the number columns an account's features read (issue 21): most arrive sorted already (a
// canonical account's times) or short, and a typed array's own sort costs microseconds of set-up even then.

/** At most this many values are sorted by insertion: below the set-up cost of a native sort call. */
const INSERTION_SORT_MAX = 64;

/**
 * Sorts values[0, count) ascending in place. For values without NaN this is the order the comparator (a, b) => a - b
 * gives, but for that of -0 and 0, which that comparator leaves as they came: callers whose result could depend on
 * it must not pass a -0. A sorted range is only read, a short one sorted by insertion, a longer one natively.
 */
export function sortAscending(values: Float64Array, count: number): void {
  let i = 1;
  while (i < count && (values[i] as number) >= (values[i - 1] as number)) i++;
  if (i >= count) return;
  if (count > INSERTION_SORT_MAX) {
    values.subarray(0, count).sort();
    return;
  }
  for (; i < count; i++) {
    const value = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > value) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = value;
  }
}
