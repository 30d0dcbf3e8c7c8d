// readModelVersion + restore parts → ScoringModel; atomic swap on reload (in-flight requests keep their model)
import type { AccountEvents } from '../data/tables.js';
import type { HashSecretSource } from '../models/hash-secret.js';
import type { Manifest } from '../models/manifest.js';
import type { ModelMetrics } from '../training/evaluation/evaluate-model.js';
import { FEATURE_NAMES } from '../training/features/feature-registry.js';
import { loadScoringParts } from '../training/model-files.js';
import type { RiskAssessment } from '../training/scoring/risk-assessment.js';
import { assessAccount, type ScoringParts } from '../training/scoring/risk-score.js';
import type { ModelSummary, RingDetail } from './api-schemas.js';

export interface ScoringModel {
  readonly name: string;
  readonly version: string;
  readonly summary: ModelSummary;
  scoreAccount(events: AccountEvents): RiskAssessment;
  ring(ringId: string): RingDetail | null;
  ringOfAccount(accountId: string): RingDetail | null;
}

export type LoadScoringModel = (version?: string) => Promise<ScoringModel>;

function summaryOf(parts: ScoringParts, manifest: Manifest, metrics: ModelMetrics | null): ModelSummary {
  return {
    name: manifest.name,
    version: manifest.version,
    created_at: manifest.created_at,
    format_version: manifest.format_version,
    tfjs_backend: manifest.tfjs_backend,
    features: [...FEATURE_NAMES],
    policy: { block_above: parts.config.policy.block_above, flag_above: parts.config.policy.flag_above },
    training_accounts: (manifest.training_data as { accounts?: number }).accounts ?? null,
    metrics: metrics ? { roc_auc: metrics.roc_auc['risk_score'] ?? null, pr_auc: metrics.pr_auc['risk_score'] ?? null, flagged_precision: metrics.flagged_precision } : null,
    rings: parts.identityIndex.rings.size,
  };
}

/** A ScoringModel over a model version's restored parts. */
export function scoringModelFrom(parts: ScoringParts, manifest: Manifest, metrics: ModelMetrics | null): ScoringModel {
  const index = parts.identityIndex;
  const ringDetail = (ringId: string): RingDetail | null => {
    const ring = index.rings.get(ringId);
    if (!ring) return null;
    return {
      ring_id: ring.ring_id,
      members: ring.members,
      identifiers: ring.identifiers.map((i) => ({ kind: i.kind, ref: i.hash.slice(0, 10), accounts: i.accounts })),
      strength: ring.strength,
      template_share: ring.template_share,
      flagged_members: ring.members.filter((m) => index.flagged.has(m)),
    };
  };
  return {
    name: manifest.name,
    version: manifest.version,
    summary: summaryOf(parts, manifest, metrics),
    scoreAccount: (events) => assessAccount(parts, events),
    ring: ringDetail,
    ringOfAccount: (accountId) => {
      const ringId = index.ringOfAccount.get(accountId);
      return ringId ? ringDetail(ringId) : null;
    },
  };
}

/**
 * Loads versions of one model from a model root (LATEST when no version is given); each load, reloads included,
 * refuses a version whose identifiers were hashed with another secret than the one `secret` names.
 */
export function createModelLoader(root: string, name: string, secret: HashSecretSource = {}): LoadScoringModel {
  return async (version) => {
    const { parts, manifest, metrics } = await loadScoringParts(root, name, version, secret);
    return scoringModelFrom(parts, manifest, metrics);
  };
}

/** Holds the model being served; a reload builds the new one first and swaps only when it loaded. */
export class ModelHolder {
  private model: ScoringModel | null = null;
  private reloading: Promise<ScoringModel> | null = null;
  private readonly listeners: ((model: ScoringModel) => void)[] = [];
  constructor(private readonly loader: LoadScoringModel) {}

  current(): ScoringModel | null {
    return this.model;
  }

  /** Called with each model put in service (the metrics' model gauge follows it). */
  onInstall(listener: (model: ScoringModel) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Loads and checks `version` (or the newest) without serving it: a cluster worker prepares a version this way
   * and installs it only once every worker has it. Loads run one at a time (each holds a whole model in memory).
   */
  async load(version?: string): Promise<ScoringModel> {
    while (this.reloading) await this.reloading.catch(() => undefined);
    this.reloading = this.loader(version);
    try {
      return await this.reloading;
    } finally {
      this.reloading = null;
    }
  }

  /** Serves `model` from the next request on; requests under way keep the model they started with. */
  install(model: ScoringModel): void {
    this.model = model;
    for (const listener of this.listeners) listener(model);
  }

  /** Loads `version` (or the newest); on failure the old model keeps serving and the error propagates. */
  async reload(version?: string): Promise<ScoringModel> {
    const next = await this.load(version);
    this.install(next);
    return next;
  }
}
