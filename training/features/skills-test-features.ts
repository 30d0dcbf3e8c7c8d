// Skills tests: speed against the test's typical time, fast perfect scores, mean score.
import type { AccountEvents } from '../../data/tables.js';

export const HIGH_SCORE = 90;
export const FAST_FRACTION = 0.35;
const TYPICAL_MEAN_SCORE = 65;

export function computeSkillsTestFeatures(account: AccountEvents): Record<string, number> {
  const tests = account.tests;
  if (tests.length === 0) return { test_count: 0, test_fastest_fraction: 1, test_fast_high_scores: 0, test_mean_score: TYPICAL_MEAN_SCORE };
  let fastest = Infinity;
  let fastHigh = 0;
  let total = 0;
  for (const test of tests) {
    const fraction = test.duration_s / test.typical_duration_s;
    fastest = Math.min(fastest, fraction);
    if (test.score >= HIGH_SCORE && fraction < FAST_FRACTION) fastHigh++;
    total += test.score;
  }
  return {
    test_count: tests.length,
    test_fastest_fraction: Math.min(fastest, 10),
    test_fast_high_scores: fastHigh,
    test_mean_score: total / tests.length,
  };
}
