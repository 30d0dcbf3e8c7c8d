import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DatasetError } from '../../../data/data-errors.js';
import { loadDataset } from '../../../data/load-dataset.js';
import type { Dataset } from '../../../data/dataset.js';
import { loadScoringParts } from '../../../training/model-files.js';
import { RiskAssessmentSchema } from '../../../training/scoring/risk-assessment.js';
import { assessAccount } from '../../../training/scoring/risk-score.js';
import { featuriseDataset } from '../../../training/features/featurise-dataset.js';
import { FeedbackSummarySchema } from '../../../training/supervised/feedback-summary.js';
import { type ReviewCandidate, reviewQueue } from '../../../training/supervised/review-queue.js';
import { TrainConfigSchema } from '../../../training/train-config.js';
import { trainModel, type TrainModelResult } from '../../../training/train-model.js';
import { useTemporaryDirs } from '../../temporary-dirs.js';

const fixture = inject('fixtureModel');
const tempDir = useTemporaryDirs('ringfence-feedback-');

/** The analyst of the issue, scaled to the fixture: the fixture model's 60 highest-risk accounts plus a random 60. */
async function feedbackFor(dataset: Dataset, dir: string): Promise<string> {
  const { parts } = await loadScoringParts(fixture.modelsRoot, fixture.name, fixture.version);
  const ranked = dataset.accounts
    .map((a) => ({ id: a.account_id, risk: assessAccount(parts, a).risk_score }))
    .sort((a, b) => b.risk - a.risk || a.id.localeCompare(b.id));
  const picked = [
    ...ranked.slice(0, 60),
    ...ranked
      .slice(60)
      .filter((_, i) => i % 23 === 0)
      .slice(0, 60),
  ];
  const rows = picked.map(({ id }) => {
    const label = dataset.labels?.get(id);
    return `${id},${label?.label ?? 0},${label?.label ? label.kind : ''}`;
  });
  const file = path.join(dir, 'feedback.csv');
  await writeFile(file, `account_id,label,kind\n${rows.join('\n')}\n`);
  return file;
}

describe('trainModel with analyst feedback', () => {
  let dataset: Dataset;
  let result: TrainModelResult;
  let modelsRoot: string;
  let feedbackFile: string;
  beforeAll(async () => {
    dataset = await loadDataset(fixture.dataDir);
    const dir = await tempDir();
    modelsRoot = path.join(dir, 'models');
    feedbackFile = await feedbackFor(dataset, dir);
    result = await trainModel({
      dataDir: fixture.dataDir,
      modelsRoot,
      name: 'learnt',
      seed: 3,
      hashSecret: 'test-secret',
      labelSource: { feedbackFile },
      // 120 labels of 1,500 accounts: a random-sample label stands for ~24 accounts, so the default targets (FLAG 0.90,
      // BLOCK 0.95 at 95% confidence) are beyond what they can vouch for; these are within reach
      config: TrainConfigSchema.parse({ supervised: { flag_precision: 0.6, block_precision: 0.8 } }),
    });
  }, 180_000);

  it('saves the layer in the version and says in the model card what feedback changed, with the lower bounds', async () => {
    const files = await readdir(result.dir);
    expect(files).toEqual(expect.arrayContaining(['supervised-layer.json', 'feedback.json']));
    const summary = FeedbackSummarySchema.parse(JSON.parse(await readFile(path.join(result.dir, 'feedback.json'), 'utf8')));
    expect(summary.layer_fitted).toBe(true);
    expect(summary.labelled_accounts).toBe(120);
    expect(summary.after?.evaluated_accounts).toBe(summary.before?.evaluated_accounts);
    const card = await readFile(path.join(result.dir, 'model-card.md'), 'utf8');
    expect(card).toContain('## What feedback changed');
    expect(card).toMatch(/\| FLAG_FOR_REVIEW or higher \| [\d.]+ \| 60\.0% \| [\d.]+% \| [\d.]+% \(95% Clopper-Pearson\) \|/);
    // the FLAG threshold is where the lower bound reaches the target, not the estimate
    expect(summary.flag?.reached).toBe(true);
    expect(summary.flag?.lower_bound).toBeGreaterThanOrEqual(0.6);
    expect(summary.block?.probability).toBeGreaterThanOrEqual(summary.flag?.probability ?? 1);
  });

  it('scores with the layer after loading: a learned reason and the layer probability, the same whatever the order of events', async () => {
    const { parts } = await loadScoringParts(modelsRoot, 'learnt', undefined, { hashSecret: 'test-secret' });
    expect(parts.supervised).toBeTruthy();
    const account = dataset.accounts.find((a) => a.logins.length > 2) ?? dataset.accounts[0]!;
    const scored = RiskAssessmentSchema.parse(assessAccount(parts, account));
    expect(scored.components.supervised).toBeGreaterThanOrEqual(0);
    expect(scored.reasons.some((r) => r.kind === 'learned')).toBe(true);
    expect(scored.reasons.reduce((a, r) => a + r.contribution, 0)).toBeCloseTo(1, 2);
    const reversed = assessAccount(parts, { ...account, logins: [...account.logins].reverse() });
    expect(reversed).toEqual(scored);
  });

  it('queues for review the uncertain accounts unlike those labelled, never one already labelled', async () => {
    const { parts } = await loadScoringParts(modelsRoot, 'learnt', undefined, { hashSecret: 'test-secret' });
    const data = await featuriseDataset(fixture.dataDir, { identity: parts.identityIndex.config, hashKey: 'test-secret' });
    const queue = reviewQueue(parts, data, 25);
    expect(queue).toHaveLength(25);
    const labelled = new Set(
      (await readFile(feedbackFile, 'utf8'))
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    );
    expect(queue.filter((c) => labelled.has(c.account_id))).toEqual([]);
    queue.slice(1).forEach((c, i) => expect(c.teach_value).toBeLessThanOrEqual((queue[i] as ReviewCandidate).teach_value));
    for (const c of queue) expect(c.teach_value).toBeCloseTo(c.uncertainty * c.novelty, 9);
    // the most certain accounts are not what a review teaches from
    const threshold = parts.supervised?.state.flag.probability ?? 0.5;
    expect(Math.abs((queue[0] as ReviewCandidate).probability - threshold)).toBeLessThan(0.5);
  });

  it('never measures on the labelled accounts', () => {
    expect(result.feedback?.after?.evaluated_accounts).toBe(result.metrics?.evaluated_accounts);
    expect(result.metrics?.evaluated_accounts).toBeLessThan(result.metrics?.split.test_accounts ?? 0);
  });

  it('refuses a feedback file naming an account the data does not have, with its line, and writes no version', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'feedback.csv');
    await writeFile(file, `account_id,label\n${dataset.accounts[0]!.account_id},1\nno-such-account,0\n`);
    const error = await trainModel({
      dataDir: fixture.dataDir,
      modelsRoot: path.join(dir, 'models'),
      name: 'bad',
      seed: 3,
      hashSecret: 'test-secret',
      labelSource: { feedbackFile: file },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(/feedback\.csv line 3, column account_id: unknown account no-such-account/);
    await expect(readdir(path.join(dir, 'models'))).rejects.toThrow();
  }, 120_000);
});
