// Fitted parts ⇄ the files of a model version directory (JSON + tfjs layers); loading runs no code.
import path from 'node:path';
import { z } from 'zod';
import { type HashSecretSource, readHashSecret } from '../models/hash-secret.js';
import type { Manifest } from '../models/manifest.js';
import { assertFeatureNames, ModelIntegrityError, readModelVersion, type ModelVersion } from '../models/read-model-version.js';
import { assertSecretFingerprint } from '../models/secret-fingerprint.js';
import type { VersionFiles } from '../models/write-model-version.js';
import { type AnomalyEnsemble, COMBINED, DETECTOR_NAMES } from './detectors/anomaly-ensemble.js';
import { autoencoderDetectorSpec } from './detectors/autoencoder-detector.js';
import { type DetectorArtifact, DetectorArtifactSchema, type FittedDetector } from './detectors/detector.js';
import { isolationForestDetectorSpec } from './detectors/isolation-forest-detector.js';
import { kmeansDetectorSpec } from './detectors/kmeans-detector.js';
import { mahalanobisDetectorSpec } from './detectors/mahalanobis-detector.js';
import { DETECTOR_FEATURE_NAMES, FEATURE_NAMES } from './features/feature-registry.js';
import {
  type IdentityIndexMeta,
  identityIndexMeta,
  identityIndexToJsonl,
  IdentityIndexMetaSchema,
  KeyHoldingIdentityMetaSchema,
  restoreIdentityIndex,
} from './identity/identity-index.js';
import { restoreRobustScaler, ScalerStateSchema } from './scaling/robust-scaler.js';
import { type ModelMetrics, ModelMetricsSchema } from './evaluation/evaluate-model.js';
import { CalibrationSchema, ScoreMappingSchema } from './scoring/calibration.js';
import type { ScoringParts } from './scoring/risk-score.js';
import { RiskPolicySchema } from './scoring/risk-policy.js';
import { RuleSchema } from './scoring/rules.js';
import { RiskWeightsSchema } from './train-config.js';
import { LAYER_INPUT_NAMES } from './supervised/layer-inputs.js';
import { type FittedSupervisedLayer, restoreSupervisedLayer, SupervisedLayerSchema } from './supervised/supervised-layer.js';

export const FILES = {
  scaler: 'scaler.json',
  kmeans: 'kmeans.json',
  isolationForest: 'isolation-forest.json',
  mahalanobis: 'mahalanobis.json',
  autoencoder: 'autoencoder/detector.json',
  autoencoderDir: 'autoencoder/',
  calibration: 'calibration.json',
  policy: 'policy.json',
  identityIndex: 'identity-index.jsonl',
  identityMeta: 'identity-rings.json',
  modelMeta: 'model-meta.json',
  metrics: 'metrics.json',
  supervised: 'supervised-layer.json',
} as const;

const CalibrationFileSchema = z.object({
  detectors: z.record(z.string(), CalibrationSchema),
  score_mapping: ScoreMappingSchema,
});
const PolicyFileSchema = z.object({ policy: RiskPolicySchema, rules: z.array(RuleSchema), weights: RiskWeightsSchema });
const ModelMetaSchema = z.object({
  reference_time: z.string().describe('end of the training data (ISO-8601): reference time of account age'),
  feature_medians: z.array(z.number()),
});

const json = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;

async function detectorFiles(detector: FittedDetector, jsonPath: string, filesDir?: string): Promise<VersionFiles> {
  const { files, ...artifact } = await detector.toArtifact();
  const out: VersionFiles = { [jsonPath]: json(artifact) };
  for (const [name, bytes] of Object.entries(files)) out[`${filesDir ?? ''}${name}`] = bytes;
  return out;
}

/** Every file of a model version, from its fitted parts. */
export async function scoringPartsToFiles(parts: ScoringParts): Promise<VersionFiles> {
  const { ensemble } = parts;
  return {
    [FILES.scaler]: json(parts.scaler.state),
    ...(await detectorFiles(ensemble.detectors.kmeans, FILES.kmeans)),
    ...(await detectorFiles(ensemble.detectors['isolation-forest'], FILES.isolationForest)),
    ...(await detectorFiles(ensemble.detectors.mahalanobis, FILES.mahalanobis)),
    ...(await detectorFiles(ensemble.detectors.autoencoder, FILES.autoencoder, FILES.autoencoderDir)),
    [FILES.calibration]: json({ detectors: ensemble.calibrations, score_mapping: parts.config.score_mapping }),
    [FILES.policy]: json({ policy: parts.config.policy, rules: parts.config.rules, weights: parts.config.weights }),
    [FILES.identityIndex]: identityIndexToJsonl(parts.identityIndex),
    [FILES.identityMeta]: json(identityIndexMeta(parts.identityIndex)),
    ...(parts.supervised ? { [FILES.supervised]: json(parts.supervised.state) } : {}),
    [FILES.modelMeta]: json({ reference_time: new Date(parts.referenceTime).toISOString(), feature_medians: parts.featureMedians }),
  };
}

function readArtifact(version: ModelVersion, jsonPath: string, filesDir?: string): DetectorArtifact {
  const artifact = version.readJson(jsonPath, DetectorArtifactSchema);
  const files: Record<string, Uint8Array> = {};
  if (filesDir) {
    for (const relative of Object.keys(version.manifest.files)) {
      if (relative.startsWith(filesDir) && relative !== jsonPath) files[relative.slice(filesDir.length)] = version.readFile(relative);
    }
  }
  return { ...artifact, files };
}

async function restoreDetector<T>(file: string, restore: () => Promise<T>): Promise<T> {
  try {
    return await restore();
  } catch (error) {
    if (error instanceof ModelIntegrityError) throw error;
    throw new ModelIntegrityError(file, `cannot be restored: ${(error as Error).message}`);
  }
}

/** The layer learnt from analyst decisions; refused when it reads a layer input this code does not compute. */
function readSupervisedLayer(stored: ModelVersion): FittedSupervisedLayer {
  const state = stored.readJson(FILES.supervised, SupervisedLayerSchema);
  const unknown = state.input_names.filter((n) => !LAYER_INPUT_NAMES.includes(n));
  if (unknown.length > 0)
    throw new ModelIntegrityError(FILES.supervised, `reads layer inputs this ringfence does not compute (${unknown.join(', ')}): retrain`);
  return restoreSupervisedLayer(state);
}

/**
 * The identity meta data, once the process's secret is known to be the one its identifiers were hashed with. A
 * version of format 1 holds the secret itself (`hash_key`): it is refused, not read, because reading it would keep a
 * per-model key alive beside the deployment's secret and keep the secret in a file anyone with the model can read.
 */
function checkedIdentityMeta(stored: ModelVersion, secret: { readonly fingerprint: string; readonly origin: string }): IdentityIndexMeta {
  const meta = stored.readJson(FILES.identityMeta, z.union([IdentityIndexMetaSchema, KeyHoldingIdentityMetaSchema]));
  if (meta.format_version === 1) {
    throw new ModelIntegrityError(
      path.join(stored.dir, FILES.identityMeta),
      'holds the identifier hashing secret itself (hash_key): the version was written by an earlier ringfence, and anyone who can read it can undo its identifier hashes. It is not loaded; train a new version with this ringfence (its secret stays outside the model) and delete this one',
    );
  }
  assertSecretFingerprint(`model ${stored.manifest.name}/${stored.manifest.version}`, meta.key_fingerprint, secret);
  return meta;
}

/**
 * Reads, verifies and restores a model version; refuses a feature list that differs from this code's registry, and
 * a version whose identifiers were hashed with another secret than the deployment's (from `secretSource`, else the
 * secret file of the models root).
 */
export async function loadScoringParts(
  root: string,
  name: string,
  version?: string,
  secretSource: HashSecretSource = {},
): Promise<{ parts: ScoringParts; manifest: Manifest; dir: string; metrics: ModelMetrics | null }> {
  const stored = await readModelVersion(root, name, version);
  const secret = await readHashSecret(root, secretSource);
  assertFeatureNames(stored.manifest, FEATURE_NAMES);
  if (!(FILES.mahalanobis in stored.manifest.files)) {
    throw new ModelIntegrityError(
      path.join(stored.dir, FILES.mahalanobis),
      'is missing: the version was trained by an earlier ringfence, before the Mahalanobis detector joined the ensemble; train a new version with this one',
    );
  }
  const identityMeta = checkedIdentityMeta(stored, secret);
  const calibrationFile = stored.readJson(FILES.calibration, CalibrationFileSchema);
  for (const detector of [...DETECTOR_NAMES, COMBINED]) {
    if (!calibrationFile.detectors[detector]) throw new ModelIntegrityError(FILES.calibration, `has no calibration for ${detector}`);
  }
  const policyFile = stored.readJson(FILES.policy, PolicyFileSchema);
  const meta = stored.readJson(FILES.modelMeta, ModelMetaSchema);
  const identityIndex = await restoreDetector(FILES.identityIndex, async () =>
    restoreIdentityIndex(identityMeta, stored.readFile(FILES.identityIndex), secret.key),
  );
  const detectors = {
    kmeans: await restoreDetector(FILES.kmeans, () => kmeansDetectorSpec.restore(readArtifact(stored, FILES.kmeans))),
    autoencoder: await restoreDetector(FILES.autoencoder, () =>
      autoencoderDetectorSpec.restore(readArtifact(stored, FILES.autoencoder, FILES.autoencoderDir)),
    ),
    'isolation-forest': await restoreDetector(FILES.isolationForest, () =>
      isolationForestDetectorSpec.restore(readArtifact(stored, FILES.isolationForest)),
    ),
    mahalanobis: await restoreDetector(FILES.mahalanobis, () => mahalanobisDetectorSpec.restore(readArtifact(stored, FILES.mahalanobis))),
  } as AnomalyEnsemble['detectors'];
  const scalerState = stored.readJson(FILES.scaler, ScalerStateSchema);
  if (scalerState.feature_names.join(',') !== DETECTOR_FEATURE_NAMES.join(',')) {
    throw new ModelIntegrityError(
      path.join(stored.dir, FILES.scaler),
      `scales other columns than this ringfence's detectors read (${DETECTOR_FEATURE_NAMES.length} features, no identity links): the version was trained by an earlier ringfence; train a new version with this one`,
    );
  }
  const parts: ScoringParts = {
    config: { policy: policyFile.policy, rules: policyFile.rules, weights: policyFile.weights, score_mapping: calibrationFile.score_mapping },
    referenceTime: Date.parse(meta.reference_time),
    scaler: restoreRobustScaler(scalerState),
    ensemble: { detectors, calibrations: calibrationFile.detectors as AnomalyEnsemble['calibrations'] },
    identityIndex,
    featureMedians: meta.feature_medians,
    useRingEvidence: true,
    supervised: FILES.supervised in stored.manifest.files ? readSupervisedLayer(stored) : null,
  };
  // held-out metrics exist only when the training data had labels; when present they are checked like every model file
  const metrics = FILES.metrics in stored.manifest.files ? stored.readJson(FILES.metrics, ModelMetricsSchema) : null;
  return { parts, manifest: stored.manifest, dir: stored.dir, metrics };
}
