import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccountEvents } from '../../../data/tables.js';
import { loadDataset } from '../../../data/load-dataset.js';
import { featureSpec } from '../../../training/features/feature-registry.js';
import { loadScoringParts } from '../../../training/model-files.js';
import { assessAccount, type ScoringParts } from '../../../training/scoring/risk-score.js';

const fixture = inject('fixtureModel');
const DAY_MS = 86_400_000;

/** the feature reasons of an assessment, strongest first */
const featureReasons = (parts: ScoringParts, account: AccountEvents) =>
  assessAccount(parts, account)
    .reasons.filter((r) => r.kind === 'feature')
    .map((r) => r.name);

describe('assessAccount reasons', () => {
  let parts: ScoringParts;
  let honest: AccountEvents[];
  beforeAll(async () => {
    ({ parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version));
    const dataset = await loadDataset(fixture.dataDir);
    honest = dataset.accounts.filter((a) => dataset.labels?.get(a.account_id)?.label === 0 && a.proposals.length >= 5).slice(0, 30);
  });

  const withCheatedTests = (account: AccountEvents, count = 4): AccountEvents => {
    const lastTs = Math.max(...account.proposals.map((p) => p.ts));
    const cheats = Array.from({ length: count }, (_, k) => ({
      test_id: `T-CHEAT-${k}`,
      started_at: lastTs - k * DAY_MS,
      duration_s: 120,
      score: 99,
      typical_duration_s: 1200,
    }));
    return { ...account, tests: [...account.tests, ...cheats].sort((a, b) => a.started_at - b.started_at) };
  };
  const withLowBids = (account: AccountEvents): AccountEvents => ({
    ...account,
    proposals: account.proposals.map((p) => ({ ...p, bid_amount: p.job_budget * 0.1 })),
  });

  // Drawn from the autoencoder alone (the reasons before 2026-12-04), the first reason of these accounts was a skills-test
  // feature for 10 of the 30, the others pointing at logins or payouts their owners had always had.
  it('names the skills tests first when ordinary accounts pass four tests in a tenth of the usual time', () => {
    expect(honest.length).toBe(30);
    const reasons = honest.map((account) => featureReasons(parts, withCheatedTests(account)));
    const isTests = (name: string | undefined) => name !== undefined && featureSpec(name).family === 'skills-test';
    expect(reasons.filter((names) => isTests(names[0])).length).toBeGreaterThanOrEqual(24);
    expect(reasons.filter((names) => names.some(isTests)).length).toBeGreaterThanOrEqual(27);
  });

  it('names the bid ratio when ordinary accounts bid a tenth of every budget', () => {
    const reasons = honest.map((account) => featureReasons(parts, withLowBids(account)));
    expect(reasons.filter((names) => names[0] === 'bid_ratio_median').length).toBeGreaterThanOrEqual(24);
    expect(reasons.filter((names) => names.includes('bid_ratio_median')).length).toBeGreaterThanOrEqual(27);
  });

  it('flags for review, by the rules alone, an ordinary account with three or more fast perfect tests or bidding a tenth of every budget', () => {
    for (const variant of [(a: AccountEvents) => withCheatedTests(a, 3), withLowBids]) {
      const assessments = honest.map((account) => assessAccount(parts, variant(account)));
      for (const a of assessments) {
        expect(a.components.rules).toBeGreaterThanOrEqual(70);
        expect(a.action).not.toBe('MONITOR');
        expect(a.reasons.map((r) => r.code)).toEqual(
          expect.arrayContaining([expect.stringMatching(/^rule-(repeated-fast-perfect-tests|lowball-bids)$/)]),
        );
      }
    }
  });

  it('leaves one fast perfect test to corroborate: alone it flags no ordinary account', () => {
    const plain = honest.map((account) => assessAccount(parts, account));
    const cheated = honest.map((account) => assessAccount(parts, withCheatedTests(account, 1)));
    const ruleCodes = (a: (typeof plain)[number]) => a.reasons.filter((r) => r.kind === 'rule').map((r) => r.code);
    cheated.forEach((a, i) => expect(ruleCodes(a).sort()).toEqual([...new Set([...ruleCodes(plain[i]!), 'rule-fast-perfect-test'])].sort()));
    // accounts no other rule fired on: the one test is 30 points of rules, 0.8 x 30 = 24 of risk, no flag while the detectors find them ordinary
    const ruleFree = cheated.filter((_, i) => plain[i]!.components.rules === 0);
    expect(ruleFree.length).toBeGreaterThanOrEqual(15);
    for (const a of ruleFree) {
      expect(a.components.rules).toBeCloseTo(30, 5);
      if (a.components.anomaly < 30) expect(a.action).toBe('MONITOR');
    }
    expect(ruleFree.filter((a) => a.components.anomaly < 30).length).toBeGreaterThanOrEqual(10);
  });

  it('gives at most three feature reasons, each with its value in original units beside the typical one', () => {
    const reasons = assessAccount(parts, withLowBids(honest[0] as AccountEvents)).reasons.filter((r) => r.kind === 'feature');
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.length).toBeLessThanOrEqual(3);
    const bid = reasons.find((r) => r.name === 'bid_ratio_median');
    expect(bid?.value).toBeCloseTo(0.1, 3);
    expect(bid?.typical).toBeGreaterThan(0.5);
    expect(bid?.detail).toContain('(typical');
  });
});
