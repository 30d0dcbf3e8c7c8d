// Dataset → fitted parts → evaluation → writeModelVersion; library function, emits progress
import { csvBytes } from '../data/csv-writer.js';
import path from 'node:path';
import type { ProgressEvent } from '../data/progress-event.js';
import { AccountEventsSchema, inputContractJsonSchema, type LabelRow } from '../data/tables.js';
import { readTrueRings } from '../data/true-rings.js';
import { type HashSecretSource, readOrCreateHashSecret } from '../models/hash-secret.js';
import { installedLibraryVersions } from '../models/library-versions.js';
import type { Manifest, ManifestFields } from '../models/manifest.js';
import { writeModelVersion } from '../models/write-model-version.js';
import { type AccountOutcome, accountOutcome, analystTables, clusterProfiles } from './analyst-outputs.js';
import { type AnomalyEnsemble, fitAnomalyEnsemble } from './detectors/anomaly-ensemble.js';
import { createFeatureMatrix } from './detectors/detector.js';
import type { KMeansState } from './detectors/kmeans-detector.js';
import { chooseTfjsBackend } from './detectors/tfjs-backend.js';
import { type AccountFeatures, toModelInput } from './features/account-features.js';
import { type FeaturisedDataset, featuriseDataset } from './features/featurise-dataset.js';
import { DETECTOR_FEATURE_NAMES, FEATURES } from './features/feature-registry.js';
import { evaluateModel, type ModelMetrics } from './evaluation/evaluate-model.js';
import { stratifiedSplit } from './evaluation/split.js';
import type { IdentityIndex } from './identity/identity-index.js';
import { judgeGroupsAfterFirstPass, judgementOf } from './scoring/judge-groups.js';
import { scoringPartsToFiles, FILES } from './model-files.js';
import { renderModelCard } from './model-card.js';
import { HIGHEST_RISK_SHOWN, renderReportHtml } from './report/render-report-html.js';
import { type FittedScaler, fitRobustScaler } from './scaling/robust-scaler.js';
import type { RiskAssessment } from './scoring/risk-assessment.js';
import { assessAccountFeatures, type ScoringParts } from './scoring/risk-score.js';
import { type AnalystLabels, type LabelSource, readAnalystLabels } from './supervised/analyst-labels.js';
import { FEEDBACK_FILE, type FeedbackSummary, feedbackSummary, renderFeedbackSection } from './supervised/feedback-summary.js';
import { REVIEW_QUEUE_COLUMNS, reviewQueue, reviewQueueCells } from './supervised/review-queue.js';
import { type SupervisedStageResult, trainSupervisedLayer } from './supervised/train-supervised-layer.js';
import type { TrainConfig } from './train-config.js';
import { median } from './statistics.js';
import { TrainConfigSchema } from './train-config.js';

export interface TrainModelOptions extends HashSecretSource {
  readonly dataDir: string;
  readonly modelsRoot: string;
  readonly name?: string;
  readonly seed?: number;
  readonly config?: TrainConfig;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** called with a one-line note per finished stage (counts and timings) */
  readonly onStage?: (message: string) => void;
  /** analyst labels to fit the supervised layer to (train --feedback, or the decision store); none: unsupervised */
  readonly labelSource?: LabelSource;
}

export interface TrainModelResult {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly reportDir: string;
  readonly metrics: ModelMetrics | null;
  readonly tfjsBackend: string;
  /** the deployment's hashing secret used (its fingerprint is in the model; the secret is not), and whether it was created now */
  readonly secret: { readonly fingerprint: string; readonly origin: string; readonly created: boolean };
  /** what the analyst labels changed, when there were any */
  readonly feedback: FeedbackSummary | null;
}

/**
 * Keeps `kept` the `size` highest-risk assessments, highest first; of equal scores the earlier one stays first (as a
 * stable sort of all accounts by score would order them).
 */
function keepHighestRisk(kept: RiskAssessment[], assessment: RiskAssessment, size: number): void {
  if (kept.length === size && assessment.risk_score <= (kept[size - 1] as RiskAssessment).risk_score) return;
  let at = kept.length;
  while (at > 0 && (kept[at - 1] as RiskAssessment).risk_score < assessment.risk_score) at--;
  kept.splice(at, 0, assessment);
  if (kept.length > size) kept.pop();
}

type Stage = (message: string) => void;
const timer = () => {
  const start = performance.now();
  return () => `${((performance.now() - start) / 1000).toFixed(1)}s`;
};

/** Stage 1: every account's features and the identity graph, one shard of events in memory at a time. */
async function featuriseStage(options: TrainModelOptions, config: TrainConfig, hashKey: string, stage: Stage): Promise<FeaturisedDataset> {
  const elapsed = timer();
  const data = await featuriseDataset(options.dataDir, {
    identity: config.identity,
    hashKey,
    shardInputMib: config.loading.shard_input_mib,
    ringAbove: config.policy.ring_above,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onStage: stage,
  });
  const { accountIds, summary } = data;
  if (accountIds.length < 50) throw new RangeError(`training needs at least 50 accounts; ${options.dataDir} has ${accountIds.length}`);
  stage(
    `features: ${FEATURES.length} per account for ${accountIds.length} accounts (${Object.values(summary.tables).reduce((a, t) => a + t.rows, 0)} rows${data.shards > 1 ? `, ${data.shards} shards` : ''}) in ${elapsed()}: load ${data.seconds.load.toFixed(1)}s, own events ${data.seconds.summarise.toFixed(1)}s, graph ${data.seconds.graph.toFixed(1)}s, links ${data.seconds.complete.toFixed(1)}s`,
  );
  return data;
}

/** Which accounts the detectors are fitted on: the training side of a stratified split when labels allow one, else all. */
interface FitSplit {
  readonly split: { readonly train: Uint32Array; readonly test: Uint32Array } | null;
  readonly fitRows: Uint32Array;
}

function fitSplitOf(data: FeaturisedDataset, config: TrainConfig, seed: number): FitSplit {
  const { accountIds, labels } = data;
  const labelVector = Uint8Array.from(accountIds, (id) => labels?.get(id)?.label ?? 0);
  const hasLabels = labels !== null && labelVector.some((v) => v === 1) && labelVector.some((v) => v === 0);
  const split = hasLabels ? stratifiedSplit(labelVector, config.evaluation.holdout, seed) : null;
  return { split, fitRows: split ? split.train : Uint32Array.from(accountIds, (_, i) => i) };
}

interface FittedDetectors {
  readonly tfjsBackend: string;
  readonly scaler: FittedScaler;
  readonly ensemble: AnomalyEnsemble;
  readonly autoencoderTrainingRows: number;
  readonly featureMedians: number[];
}

/** Stage 2: the scaler and the anomaly detectors, fitted on the fit rows; training medians for reasons. */
async function fitStage(
  options: TrainModelOptions,
  config: TrainConfig,
  seed: number,
  features: readonly AccountFeatures[],
  fitRows: Uint32Array,
  stage: Stage,
): Promise<FittedDetectors> {
  const elapsed = timer();
  const d = DETECTOR_FEATURE_NAMES.length;
  const fitValues = new Float64Array(fitRows.length * d);
  fitRows.forEach((row, r) => fitValues.set(toModelInput((features[row] as AccountFeatures).values), r * d));
  const fitMatrix = createFeatureMatrix(DETECTOR_FEATURE_NAMES, fitValues);
  const tfjs = await chooseTfjsBackend();
  const scaler = fitRobustScaler(fitMatrix);
  const { ensemble, autoencoderTrainingRows } = await fitAnomalyEnsemble(scaler.transform(fitMatrix), config.detectors, {
    seed,
    onProgress: (e) =>
      options.onProgress?.({
        stage: e.step,
        done: e.done,
        total: e.total,
        unit: e.step === 'autoencoder' ? 'epochs' : 'steps',
        ...(e.detail ? { detail: e.detail } : {}),
      }),
  });
  const kmeansState = ensemble.detectors.kmeans.state as KMeansState;
  stage(
    `detectors fitted on ${fitRows.length} accounts in ${elapsed()} (k-means k=${kmeansState.k}, autoencoder ${(ensemble.detectors.autoencoder.state as { epochs_run: number }).epochs_run} epochs on ${autoencoderTrainingRows} of them, tfjs backend ${tfjs.backend})`,
  );
  const featureMedians = FEATURES.map((_, j) => median(Float64Array.from(fitRows, (row) => (features[row] as AccountFeatures).values[j] as number)));
  return { tfjsBackend: tfjs.backend, scaler, ensemble, autoencoderTrainingRows, featureMedians };
}

/** Stage 3: scoring pass 1 and the candidate groups judged with its anomaly scores: which of them are rings. */
function judgeGroupsStage(options: TrainModelOptions, parts: ScoringParts, data: FeaturisedDataset, stage: Stage): IdentityIndex {
  const judgement = judgementOf(data, parts.config.policy);
  const { identityIndex } = judgeGroupsAfterFirstPass(parts, data, judgement, options.onProgress);
  stage(
    `candidate groups judged: ${identityIndex.rings.size} rings (ring score >= ${judgement.ring_above}), ${identityIndex.groups.size} groups below`,
  );
  return identityIndex;
}

interface SecondPass {
  readonly outcomes: AccountOutcome[];
  /** in full: the held-out accounts (for the metrics) and the highest-risk ones (for the report) */
  readonly heldOutAssessments: RiskAssessment[];
  readonly highestRisk: RiskAssessment[];
}

/** Stage 4, scoring pass 2: with ring evidence; of most accounts only what the analyst tables show. */
function secondScoringPass(options: TrainModelOptions, parts: ScoringParts, data: FeaturisedDataset, fit: FitSplit): SecondPass {
  const isHeldOut = new Uint8Array(data.accountIds.length);
  if (fit.split) for (const i of fit.split.test) isHeldOut[i] = 1;
  const heldOutAssessments: RiskAssessment[] = [];
  const highestRisk: RiskAssessment[] = [];
  const outcomes = data.accountIds.map((id, i) => {
    if (i % 2000 === 0) options.onProgress?.({ stage: 'scoring (pass 2 of 2)', done: i, total: data.accountIds.length, unit: 'accounts' });
    const assessment = assessAccountFeatures(parts, id, data.features[i] as AccountFeatures);
    if (isHeldOut[i]) heldOutAssessments.push(assessment);
    keepHighestRisk(highestRisk, assessment, HIGHEST_RISK_SHOWN);
    return accountOutcome(assessment);
  });
  options.onProgress?.({ stage: 'scoring (pass 2 of 2)', done: data.accountIds.length, total: data.accountIds.length, unit: 'accounts' });
  return { outcomes, heldOutAssessments, highestRisk };
}

/** Stage 5: metrics on the held-out accounts, and rings against the true rings of a synthetic folder; null without labels. */
async function evaluateStage(
  options: TrainModelOptions,
  config: TrainConfig,
  seed: number,
  data: FeaturisedDataset,
  fit: FitSplit,
  parts: ScoringParts,
  scored: SecondPass,
  reviewed: ReadonlySet<string>,
): Promise<ModelMetrics | null> {
  const { labels, accountIds } = data;
  if (!fit.split || !labels) return null;
  const testIds = new Set(Array.from(fit.split.test, (i) => accountIds[i] as string));
  // accounts an analyst labelled are never measured on: the layer learnt them
  const heldOut = new Map<string, LabelRow>([...labels].filter(([id]) => testIds.has(id) && !reviewed.has(id)));
  const trueRings = await readTrueRings(options.dataDir, new Set(accountIds));
  return evaluateModel({
    assessments: scored.heldOutAssessments,
    labels: heldOut,
    split: { seed, holdout: config.evaluation.holdout, train_accounts: fit.split.train.length, test_accounts: fit.split.test.length },
    reviewCapacity: config.policy.review_capacity,
    predictedRings: [...parts.identityIndex.rings.values()].map((r) => r.members),
    trueRings: trueRings && trueRings.map((ring) => ring.members),
    allLabels: labels,
  });
}

/**
 * Stage 4b: the supervised layer from the analyst labels, and the unsupervised model's metrics on the accounts nobody
 * reviewed (the "before" of what feedback changed).
 */
async function supervisedStage(
  options: TrainModelOptions,
  config: TrainConfig,
  seed: number,
  data: FeaturisedDataset,
  fit: FitSplit,
  parts: ScoringParts,
  scored: SecondPass,
  analyst: AnalystLabels,
  stage: Stage,
): Promise<SupervisedStageResult & { metricsBefore: ModelMetrics | null; source: string }> {
  const elapsed = timer();
  const { labels, note } = analyst;
  const result = trainSupervisedLayer(parts, data, labels, config.supervised, seed, options.onProgress);
  const metricsBefore = await evaluateStage(options, config, seed, data, fit, parts, scored, result.labelled);
  const state = result.layer?.state;
  stage(
    state
      ? `supervised layer: ${note}; ${state.labels.fraud} fraud, ${state.labels.honest} honest; FLAG at probability ${state.flag.probability.toFixed(3)} (precision ${state.flag.precision.toFixed(3)}, lower bound ${state.flag.lower_bound.toFixed(3)}), ${state.block.reached ? 'BLOCK at' : 'no BLOCK: its best threshold,'} ${state.block.probability.toFixed(3)} (precision ${state.block.precision.toFixed(3)}, lower bound ${state.block.lower_bound.toFixed(3)}) in ${elapsed()}`
      : `supervised layer: ${note}; ${result.unusedBecause ?? 'not fitted'}: the model stays unsupervised`,
  );
  return { ...result, metricsBefore, source: note };
}

interface PackageInput {
  readonly name: string;
  readonly seed: number;
  readonly config: TrainConfig;
  readonly data: FeaturisedDataset;
  readonly fit: FitSplit;
  readonly detectors: FittedDetectors;
  readonly parts: ScoringParts;
  readonly scored: SecondPass;
  readonly metrics: ModelMetrics | null;
  readonly feedback: FeedbackSummary | null;
}

/** Stage 6: the scoring files, model card and analyst report, written as a new version. */
async function packageStage(options: TrainModelOptions, input: PackageInput): Promise<{ version: string; dir: string }> {
  const { name, config, data, detectors, parts, scored, metrics } = input;
  const { ensemble, autoencoderTrainingRows } = detectors;
  const kmeansState = ensemble.detectors.kmeans.state as KMeansState;
  const { labels, accountIds, summary: dataSummary } = data;
  const profiles = clusterProfiles(
    kmeansState,
    scored.outcomes,
    data.features.map((f) => f.values),
    detectors.featureMedians,
  );
  const report = analystTables({ outcomes: scored.outcomes, labels, profiles, identityIndex: parts.identityIndex });
  const now = new Date();
  const manifestFields: ManifestFields & Pick<Manifest, 'libraries'> = {
    created_at: now.toISOString(),
    libraries: installedLibraryVersions(),
    tfjs_backend: detectors.tfjsBackend,
    seed: input.seed,
    training_data: { ...dataSummary, folder: path.resolve(dataSummary.folder) },
    features: FEATURES.map((f) => ({ name: f.name, unit: f.unit, description: f.description })),
  };
  const files = await scoringPartsToFiles(parts);
  files['input-schema.json'] =
    `${JSON.stringify({ ...inputContractJsonSchema(), title: 'ringfence predict record', $ref: '#/$defs/account_events', account_events_fields: Object.keys(AccountEventsSchema.shape) }, null, 1)}\n`;
  if (metrics) files[FILES.metrics] = `${JSON.stringify(metrics, null, 1)}\n`;
  // beside the highest-risk accounts: those whose review would teach the model most (one unsupervised pass over the
  // accounts); report/review-queue.csv lists as many as `ringfence review-queue` does by default, the page the first few
  const queue = reviewQueue(parts, data, 100);
  // the report names the version actually published (a second write within the same second gets a suffix)
  const reportFiles = async (version: string): Promise<Record<string, string | Uint8Array>> => ({
    ...report,
    'review-queue.csv': csvBytes(REVIEW_QUEUE_COLUMNS, queue.map(reviewQueueCells)),
    'report.html': await renderReportHtml({
      name,
      version,
      createdAt: manifestFields.created_at,
      accounts: accountIds.length,
      timeRange: dataSummary.time_range,
      policy: config.policy,
      outcomes: scored.outcomes,
      highestRisk: scored.highestRisk,
      labels: labels ? new Map([...labels].map(([id, l]) => [id, l.label === 1 ? l.kind || 'fraud' : ''])) : null,
      metrics,
      profiles,
      rings: [...parts.identityIndex.rings.values()],
      feedback: input.feedback,
      reviewQueue: queue.slice(0, HIGHEST_RISK_SHOWN),
    }),
  });
  const card =
    renderModelCard({
      name,
      manifest: manifestFields,
      metrics,
      profiles,
      rings: parts.identityIndex.rings.size,
      config,
      detectors: { ensemble, fitAccounts: input.fit.fitRows.length, autoencoderTrainingRows },
    }) + renderFeedbackSection(input.feedback);
  if (input.feedback) files[FEEDBACK_FILE] = `${JSON.stringify(input.feedback, null, 1)}\n`;
  const written = await writeModelVersion(options.modelsRoot, name, {
    files: { ...files, 'model-card.md': card },
    report: reportFiles,
    manifest: manifestFields,
    now,
  });
  return { version: written.version, dir: written.dir };
}

/** Loads a data folder, fits every part, evaluates on held-out labels when present and writes a new version. */
export async function trainModel(options: TrainModelOptions): Promise<TrainModelResult> {
  const name = options.name ?? 'default';
  const seed = options.seed ?? 42;
  const config = options.config ?? TrainConfigSchema.parse({});
  const stage: Stage = (message) => options.onStage?.(message);
  // the deployment's secret (hashSecret / hashSecretFile, else the models root's secret file, created on first use)
  const { secret, created: secretCreated } = await readOrCreateHashSecret(options.modelsRoot, options);

  const data = await featuriseStage(options, config, secret.key, stage);
  // bad feedback is refused before the long fits
  const analyst = options.labelSource ? await readAnalystLabels(options.labelSource, data.accountIds) : null;
  const fit = fitSplitOf(data, config, seed);
  const detectors = await fitStage(options, config, seed, data.features, fit.fitRows, stage);
  const { scaler, ensemble, featureMedians } = detectors;
  const baseParts: ScoringParts = {
    config,
    referenceTime: data.referenceTime,
    scaler,
    ensemble,
    identityIndex: data.identityIndex,
    featureMedians,
    useRingEvidence: false,
  };
  const elapsed = timer();
  let parts: ScoringParts = { ...baseParts, identityIndex: judgeGroupsStage(options, baseParts, data, stage), useRingEvidence: true };
  let scored = secondScoringPass(options, parts, data, fit);
  stage(`scored ${data.accountIds.length} accounts in ${elapsed()}`);
  const learnt = analyst ? await supervisedStage(options, config, seed, data, fit, parts, scored, analyst, stage) : null;
  if (learnt?.layer) {
    parts = { ...parts, supervised: learnt.layer };
    scored = secondScoringPass(options, parts, data, fit);
  }
  const reviewed = learnt?.labelled ?? new Set<string>();
  const metrics = await evaluateStage(options, config, seed, data, fit, parts, scored, reviewed);
  const feedback = learnt && feedbackSummary(learnt, learnt.metricsBefore, learnt.layer ? metrics : null);
  const written = await packageStage(options, { name, seed, config, data, fit, detectors, parts, scored, metrics, feedback });
  stage(`wrote ${name}/${written.version}`);
  return {
    name,
    version: written.version,
    dir: written.dir,
    reportDir: path.join(written.dir, 'report'),
    metrics,
    tfjsBackend: detectors.tfjsBackend,
    secret: { fingerprint: secret.fingerprint, origin: secret.origin, created: secretCreated },
    feedback,
  };
}
