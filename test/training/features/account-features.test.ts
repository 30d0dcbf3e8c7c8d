import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { AccountEvents } from '../../../data/tables.js';
import { computeAccountFeatures } from '../../../training/features/account-features.js';
import { FEATURE_NAMES, FEATURES, featureIndex } from '../../../training/features/feature-registry.js';
import { computeLoginFeatures } from '../../../training/features/login-features.js';
import { computePayoutFeatures } from '../../../training/features/payout-features.js';
import { computeProposalFeatures, nearDuplicateShare } from '../../../training/features/proposal-features.js';
import { renderFeatureTable } from '../../../training/features/render-feature-docs.js';
import { computeSkillsTestFeatures } from '../../../training/features/skills-test-features.js';
import { buildIdentityIndex } from '../../../training/identity/identity-graph.js';
import { IdentityConfigSchema } from '../../../training/identity/identity-index.js';

const T0 = Date.UTC(2026, 0, 1);
const H = 3_600_000;
const base = (over: Partial<AccountEvents> = {}): AccountEvents => ({
  account_id: 'A',
  created_at: T0,
  country: 'DE',
  has_2fa: true,
  logins: [],
  proposals: [],
  tests: [],
  payouts: [],
  ...over,
});
const login = (ts: number, country = 'DE', ip = '1.1.1.1', device_id = 'd1') => ({ ts, country, ip, device_id });
const proposal = (ts: number, postedAt: number, bid: number, budget: number, text = 'hello there I can do this job well') => ({
  ts,
  job_id: `J${ts}`,
  job_posted_at: postedAt,
  bid_amount: bid,
  job_budget: budget,
  text,
});
const emptyIndex = buildIdentityIndex([], { config: IdentityConfigSchema.parse({}), hashKey: 'k' });

describe('computeAccountFeatures', () => {
  it('gives an account with no events the documented neutral values, never NaN', () => {
    const { values } = computeAccountFeatures(base(), { referenceTime: T0 + 10 * 24 * H, identityIndex: emptyIndex });
    expect(values).toHaveLength(FEATURES.length);
    FEATURES.forEach((f, i) => {
      expect(Number.isFinite(values[i])).toBe(true);
      if (f.family !== 'account') expect(values[i]).toBe(f.neutral);
    });
    expect(values[featureIndex('account_age_days')]).toBeCloseTo(10, 6);
  });

  it('measures age against the later of the reference time and the last event', () => {
    const account = base({ logins: [login(T0 + 20 * 24 * H)] });
    const { values } = computeAccountFeatures(account, { referenceTime: T0, identityIndex: emptyIndex });
    expect(values[featureIndex('account_age_days')]).toBeCloseTo(20, 6);
  });

  it('refuses an unknown feature name instead of reading column 0', () => {
    expect(() => featureIndex('no_such_feature')).toThrow(/unknown feature "no_such_feature"/);
  });
});

describe('login features', () => {
  it('handles one login: no changes, no travel, zero entropy', () => {
    const f = computeLoginFeatures(base({ logins: [login(T0)] }));
    expect(f).toMatchObject({ login_count: 1, login_country_changes: 0, login_max_travel_kmh: 0, login_hour_entropy: 0, login_foreign_share: 0 });
  });

  it('flags impossible travel between far countries an hour apart and counts country changes', () => {
    const f = computeLoginFeatures(base({ logins: [login(T0, 'DE'), login(T0 + H, 'US', '2.2.2.2', 'd2'), login(T0 + 30 * H, 'DE')] }));
    expect(f['login_country_changes']).toBe(2);
    expect(f['login_max_travel_kmh']).toBeGreaterThan(5000);
    expect(f['login_distinct_ips']).toBe(2);
    expect(f['login_distinct_devices']).toBe(2);
    expect(f['login_foreign_share']).toBeCloseTo(1 / 3, 6);
    expect(f['login_hour_entropy']).toBeGreaterThan(0);
  });

  it('caps the speed of near-simultaneous logins from two countries', () => {
    const f = computeLoginFeatures(base({ logins: [login(T0, 'DE'), login(T0, 'AU')] }));
    expect(f['login_max_travel_kmh']).toBe(20_000);
  });
});

describe('proposal features', () => {
  it('finds the busiest 60-minute window and fast replies', () => {
    const proposals = Array.from({ length: 12 }, (_, i) => proposal(T0 + i * 4 * 60_000, T0 + i * 4 * 60_000 - 30_000, 50, 100));
    proposals.push(proposal(T0 + 5 * H, T0, 100, 100));
    const f = computeProposalFeatures(base({ proposals }));
    expect(f['proposal_max_per_hour']).toBe(12);
    expect(f['proposal_fast_share']).toBeCloseTo(12 / 13, 6);
    expect(f['bid_ratio_median']).toBeCloseTo(0.5, 6);
  });

  it('keeps an absurd bid absurd: a bid / budget beyond what a number holds is the cap, not the neutral value', () => {
    const proposals = [proposal(T0, T0 - H, 1e200, 1e-200), proposal(T0 + H, T0, 1e300, 1e-10), proposal(T0 + 2 * H, T0, 0, 100)];
    const f = computeProposalFeatures(base({ proposals }));
    expect(f['bid_ratio_median']).toBeCloseTo(1e6, 0);
    expect(f['bid_ratio_spread']).toBeCloseTo((Math.log(1e6) - Math.log(1e-3)) * 0.5, 6);
    const features = computeAccountFeatures(base({ proposals }), { referenceTime: T0 + 3 * H, identityIndex: emptyIndex });
    expect(features.values[FEATURE_NAMES.indexOf('bid_ratio_median')]).toBeCloseTo(1e6, 0);
  });

  it('counts near-duplicate texts but not distinct ones', () => {
    expect(
      nearDuplicateShare([
        'the quick brown fox jumps over the lazy dog today',
        'the quick brown fox jumps over the lazy dog today!',
        'completely different words about accounting and tax returns',
      ]),
    ).toBeCloseTo(2 / 3, 6);
    expect(nearDuplicateShare(['one'])).toBe(0);
  });
});

describe('skills-test features', () => {
  it('counts high scores in a small fraction of the typical time', () => {
    const tests = [
      { test_id: 'T1', started_at: T0, duration_s: 100, score: 100, typical_duration_s: 1000 },
      { test_id: 'T2', started_at: T0, duration_s: 900, score: 95, typical_duration_s: 1000 },
    ];
    const f = computeSkillsTestFeatures(base({ tests }));
    expect(f).toMatchObject({ test_count: 2, test_fast_high_scores: 1 });
    expect(f['test_fastest_fraction']).toBeCloseTo(0.1, 6);
    expect(f['test_mean_score']).toBeCloseTo(97.5, 6);
  });
});

describe('payout features', () => {
  it('counts a new bank hash added within 72 h of a login from a new device in a new country, not the first bank', () => {
    const account = base({
      logins: [login(T0), login(T0 + 100 * H, 'RU', '9.9.9.9', 'attacker')],
      payouts: [
        { added_at: T0 + H, bank_hash: 'b1' },
        { added_at: T0 + 110 * H, bank_hash: 'b2' },
      ],
    });
    expect(computePayoutFeatures(account)).toEqual({ payout_bank_count: 2, payout_change_after_new_access: 1 });
  });

  it('does not count a new bank after a new device at home (a new phone) or a known device abroad (travel)', () => {
    const payouts = [
      { added_at: T0 + H, bank_hash: 'b1' },
      { added_at: T0 + 110 * H, bank_hash: 'b2' },
    ];
    const newPhone = base({ logins: [login(T0), login(T0 + 100 * H, 'DE', '1.1.1.1', 'new-phone')], payouts });
    const travel = base({ logins: [login(T0), login(T0 + 100 * H, 'PT', '8.8.8.8', 'd1')], payouts });
    const late = base({ logins: [login(T0), login(T0 + 30 * H, 'RU', '9.9.9.9', 'attacker')], payouts });
    for (const account of [newPhone, travel, late])
      expect(computePayoutFeatures(account)).toEqual({ payout_bank_count: 2, payout_change_after_new_access: 0 });
  });
});

describe('feature docs', () => {
  it('match the registry', async () => {
    const readme = await readFile('training/features/README.md', 'utf8');
    const table = readme.split('<!-- feature-table:start -->\n')[1]?.split('\n<!-- feature-table:end -->')[0];
    expect(table).toBe(renderFeatureTable());
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
  });
});
