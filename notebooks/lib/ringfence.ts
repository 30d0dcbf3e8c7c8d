// The project's library as notebooks see it: the built ES modules (dist/, built by `npm ci`), loaded through a
// real import(). tslab compiles notebook code to CommonJS with TypeScript 5.0 and type-checks every local module it
// imports, which the library's modules (import.meta, packages typed only through "exports") do not survive; so the
// few signatures notebooks call are restated here, as the narrowest types the cells need.
import * as fs from 'fs';
import * as path from 'path';
import { importESM } from './esm-import.cjs';

const dist = (relative: string) => `file://${path.resolve(process.cwd(), 'dist', relative)}`;

export interface Metrics {
  evaluated_accounts: number;
  fraud_accounts: number;
  roc_auc: Record<string, number>;
  pr_auc: Record<string, number>;
  review_capacity: number;
  precision_at_review_capacity: number;
  flagged_precision: number;
  flagged_recall: number;
  action_rates: Record<string, number>;
  recall_by_kind: Record<string, { accounts: number; caught: number; recall: number }>;
  recall_by_difficulty: Record<string, { accounts: number; caught: number; recall: number }>;
  rings: { predicted: number; true: number; precision: number; recall: number; honest_in_rings_share: number } | null;
  curves: { roc: { x: number; y: number }[]; pr: { x: number; y: number }[] };
}

/** What analyst labels changed (the version's feedback.json): metrics on the held-out accounts nobody reviewed. */
export interface FeedbackHeadline {
  evaluated_accounts: number;
  fraud_accounts: number;
  pr_auc: number | null;
  flagged_precision: number;
  flagged_recall: number;
  block_precision: number | null;
  recall_by_kind: Record<string, number>;
}

export interface FeedbackSummary {
  source: string;
  labelled_accounts: number;
  layer_fitted: boolean;
  unused_because: string | null;
  labels: { fraud: number; honest: number; kinds: Record<string, number> } | null;
  before: FeedbackHeadline | null;
  after: FeedbackHeadline | null;
}

/** An analyst's verdict on one account, as the decision store holds it. */
export interface AccountDecision {
  type: 'account';
  account_id: string;
  label: 'fraud' | 'honest';
  kind?: string;
  reviewer: string;
  decided_at: string;
  note: string;
}

export interface TrainResult {
  name: string;
  version: string;
  dir: string;
  reportDir: string;
  metrics: Metrics | null;
  feedback: FeedbackSummary | null;
}

export interface EventsOfAccount {
  account_id: string;
  logins: { ts: number; ip: string; country: string; device_id: string }[];
  proposals: { ts: number; job_id: string; bid_amount: number; job_budget: number; text: string }[];
}

export interface FirstReasonGroup {
  group: string;
  accounts: number;
  reasons: { reason: string; accounts: number; share: number }[];
}

export interface TrainingDataDifference {
  table: string;
  file: string;
  reason: string;
}

export interface Library {
  firstReasonsByKind(outcomes: { account_id: string; action: string; top_reasons: string }[], labels: Map<string, string>): FirstReasonGroup[];
  generateMarketplace(
    outDir: string,
    options: { accounts: number; seed: number; fraudRate?: number },
  ): Promise<{ accounts: number; labelMix: Record<string, number> }>;
  trainModel(options: {
    dataDir: string;
    modelsRoot: string;
    name?: string;
    seed?: number;
    /** analyst decisions to learn from (the supervised layer) */
    labelSource?: { decisions: AccountDecision[]; description: string };
  }): Promise<TrainResult>;
  loadDataset(folder: string): Promise<{ accounts: EventsOfAccount[] }>;
  listVersions(root: string, name: string): Promise<string[]>;
  trainingDataDifferences(manifest: { training_data: Record<string, unknown> }, dataDir: string): Promise<TrainingDataDifference[]>;
}

/** generateMarketplace, trainModel, loadDataset, listVersions, firstReasonsByKind, trainingDataDifferences from the built library. */
export async function loadRingfence(): Promise<Library> {
  const [generator, train, loader, registry, outputs, dataCheck] = await Promise.all([
    importESM<Pick<Library, 'generateMarketplace'>>(dist('data/synthetic/generate-marketplace.js')),
    importESM<Pick<Library, 'trainModel'>>(dist('training/train-model.js')),
    importESM<Pick<Library, 'loadDataset'>>(dist('data/load-dataset.js')),
    importESM<Pick<Library, 'listVersions'>>(dist('models/registry.js')),
    importESM<Pick<Library, 'firstReasonsByKind'>>(dist('training/analyst-outputs.js')),
    importESM<Pick<Library, 'trainingDataDifferences'>>(dist('models/training-data-check.js')),
  ]);
  return {
    generateMarketplace: generator.generateMarketplace,
    trainModel: train.trainModel,
    loadDataset: loader.loadDataset,
    listVersions: registry.listVersions,
    firstReasonsByKind: outputs.firstReasonsByKind,
    trainingDataDifferences: dataCheck.trainingDataDifferences,
  };
}

export interface NotebookInputs {
  /** the model root notebooks read; no notebook writes to it */
  modelsRoot: string;
  modelName: string;
  /** the data the model was trained on */
  dataDir: string;
  /** where the retraining walkthrough (notebook 04) writes the versions it trains */
  walkthroughModelsRoot: string;
}

/** Where the notebooks find their inputs: set by scripts/run-notebooks.sh, with the demo's folders as defaults. */
export function notebookInputs(): NotebookInputs {
  return {
    modelsRoot: path.resolve(process.env['RINGFENCE_MODELS'] ?? '.ringfence/models'),
    modelName: process.env['RINGFENCE_MODEL_NAME'] ?? 'demo',
    dataDir: path.resolve(process.env['RINGFENCE_DATA'] ?? '.ringfence/demo/train-5000-seed7'),
    walkthroughModelsRoot: path.resolve(process.env['RINGFENCE_WALKTHROUGH_MODELS'] ?? '.ringfence/walkthrough-models'),
  };
}

/**
 * Stops the notebook, saying why, unless the model version in `versionDir` was trained on the files in `dataDir`
 * (the manifest holds the sha256 of every input table): a model read against other data shows wrong clusters and rings.
 */
export async function assertTrainedOn(versionDir: string, dataDir: string): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(path.join(versionDir, 'manifest.json'), 'utf8')) as { training_data: Record<string, unknown> };
  const model = `${path.basename(path.dirname(versionDir))}/${path.basename(versionDir)}`;
  const differences = await (await loadRingfence()).trainingDataDifferences(manifest, dataDir);
  if (differences.length > 0) {
    const trainedOn = String(manifest.training_data['folder'] ?? 'a folder the manifest does not name');
    throw new Error(
      `model ${model} was not trained on the data in ${dataDir}: ${differences.map((d) => `${path.basename(d.file)} ${d.reason}`).join('; ')}. ` +
        `It was trained on ${trainedOn}. Set RINGFENCE_DATA to that folder, or train a model on this one ('ringfence train --data ${dataDir} ...') and set RINGFENCE_MODELS / RINGFENCE_MODEL_NAME to it.`,
    );
  }
  const tables = Object.keys((manifest.training_data['tables'] ?? {}) as Record<string, unknown>).length;
  console.log(`model ${model} was trained on the data in ${dataDir} (the sha256 of its ${tables} input tables match)`);
}

/** The newest version folder of the notebooks' model, checked to have been trained on the notebooks' data. */
export async function modelOfInputs(inputs: NotebookInputs): Promise<string> {
  const versionDir = await latestVersionDir(inputs.modelsRoot, inputs.modelName);
  await assertTrainedOn(versionDir, inputs.dataDir);
  return versionDir;
}

/** The newest version folder of a model, from its LATEST pointer. */
export async function latestVersionDir(modelsRoot: string, name: string): Promise<string> {
  const lib = await loadRingfence();
  const versions = await lib.listVersions(modelsRoot, name);
  const latest = versions[versions.length - 1];
  if (!latest) throw new Error(`no versions of model ${name} under ${modelsRoot}: run 'npm run demo' or 'ringfence train' first`);
  return path.join(modelsRoot, name, latest);
}
