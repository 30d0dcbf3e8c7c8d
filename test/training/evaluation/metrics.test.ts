import { describe, expect, it } from 'vitest';
import { averagePrecision, precisionAtK, rocAuc } from '../../../training/evaluation/metrics.js';
import { matchRings } from '../../../training/evaluation/ring-metrics.js';
import { stratifiedSplit } from '../../../training/evaluation/split.js';

describe('rocAuc and averagePrecision', () => {
  it('match scikit-learn on a small case with ties', () => {
    // by hand (scikit-learn's definitions): ROC-AUC 7/9; AP = 1/3·1 + 1/3·1 + 0 (tied 0.4s) + 1/3·3/5 = 13/15
    const y = [0, 0, 1, 1, 0, 1];
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9];
    expect(rocAuc(s, y)).toBeCloseTo(7 / 9, 10);
    expect(averagePrecision(s, y)).toBeCloseTo(13 / 15, 10);
    expect(precisionAtK(s, y, 2)).toBe(1);
  });

  it('refuses one class only and labels other than 0/1', () => {
    expect(() => rocAuc([0.1, 0.2], [0, 0])).toThrow(/both classes/);
    expect(() => averagePrecision([0.1, 0.2], [0, 2])).toThrow(/labels must be 0 or 1/);
  });
});

describe('stratifiedSplit', () => {
  it('splits a million rows (no argument spreading that would overflow the stack)', () => {
    const labels = new Uint8Array(1_000_000);
    for (let i = 0; i < labels.length; i += 20) labels[i] = 1;
    const { train, test } = stratifiedSplit(labels, 0.3, 7);
    expect(train.length + test.length).toBe(labels.length);
    expect(test.filter((i) => labels[i] === 1).length).toBe(Math.round(50_000 * 0.3));
  });

  it('keeps the class shares and is reproducible', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i < 10 ? 1 : 0));
    const a = stratifiedSplit(labels, 0.3, 1);
    expect(a.test.length).toBe(30);
    expect(Array.from(a.test).filter((i) => labels[i] === 1)).toHaveLength(3);
    expect(Array.from(stratifiedSplit(labels, 0.3, 1).test)).toEqual(Array.from(a.test));
  });
});

describe('matchRings', () => {
  it('matches rings at Jaccard >= 0.5 and counts honest accounts in rings', () => {
    const m = matchRings(
      [
        ['a', 'b', 'c'],
        ['x', 'y'],
      ],
      [
        ['a', 'b', 'c', 'd'],
        ['p', 'q', 'r'],
      ],
      new Set(['x', 'y', 'z']),
    );
    expect(m).toEqual({ predictedRings: 2, trueRings: 2, precision: 0.5, recall: 0.5, honestInRingsShare: 2 / 3 });
  });
});
