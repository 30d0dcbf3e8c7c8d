import { describe, expect, it } from 'vitest';
import { actionForScore, evidenceKinds, RiskPolicySchema } from '../../../training/scoring/risk-policy.js';

const policy = RiskPolicySchema.parse({});

describe('actionForScore', () => {
  it('never blocks on one kind of evidence, however high the score: a ring alone, anomaly alone or rules alone is a review', () => {
    for (const kind of ['ring', 'anomaly', 'rules'] as const) expect(actionForScore(99, policy, [kind])).toBe('FLAG_FOR_REVIEW');
    expect(actionForScore(99, policy, [])).toBe('FLAG_FOR_REVIEW');
  });

  it('blocks above block_above with two independent kinds of evidence', () => {
    expect(actionForScore(76, policy, ['anomaly', 'ring'])).toBe('BLOCK_ACCOUNT');
    expect(actionForScore(76, policy, ['ring', 'rules'])).toBe('BLOCK_ACCOUNT');
    expect(actionForScore(75, policy, ['anomaly', 'ring', 'rules'])).toBe('FLAG_FOR_REVIEW');
    expect(actionForScore(76, RiskPolicySchema.parse({ block_needs_kinds: 3 }), ['anomaly', 'ring'])).toBe('FLAG_FOR_REVIEW');
  });
});

describe('evidenceKinds', () => {
  it('counts a ring only when the account is in one, and anomaly and rules from their thresholds on', () => {
    expect(evidenceKinds({ anomaly: 59, rules: 29, ringScore: 0 }, policy)).toEqual([]);
    expect(evidenceKinds({ anomaly: 60, rules: 30, ringScore: 80 }, policy)).toEqual(['anomaly', 'ring', 'rules']);
    // a shared identifier outside a ring carries a ring score of 0: no evidence of any kind
    expect(evidenceKinds({ anomaly: 10, rules: 0, ringScore: 0 }, policy)).toEqual([]);
  });
});
