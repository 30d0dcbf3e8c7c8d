// readModelVersion + restore parts → ScoringModel over the live identity state; atomic swap on reload (in-flight
// requests keep their model)
import type { Decision, DecisionRequest } from '../data/decisions.js';
import type { AccountEvents } from '../data/tables.js';
import type { HashSecretSource } from '../models/hash-secret.js';
import type { Manifest } from '../models/manifest.js';
import { secretFingerprint } from '../models/secret-fingerprint.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import type { ModelMetrics } from '../training/evaluation/evaluate-model.js';
import { FEATURE_NAMES } from '../training/features/feature-registry.js';
import { applyDecisions } from '../training/decisions/apply-decisions.js';
import {
  decisionStoreLocation,
  DecisionState,
  openDecisionStore,
  type RecordedDecisions,
  type StoredDecision,
} from '../training/decisions/decision-store.js';
import { keyedDecision } from '../training/decisions/keyed-decision.js';
import { findAccountLinks } from '../training/identity/identity-index.js';
import { identityStoreLocation, LiveIdentityState, openIdentityStore } from '../training/identity/identity-store.js';
import { type AssessmentAdjustment, assessLive, livePartsOf, type PreparedAccount, prepareLive } from '../training/identity/live-assessment.js';
import type { LiveGroup } from '../training/identity/live-identity-graph.js';
import { notRingReason, ringReasons } from '../training/identity/ring-score.js';
import { loadScoringParts } from '../training/model-files.js';
import { assessAccountFeatures, type ScoringParts } from '../training/scoring/risk-score.js';
import { hashSecretSourceOf, type ServeConfig } from './config.js';
import { InFlightWork } from './in-flight-work.js';
import type { ChangedRing, ModelSummary, PredictResult, RingDetail } from './api-schemas.js';

export interface ScoringModel {
  readonly name: string;
  readonly version: string;
  readonly summary: ModelSummary;
  /**
   * Adds the accounts to the identity state (recorded, or with `record` false only for this call), then scores each
   * against the state, which includes the others.
   */
  scoreAccounts(accounts: readonly AccountEvents[], options: { readonly record: boolean }): Promise<PredictResult[]>;
  /** the candidate group of this id now (a ring or not: `is_ring` says), or null */
  ring(ringId: string): Promise<RingDetail | null>;
  /** the candidate group the account is in now (a ring or not), or null */
  ringOfAccount(accountId: string): Promise<RingDetail | null>;
  /** the rings (not the groups below the ring threshold) that gained or lost a member since `since` */
  ringsChangedSince(since: number): Promise<ChangedRing[]>;
  /** erases a recorded account from the live state; false when it was not recorded */
  forgetAccount(accountId: string): Promise<boolean>;
  /** records analyst decisions (raw list identifiers hashed with the deployment secret first); they act on the next score */
  recordDecisions(decisions: readonly DecisionRequest[], recordedBy: string): Promise<RecordedDecisions>;
  /** the decisions naming an account, in the order recorded */
  decisionsOfAccount(accountId: string): Promise<StoredDecision[]>;
  /**
   * Closes the identity and decision stores (shared by the loader's versions: at shutdown only) once the work under way
   * on any version has settled; later calls are refused with ServiceStoppingError.
   */
  close(): Promise<void>;
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
    metrics: metrics
      ? { roc_auc: metrics.roc_auc['risk_score'] ?? null, pr_auc: metrics.pr_auc['risk_score'] ?? null, flagged_precision: metrics.flagged_precision }
      : null,
    rings: parts.identityIndex.rings.size,
  };
}

function ringDetailOf(group: LiveGroup, flagged: ReadonlySet<string>, ringAbove: number): RingDetail {
  const ring = group.ring;
  return {
    ring_id: ring.ring_id,
    is_ring: group.is_ring,
    not_ring_because: group.is_ring ? null : notRingReason(ring, ringAbove),
    members: ring.members,
    size: group.size,
    ring_score: ring.ring_score,
    identifiers: ring.identifiers.map((i) => ({ kind: i.kind, ref: i.hash.slice(0, 10), accounts: i.accounts })),
    strength: ring.strength,
    template_share: ring.template_share,
    flagged_members: ring.members.filter((m) => flagged.has(m)),
    rests_on: ring.rests_on,
    honest_signs: ring.honest_signs,
    reasons: ringReasons(ring),
  };
}

/** The live state a version is served over: shared by every version one loader makes. */
export interface LiveStateOfVersion {
  readonly state: LiveIdentityState;
  readonly decisions: DecisionState;
  readonly applyRetention: () => Promise<void>;
  /** the work using the stores, drained before they close */
  readonly work: InFlightWork;
}

/** A ScoringModel over a model version's restored parts and a live identity state built on its index. */
export function scoringModelFrom(parts: ScoringParts, manifest: Manifest, metrics: ModelMetrics | null, live: LiveStateOfVersion): ScoringModel {
  const { state, decisions, applyRetention, work } = live;
  const base = parts.identityIndex;
  const graph = state.graph;
  const liveParts = livePartsOf(parts, graph);
  const liveIndex = liveParts.identityIndex;
  // analyst decisions (decision store) bear on the assessment against the live state
  const withDecisions: AssessmentAdjustment = (assessment, { summary, features, detectors }) => {
    const view = decisions.current();
    if (view.empty) return assessment;
    const { identity } = summary;
    return applyDecisions(assessment, {
      view,
      links: findAccountLinks(liveIndex, identity.account_id, identity.identifiers),
      identifiers: identity.identifiers,
      policy: parts.config.policy,
      ringOfAccount: (id) => liveIndex.ringOfAccount.get(id),
      withoutRingEvidence: () => assessAccountFeatures({ ...liveParts, useRingEvidence: false }, identity.account_id, features, detectors),
    });
  };
  const scoreAll = (prepared: readonly PreparedAccount[]): PredictResult[] =>
    prepared.map((account) => assessLive(liveParts, graph, account, withDecisions));
  const detailOf = (group: LiveGroup | null) => (group ? ringDetailOf(group, base.flagged, base.judgement.ring_above) : null);
  return {
    name: manifest.name,
    version: manifest.version,
    summary: summaryOf(parts, manifest, metrics),
    scoreAccounts: async (accounts, { record }) => {
      // Prepared before the first await and the events not referenced after it: a request waiting for the store's
      // commit then holds its summaries, not its events, which are most of its memory. With 16 requests in flight a
      // scavenge copied ~60 KB per request and paused 6-7 ms; ~23 KB and ~4 ms so (issue 21).
      // The live records need the model alone; a recording request then catches up once, with its own records written.
      const prepared = prepareLive(parts, accounts, Date.now());
      return work.run(async () => {
        await applyRetention();
        const live = prepared.map((p) => p.record);
        if (!record) {
          await Promise.all([state.catchUp(), decisions.catchUp()]);
          return graph.withAccounts(live, () => scoreAll(prepared));
        }
        await Promise.all([state.record(live), decisions.catchUp()]);
        return scoreAll(prepared);
      });
    },
    ring: (ringId) =>
      work.run(async () => {
        await state.catchUp();
        return detailOf(graph.groupById(ringId));
      }),
    ringOfAccount: (accountId) =>
      work.run(async () => {
        await state.catchUp();
        return detailOf(graph.groupOfAccountNow(accountId));
      }),
    ringsChangedSince: (since) =>
      work.run(async () => {
        await state.catchUp();
        const changed = state.groupsChangedSince(since).filter(({ group }) => group.is_ring);
        return changed.map(({ group, changed_at }) => ({
          ring_id: group.ring.ring_id,
          size: group.size,
          ring_score: group.ring.ring_score,
          changed_at: new Date(changed_at).toISOString(),
        }));
      }),
    forgetAccount: (accountId) => work.run(() => state.forget(accountId)),
    recordDecisions: (requests, recordedBy) =>
      work.run(() => {
        const keyed: Decision[] = requests.map((request) => keyedDecision(request, base.hashKey));
        return decisions.record(keyed, recordedBy);
      }),
    decisionsOfAccount: (accountId) =>
      work.run(async () => {
        await decisions.catchUp();
        return decisions.ofAccount(accountId);
      }),
    close: async () => {
      await work.drain();
      await Promise.all([state.close(), decisions.close()]);
    },
  };
}

/**
 * The loader options of a service config: its identity store (the option, RINGFENCE_IDENTITY_STORE, or the default)
 * and its decision store (RINGFENCE_DECISION_STORE, else beside the identity store).
 */
export function modelLoaderOptions(config: ServeConfig): ModelLoaderOptions {
  const identityStore = identityStoreLocation(config.models_root, config.model_name, config.identity_store, {});
  return {
    secret: hashSecretSourceOf(config),
    identityStore,
    decisionStore: decisionStoreLocation(config.decision_store, identityStore, {}),
    retentionDays: config.retention_days ?? null,
  };
}

export interface ModelLoaderOptions {
  /** where the deployment's hashing secret comes from (default: the models root's secret file) */
  readonly secret?: HashSecretSource;
  /** the identity store's location (a directory or redis://…), or null for a state kept in memory only */
  readonly identityStore: string | null;
  /** the decision store's location, or null (absent too) for decisions kept in memory only */
  readonly decisionStore?: string | null;
  /** live accounts created longer ago leave the state (at load, then at most hourly), or null: kept */
  readonly retentionDays?: number | null;
}

const DAY_MS = 86_400_000;
const RETENTION_EVERY_MS = 3_600_000;

/** Runs the retention window at once and then, from scoring requests, at most every RETENTION_EVERY_MS. */
function retentionOf(state: LiveIdentityState, days: number | null): () => Promise<void> {
  let last = -Infinity;
  return async () => {
    if (days === null || Date.now() - last < RETENTION_EVERY_MS) return;
    last = Date.now();
    await state.dropCreatedBefore(Date.now() - days * DAY_MS);
  };
}

/**
 * Loads versions of one model from a model root (LATEST when no version is given), each over the live identity
 * state: the store is opened once, and each version replays it onto its own training index. Each load, reloads
 * included, refuses a version whose identifiers were hashed with another secret than the one `options.secret` names.
 */
export function createModelLoader(root: string, name: string, options: ModelLoaderOptions): LoadScoringModel {
  const identityStore = storeOpener(name, 'identity store', options.identityStore, openIdentityStore);
  const decisionStore = storeOpener(name, 'decision store', options.decisionStore ?? null, openDecisionStore);
  const work = new InFlightWork();
  return async (version) => {
    const { parts, manifest, metrics } = await loadScoringParts(root, name, version, options.secret ?? {});
    const fingerprint = secretFingerprint(parts.identityIndex.hashKey);
    const state = new LiveIdentityState(parts.identityIndex, await identityStore(fingerprint));
    const decisions = new DecisionState(await decisionStore(fingerprint));
    await Promise.all([state.catchUp(), decisions.catchUp()]);
    const applyRetention = retentionOf(state, options.retentionDays ?? null);
    await applyRetention();
    return scoringModelFrom(parts, manifest, metrics, { state, decisions, applyRetention, work });
  };
}

/** Opens a store at its first use and hands the same one to every version, refusing a version of another secret. */
function storeOpener(
  name: string,
  what: string,
  location: string | null,
  open: (location: string, fingerprint: string) => Promise<KeyValueStore>,
): (fingerprint: string) => Promise<KeyValueStore | null> {
  let opened: { store: KeyValueStore; fingerprint: string } | null = null;
  return async (fingerprint) => {
    if (location === null) return null;
    opened ??= { store: await open(location, fingerprint), fingerprint };
    if (opened.fingerprint !== fingerprint) {
      throw new Error(
        `model ${name} was trained with a hashing secret of fingerprint ${fingerprint.slice(0, 12)}…, and the ${what} ${opened.store.description} holds identifiers hashed with fingerprint ${opened.fingerprint.slice(0, 12)}…: its accounts would never link; serve a version trained with the deployment's secret`,
      );
    }
    return opened.store;
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
