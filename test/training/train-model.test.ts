import { createHash } from 'node:crypto';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REVIEW_QUEUE_COLUMNS } from '../../training/supervised/review-queue.js';
import { loadDataset } from '../../data/load-dataset.js';
import type { Dataset } from '../../data/dataset.js';
import { ManifestSchema } from '../../models/manifest.js';
import { ModelIntegrityError } from '../../models/read-model-version.js';
import { ModelMetricsSchema } from '../../training/evaluation/evaluate-model.js';
import { DETECTOR_FEATURE_NAMES, FEATURES } from '../../training/features/feature-registry.js';
import { loadScoringParts } from '../../training/model-files.js';
import { RiskAssessmentSchema } from '../../training/scoring/risk-assessment.js';
import { assessAccount, type ScoringParts } from '../../training/scoring/risk-score.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const fixture = inject('fixtureModel');
const versionDir = () => path.join(fixture.modelsRoot, fixture.name, fixture.version);
const tempDir = useTemporaryDirs('ringfence-train-model-');

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
      `- Mahalanobis distance: from the mean of the same ${learnt} accounts the autoencoder learnt from, along ${DETECTOR_FEATURE_NAMES.length} principal axes`,
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
    // the small fixture may block no held-out account (a block needs two kinds of evidence): then the card says so
    expect(metrics.flagged_precision).toBeGreaterThan(monitor.precision ?? 1);
    if (block.accounts > 0) expect(block.precision).toBeGreaterThan(monitor.precision ?? 1);
    const card = await readFile(path.join(versionDir(), 'model-card.md'), 'utf8');
    expect(card).toContain(
      block.accounts > 0 ? `BLOCK_ACCOUNT ${(100 * (block.precision ?? 0)).toFixed(1)}% (${block.fraud} of ${block.accounts})` : 'BLOCK_ACCOUNT none',
    );
  });

  it('lists in report/review-queue.csv the 100 accounts whose review would teach the model most, most first, with their risk as scored', async () => {
    const table = async (file: string) => {
      const [header, ...rows] = (await readFile(path.join(versionDir(), 'report', file), 'utf8')).trim().split('\n');
      const columns = (header as string).split(',');
      return rows.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i] as string, cell])));
    };
    const queue = await table('review-queue.csv');
    expect(Object.keys(queue[0] ?? {})).toEqual([...REVIEW_QUEUE_COLUMNS]);
    expect(queue).toHaveLength(Math.min(100, dataset.accounts.length));
    const risk = new Map((await table('accounts.csv')).map((row) => [row['account_id'], Number(row['risk_score'])]));
    const teach = queue.map((row) => Number(row['teach_value']));
    expect(teach).toEqual([...teach].sort((a, b) => b - a));
    expect(new Set(queue.map((row) => row['account_id'])).size).toBe(queue.length);
    for (const row of queue) {
      for (const column of ['teach_value', 'uncertainty', 'novelty', 'probability']) expect(Number(row[column])).toBeGreaterThanOrEqual(0);
      expect(Number(row['teach_value'])).toBeLessThanOrEqual(1);
      expect(Number(row['risk_score'])).toBeCloseTo(risk.get(row['account_id']) as number, 1);
    }
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

  it('fits the detectors without the identity link features, so sharing identifiers alone moves no anomaly score', async () => {
    const scaler = JSON.parse(await readFile(path.join(versionDir(), 'scaler.json'), 'utf8')) as { feature_names: string[] };
    const links = FEATURES.filter((f) => f.family === 'link').map((f) => f.name);
    expect(links.length).toBeGreaterThan(0);
    expect(scaler.feature_names).toEqual(DETECTOR_FEATURE_NAMES);
    expect(scaler.feature_names.filter((n) => links.includes(n))).toEqual([]);
    // a twin with the same events shares every bank, device and IP of an unlinked account: its link features differ, its anomaly part does not
    const loner = dataset.accounts.find((a) => a.payouts.length > 0 && a.logins.length > 0 && assessAccount(parts, a).links.accounts.length === 0);
    expect(loner).toBeDefined();
    const alone = assessAccount(parts, loner!);
    const twin = assessAccount(parts, { ...loner!, account_id: 'TWIN-OF-LONER' });
    expect(twin.links.accounts.map((l) => l.account_id)).toEqual([loner!.account_id]);
    expect(twin.components.anomaly).toBe(alone.components.anomaly);
    expect(twin.components.kmeans).toBe(alone.components.kmeans);
  });

  it('refuses a version whose scaler scales the identity link features too (trained by an earlier ringfence)', async () => {
    const modelsRoot = await tempDir();
    await cp(fixture.modelsRoot, modelsRoot, { recursive: true });
    const dir = path.join(modelsRoot, fixture.name, fixture.version);
    const scalerFile = path.join(dir, 'scaler.json');
    const state = JSON.parse(await readFile(scalerFile, 'utf8')) as { feature_names: string[]; center: number[]; scale: number[] };
    const links = FEATURES.filter((f) => f.family === 'link').map((f) => f.name);
    const legacy = `${JSON.stringify({
      ...state,
      feature_names: [...state.feature_names, ...links],
      center: [...state.center, ...links.map(() => 0)],
      scale: [...state.scale, ...links.map(() => 1)],
    })}\n`;
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
    manifest.files['scaler.json'] = { sha256: createHash('sha256').update(legacy).digest('hex'), bytes: Buffer.byteLength(legacy) };
    await writeFile(scalerFile, legacy);
    await writeFile(manifestFile, JSON.stringify(manifest));
    const error = await loadScoringParts(modelsRoot, fixture.name, fixture.version).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as ModelIntegrityError).file).toBe(scalerFile);
    expect((error as Error).message).toMatch(/no identity links\): the version was trained by an earlier ringfence; train a new version/);
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
