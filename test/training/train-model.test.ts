import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDataset } from '../../data/load-dataset.js';
import type { Dataset } from '../../data/dataset.js';
import { ManifestSchema } from '../../models/manifest.js';
import { ModelMetricsSchema } from '../../training/evaluation/evaluate-model.js';
import { FEATURE_NAMES } from '../../training/features/feature-registry.js';
import { loadScoringParts } from '../../training/model-files.js';
import { RiskAssessmentSchema } from '../../training/scoring/risk-assessment.js';
import { assessAccount, type ScoringParts } from '../../training/scoring/risk-score.js';

const fixture = inject('fixtureModel');
const versionDir = () => path.join(fixture.modelsRoot, fixture.name, fixture.version);

describe('trainModel', () => {
  let dataset: Dataset;
  let parts: ScoringParts;
  beforeAll(async () => {
    dataset = await loadDataset(fixture.dataDir);
    ({ parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version));
  });

  it('writes a complete version with a manifest listing every file and the analyst report', async () => {
    const manifest = ManifestSchema.parse(JSON.parse(await readFile(path.join(versionDir(), 'manifest.json'), 'utf8')));
    expect(Object.keys(manifest.files)).toEqual(
      expect.arrayContaining([
        'scaler.json',
        'kmeans.json',
        'isolation-forest.json',
        'mahalanobis.json',
        'autoencoder/model.json',
        'autoencoder/weights.bin',
        'calibration.json',
        'policy.json',
        'identity-index.jsonl',
        'metrics.json',
      ]),
    );
    for (const file of ['accounts.csv', 'clusters.csv', 'cluster-profiles.csv', 'rings.csv']) {
      expect((await stat(path.join(versionDir(), 'report', file))).size).toBeGreaterThan(20);
    }
    const latest = (await readFile(path.join(fixture.modelsRoot, fixture.name, 'LATEST'), 'utf8')).trim();
    expect(latest).toBe(fixture.version);
  });

  it('says in the model card how many accounts the autoencoder learnt from, out of those the detectors were fitted on', async () => {
    const card = await readFile(path.join(versionDir(), 'model-card.md'), 'utf8');
    const metrics = ModelMetricsSchema.parse(JSON.parse(await readFile(path.join(versionDir(), 'metrics.json'), 'utf8')));
    const match = /learnt from (\d+) of the (\d+) accounts: those whose mean k-means \/ isolation-forest robust z is at most 2/.exec(card);
    expect(match).not.toBeNull();
    const [learnt, fitted] = [Number(match?.[1]), Number(match?.[2])];
    expect(fitted).toBe(metrics.split.train_accounts);
    expect(learnt).toBeGreaterThanOrEqual(Math.ceil(fitted / 2));
    expect(learnt).toBeLessThan(fitted);
    expect(card).toContain(
      `- Mahalanobis distance: from the mean of the same ${learnt} accounts the autoencoder learnt from, along ${FEATURE_NAMES.length} principal axes`,
    );
    expect(card).toContain('the anomaly part is the mean of the four.');
  });

  it("says in the model card how k-means measures distance: each cluster's own quantile, floored at all accounts'", async () => {
    const card = await readFile(path.join(versionDir(), 'model-card.md'), 'utf8');
    expect(card).toMatch(
      /k-means: k = \d+.*distance in units of the cluster's 0\.9 quantile of training distances, never below that of all accounts\./,
    );
  });

  it('evaluates on held-out labels and ranks fraud above normal accounts', async () => {
    const metrics = ModelMetricsSchema.parse(JSON.parse(await readFile(path.join(versionDir(), 'metrics.json'), 'utf8')));
    expect(metrics.split.test_accounts).toBeGreaterThan(300);
    expect(metrics.roc_auc['risk_score']).toBeGreaterThan(0.85);
    expect(metrics.rings?.recall).toBeGreaterThan(0.8);
  });

  it('measures how much of each action is fraud, adding up to the flagged precision', async () => {
    const metrics = ModelMetricsSchema.parse(JSON.parse(await readFile(path.join(versionDir(), 'metrics.json'), 'utf8')));
    const by = metrics.precision_by_action;
    if (!by) throw new Error('metrics.json has no precision_by_action');
    const [block, flag, monitor] = [by['BLOCK_ACCOUNT'], by['FLAG_FOR_REVIEW'], by['MONITOR']];
    if (!block || !flag || !monitor) throw new Error(`an action is missing: ${Object.keys(by).join(', ')}`);
    expect(block.accounts + flag.accounts + monitor.accounts).toBe(metrics.evaluated_accounts);
    expect(block.fraud + flag.fraud + monitor.fraud).toBe(metrics.fraud_accounts);
    expect((block.fraud + flag.fraud) / (block.accounts + flag.accounts)).toBeCloseTo(metrics.flagged_precision, 10);
    expect(block.precision).toBeGreaterThan(monitor.precision ?? 1);
    const card = await readFile(path.join(versionDir(), 'model-card.md'), 'utf8');
    expect(card).toContain(`BLOCK_ACCOUNT ${(100 * (block.precision ?? 0)).toFixed(1)}% (${block.fraud} of ${block.accounts})`);
  });

  it('scores an account the same alone as in the training batch and after save and load', async () => {
    const [header, ...rows] = (await readFile(path.join(versionDir(), 'report', 'accounts.csv'), 'utf8')).trim().split('\n');
    const riskColumn = (header as string).split(',').indexOf('risk_score');
    expect(riskColumn).toBeGreaterThan(0);
    const saved = new Map(
      rows.map((line) => {
        const cells = line.split(',');
        return [cells[0] as string, Number(cells[riskColumn])];
      }),
    );
    for (const account of dataset.accounts.slice(0, 60)) {
      const assessment = RiskAssessmentSchema.parse(assessAccount(parts, account));
      expect(assessment.risk_score).toBeCloseTo(saved.get(account.account_id) as number, 1);
    }
  });

  it('gives every assessment ordered reasons whose contributions sum to one', () => {
    const flagged = dataset.accounts.map((a) => assessAccount(parts, a)).filter((a) => a.action !== 'MONITOR');
    expect(flagged.length).toBeGreaterThan(5);
    for (const a of flagged) {
      expect(a.reasons.length).toBeGreaterThan(0);
      const total = a.reasons.reduce((s, r) => s + r.contribution, 0);
      expect(total).toBeCloseTo(1, 2);
      for (let i = 1; i < a.reasons.length; i++) expect(a.reasons[i - 1]!.contribution).toBeGreaterThanOrEqual(a.reasons[i]!.contribution);
    }
  });

  it("links a new account that reuses a ring member's bank hash to that ring", () => {
    const ringMember = dataset.accounts.find((a) => parts.identityIndex.ringOfAccount.has(a.account_id) && a.payouts.length > 0);
    expect(ringMember).toBeDefined();
    const newcomer = { ...ringMember!, account_id: 'NEW-ACCOUNT', logins: [], proposals: [], tests: [], payouts: ringMember!.payouts.slice(0, 1) };
    const assessment = assessAccount(parts, newcomer);
    const sharesBank = assessment.links.accounts.some((l) => l.via.includes('bank'));
    const ringIds = assessment.links.rings;
    expect(sharesBank).toBe(true);
    expect(ringIds).toContain(parts.identityIndex.ringOfAccount.get(ringMember!.account_id));
    expect(assessment.links.shared_identifiers.length).toBeGreaterThan(0);
  });
});
