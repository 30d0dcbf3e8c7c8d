// Dataset → fitted parts → evaluation → writeModelVersion; library function, emits progress
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProgressEvent } from '../data/progress-event.js';
import { AccountEventsSchema, inputContractJsonSchema, type LabelRow } from '../data/tables.js';
import { installedLibraryVersions } from '../models/library-versions.js';
import type { Manifest, ManifestFields } from '../models/manifest.js';
import { writeModelVersion } from '../models/write-model-version.js';
import { accountOutcome, analystTables, clusterProfiles } from './analyst-outputs.js';
import { fitAnomalyEnsemble } from './detectors/anomaly-ensemble.js';
import { createFeatureMatrix } from './detectors/detector.js';
import type { KMeansState } from './detectors/kmeans-detector.js';
import { chooseTfjsBackend } from './detectors/tfjs-backend.js';
import { type AccountFeatures, toModelInput } from './features/account-features.js';
import { featuriseDataset } from './features/featurise-dataset.js';
import { FEATURE_NAMES, FEATURES } from './features/feature-registry.js';
import { evaluateModel, type ModelMetrics } from './evaluation/evaluate-model.js';
import { stratifiedSplit } from './evaluation/split.js';
import { withFlaggedAccounts } from './identity/identity-graph.js';
import { scoringPartsToFiles, FILES } from './model-files.js';
import { renderModelCard } from './model-card.js';
import { HIGHEST_RISK_SHOWN, renderReportHtml } from './report/render-report-html.js';
import { fitRobustScaler } from './scaling/robust-scaler.js';
import type { RiskAssessment } from './scoring/risk-assessment.js';
import { assessAccountFeatures, type ScoringParts } from './scoring/risk-score.js';
import type { TrainConfig } from './train-config.js';
import { TrainConfigSchema } from './train-config.js';

export interface TrainModelOptions {
  readonly dataDir: string;
  readonly modelsRoot: string;
  readonly name?: string;
  readonly seed?: number;
  readonly config?: TrainConfig;
  /** HMAC key for identifiers; default: RINGFENCE_HASH_SECRET from the caller, else a random per-model key */
  readonly hashSecret?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** called with a one-line note per finished stage (counts and timings) */
  readonly onStage?: (message: string) => void;
}

export interface TrainModelResult {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly reportDir: string;
  readonly metrics: ModelMetrics | null;
  readonly tfjsBackend: string;
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

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : 0;
}

/** True rings from a generator's rings.csv beside the data (evaluation only; not an input table). */
async function readTrueRings(dataDir: string): Promise<string[][] | null> {
  const text = await readFile(path.join(dataDir, 'rings.csv'), 'utf8').catch(() => null);
  if (text === null) return null;
  const rings = new Map<string, string[]>();
  // the generator writes plain ids (no quoting needed): ring_id,account_id
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const [ring, account] = line.split(',') as [string, string];
    let members = rings.get(ring);
    if (!members) rings.set(ring, (members = []));
    members.push(account);
  }
  return [...rings.values()];
}

/** Loads a data folder, fits every part, evaluates on held-out labels when present and writes a new version. */
export async function trainModel(options: TrainModelOptions): Promise<TrainModelResult> {
  const name = options.name ?? 'default';
  const seed = options.seed ?? 42;
  const config = options.config ?? TrainConfigSchema.parse({});
  const stage = (message: string) => options.onStage?.(message);
  const timer = () => {
    const start = performance.now();
    return () => `${((performance.now() - start) / 1000).toFixed(1)}s`;
  };
  let elapsed = timer();
  const hashKey = options.hashSecret ?? randomBytes(32).toString('hex');
  const data = await featuriseDataset(options.dataDir, {
    identity: config.identity,
    hashKey,
    shardInputMib: config.loading.shard_input_mib,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onStage: stage,
  });
  const { accountIds, features, referenceTime, summary: dataSummary } = data;
  const firstIndex = data.identityIndex;
  if (accountIds.length < 50) throw new RangeError(`training needs at least 50 accounts; ${options.dataDir} has ${accountIds.length}`);
  stage(
    `features: ${FEATURES.length} per account for ${accountIds.length} accounts (${Object.values(dataSummary.tables).reduce((a, t) => a + t.rows, 0)} rows${data.shards > 1 ? `, ${data.shards} shards` : ''}) in ${elapsed()}: load ${data.seconds.load.toFixed(1)}s, own events ${data.seconds.summarise.toFixed(1)}s, graph ${data.seconds.graph.toFixed(1)}s, links ${data.seconds.complete.toFixed(1)}s`,
  );

  const labels = data.labels;
  const labelVector = Uint8Array.from(accountIds, (id) => labels?.get(id)?.label ?? 0);
  const hasLabels = labels !== null && labelVector.some((v) => v === 1) && labelVector.some((v) => v === 0);
  const split = hasLabels ? stratifiedSplit(labelVector, config.evaluation.holdout, seed) : null;
  const fitRows = split ? split.train : Uint32Array.from(accountIds, (_, i) => i);
  const d = FEATURES.length;
  const fitValues = new Float64Array(fitRows.length * d);
  fitRows.forEach((row, r) => fitValues.set(toModelInput((features[row] as AccountFeatures).values), r * d));
  const fitMatrix = createFeatureMatrix(FEATURE_NAMES, fitValues);

  elapsed = timer();
  const tfjs = await chooseTfjsBackend();
  const scaler = fitRobustScaler(fitMatrix);
  const { ensemble, autoencoderTrainingRows } = await fitAnomalyEnsemble(scaler.transform(fitMatrix), config.detectors, {
    seed,
    onProgress: (e) => options.onProgress?.({ stage: e.step, done: e.done, total: e.total, unit: e.step === 'autoencoder' ? 'epochs' : 'steps', ...(e.detail ? { detail: e.detail } : {}) }),
  });
  const kmeansState = ensemble.detectors.kmeans.state as KMeansState;
  stage(`detectors fitted on ${fitRows.length} accounts in ${elapsed()} (k-means k=${kmeansState.k}, autoencoder ${(ensemble.detectors.autoencoder.state as { epochs_run: number }).epochs_run} epochs on ${autoencoderTrainingRows} of them, tfjs backend ${tfjs.backend})`);

  const featureMedians = FEATURES.map((_, j) => median(Float64Array.from(fitRows, (row) => (features[row] as AccountFeatures).values[j] as number)));
  const baseParts: ScoringParts = { config, referenceTime, scaler, ensemble, identityIndex: firstIndex, featureMedians, useFlaggedNeighbours: false };
  elapsed = timer();
  // Pass 1 finds the accounts flagged without neighbour evidence; pass 2 adds "linked to a flagged account".
  // only the flagged ids of pass 1 are kept: a million assessments held twice did not fit in memory
  const flagged = new Set<string>();
  accountIds.forEach((id, i) => {
    if (i % 2000 === 0) options.onProgress?.({ stage: 'scoring (pass 1 of 2)', done: i, total: accountIds.length, unit: 'accounts' });
    if (assessAccountFeatures(baseParts, id, features[i] as AccountFeatures).action !== 'MONITOR') flagged.add(id);
  });
  const parts: ScoringParts = { ...baseParts, identityIndex: withFlaggedAccounts(firstIndex, flagged), useFlaggedNeighbours: true };
  // Pass 2 keeps in full only the held-out accounts (for the metrics) and the highest-risk ones (for the report);
  // of the others, what the analyst tables show.
  const isHeldOut = new Uint8Array(accountIds.length);
  if (split) for (const i of split.test) isHeldOut[i] = 1;
  const heldOutAssessments: RiskAssessment[] = [];
  const highestRisk: RiskAssessment[] = [];
  const outcomes = accountIds.map((id, i) => {
    if (i % 2000 === 0) options.onProgress?.({ stage: 'scoring (pass 2 of 2)', done: i, total: accountIds.length, unit: 'accounts' });
    const assessment = assessAccountFeatures(parts, id, features[i] as AccountFeatures);
    if (isHeldOut[i]) heldOutAssessments.push(assessment);
    keepHighestRisk(highestRisk, assessment, HIGHEST_RISK_SHOWN);
    return accountOutcome(assessment);
  });
  stage(`scored ${accountIds.length} accounts in ${elapsed()}`);

  let metrics: ModelMetrics | null = null;
  if (hasLabels && split && labels) {
    const testIds = new Set(Array.from(split.test, (i) => accountIds[i] as string));
    const heldOut = new Map<string, LabelRow>([...labels].filter(([id]) => testIds.has(id)));
    metrics = evaluateModel({
      assessments: heldOutAssessments,
      labels: heldOut,
      split: { seed, holdout: config.evaluation.holdout, train_accounts: split.train.length, test_accounts: split.test.length },
      reviewCapacity: config.policy.review_capacity,
      predictedRings: [...parts.identityIndex.rings.values()].map((r) => r.members),
      trueRings: await readTrueRings(options.dataDir),
      allLabels: labels,
    });
  }

  const profiles = clusterProfiles(kmeansState, outcomes, features.map((f) => f.values), featureMedians);
  const report = analystTables({ outcomes, labels, profiles, identityIndex: parts.identityIndex });
  const now = new Date();
  const manifestFields: ManifestFields & Pick<Manifest, 'libraries'> = {
    created_at: now.toISOString(),
    libraries: installedLibraryVersions(),
    tfjs_backend: tfjs.backend,
    seed,
    training_data: { ...dataSummary, folder: path.resolve(dataSummary.folder) },
    features: FEATURES.map((f) => ({ name: f.name, unit: f.unit, description: f.description })),
  };
  const files = await scoringPartsToFiles(parts);
  files['input-schema.json'] = `${JSON.stringify({ ...inputContractJsonSchema(), title: 'ringfence predict record', $ref: '#/$defs/account_events', account_events_fields: Object.keys(AccountEventsSchema.shape) }, null, 1)}\n`;
  if (metrics) files[FILES.metrics] = `${JSON.stringify(metrics, null, 1)}\n`;
  // the report names the version actually published (a second write within the same second gets a suffix)
  const reportFiles = async (version: string): Promise<Record<string, string>> => ({
    ...report,
    'report.html': await renderReportHtml({
      name,
      version,
      createdAt: manifestFields.created_at,
      accounts: accountIds.length,
      timeRange: dataSummary.time_range,
      policy: config.policy,
      outcomes,
      highestRisk,
      labels: labels ? new Map([...labels].map(([id, l]) => [id, l.label === 1 ? l.kind || 'fraud' : ''])) : null,
      metrics,
      profiles,
      rings: [...parts.identityIndex.rings.values()],
    }),
  });
  const written = await writeModelVersion(options.modelsRoot, name, {
    files: { ...files, 'model-card.md': renderModelCard({
        name,
        manifest: manifestFields,
        metrics,
        profiles,
        rings: parts.identityIndex.rings.size,
        config,
        detectors: { ensemble, fitAccounts: fitRows.length, autoencoderTrainingRows },
      }) },
    report: reportFiles,
    manifest: manifestFields,
    now,
  });
  stage(`wrote ${name}/${written.version}`);
  return { name, version: written.version, dir: written.dir, reportDir: path.join(written.dir, 'report'), metrics, tfjsBackend: tfjs.backend };
}
