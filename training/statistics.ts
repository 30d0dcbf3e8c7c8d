// The one home of quantiles, medians, means and standard deviations, so every part of ringfence uses one convention:
// quantiles interpolate linearly between order statistics (R-7, numpy's default), so the median of an even count is
// the mean of its two middle values; the standard deviation is the population one (divides by n, numpy's default).
import { mean as d3Mean, quantileSorted } from 'd3-array';

/** The q-quantile (0..1) of values already sorted ascending; 0 for none. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  // d3 reads only length and indices, so a typed array serves as well as the array its types ask for
  return sorted.length === 0 ? 0 : (quantileSorted(sorted as readonly number[] as number[], q) as number);
}

/** The q-quantile (0..1) of values in any order (sorts a copy); 0 for none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileOfSorted(Float64Array.from(values).sort(), q);
}

/** The median of values in any order; 0 for none. */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** The arithmetic mean; 0 for none. */
export function mean(values: Iterable<number>): number {
  return d3Mean(values) ?? 0;
}

/** The population standard deviation (divides by n); 0 for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const centre = mean(values);
  return Math.sqrt(mean(values.map((x) => (x - centre) ** 2)));
}
