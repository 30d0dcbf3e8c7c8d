import { describe, expect, it } from 'vitest';
import { mean, median, quantile, quantileOfSorted, standardDeviation } from '../../training/statistics.js';

// reference values: numpy.quantile / numpy.median / numpy.std with their defaults (linear interpolation, ddof=0)
describe('statistics', () => {
  it('interpolates quantiles linearly between order statistics, so an even count has the mean of its middle two as median', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median(Float64Array.from([3, 1, 2]))).toBe(2);
    expect(quantile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.25)).toBeCloseTo(3.25, 12);
    expect(quantileOfSorted(Float64Array.from([1, 2, 3, 4, 5]), 0.9)).toBeCloseTo(4.6, 12);
    expect(quantileOfSorted([1, 2], 0)).toBe(1);
    expect(quantileOfSorted([1, 2], 1)).toBe(2);
  });

  it('takes the population standard deviation and the arithmetic mean', () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(standardDeviation([3])).toBe(0);
  });

  it('gives 0 for no values rather than NaN or undefined', () => {
    expect([median([]), quantile([], 0.3), mean([]), standardDeviation([])]).toEqual([0, 0, 0, 0]);
  });
});
