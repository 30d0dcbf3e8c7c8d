// calibrated parts + rule hits → RiskAssessment {score, action, reasons, links}; pure, per account
import type { AccountEvents } from '../../data/tables.js';
import {
  anomalyFeatureShares,
  COMBINED,
  DETECTOR_NAMES,
  type AnomalyEnsemble,
  type DetectorName,
  type EnsembleRowExplanations,
  type EnsembleScores,
  explainAnomalyEnsembleRow,
} from '../detectors/anomaly-ensemble.js';
import { createFeatureMatrix, type FeatureMatrix } from '../detectors/detector.js';
import { assignClusters, type KMeansState } from '../detectors/kmeans-detector.js';
import { type AccountFeatures, computeAccountFeatures, toModelInput } from '../features/account-features.js';
import { DETECTOR_COLUMNS, DETECTOR_FEATURE_NAMES, FEATURE_NAMES, FEATURES } from '../features/feature-registry.js';
import type { LinkEvidence } from '../features/link-features.js';
import type { AccountIdentity, IdentityIndex, RingRecord } from '../identity/identity-index.js';
import { ringReasons } from '../identity/ring-score.js';
import type { FittedScaler } from '../scaling/robust-scaler.js';
import type { TrainConfig } from '../train-config.js';
import { robustZ, zToScore100 } from './calibration.js';
import { type IdentifierKind, IdentifierKindSchema, type Reason, type RiskAssessment } from './risk-assessment.js';
import { actionForScore, evidenceKinds } from './risk-policy.js';
import { combineEvidence, findRuleHits, ruleThreshold } from './rules.js';
import { withSupervisedLayer } from '../supervised/apply-supervised-layer.js';
import { supervisedLayerInputs } from '../supervised/layer-inputs.js';
import type { FittedSupervisedLayer } from '../supervised/supervised-layer.js';
import { roundToDecimals } from './round-decimals.js';

/** Everything scoring needs: the fitted parts of one model version. */
export interface ScoringParts {
  readonly config: Pick<TrainConfig, 'policy' | 'rules' | 'weights' | 'score_mapping'>;
  /** end of the training data: reference time of account age */
  readonly referenceTime: number;
  readonly scaler: FittedScaler;
  readonly ensemble: AnomalyEnsemble;
  readonly identityIndex: IdentityIndex;
  /** training medians of every feature in original units: "what is typical" in reasons */
  readonly featureMedians: readonly number[];
  /** ring evidence is added once groups are judged (off in training's first pass, whose anomaly scores judge them) */
  readonly useRingEvidence: boolean;
  /** the layer learnt from analyst decisions, when the version has one */
  readonly supervised?: FittedSupervisedLayer | null;
}

const MAX_LINKED_ACCOUNTS = 20;
const FEATURE_REASONS = 3;

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The ring the account is in or would join: of the rings its links reach, the one with the highest ring score. */
function ringOfEvidence(index: IdentityIndex, evidence: LinkEvidence): RingRecord | null {
  let best: RingRecord | null = null;
  for (const id of evidence.ringIds) {
    const ring = index.rings.get(id);
    if (ring && (!best || ring.ring_score > best.ring_score)) best = ring;
  }
  return best;
}

/**
 * Ring evidence: the ring score of the account's ring, split over a ring reason (what the ring's score rests on)
 * and the identifiers it shares with members. A shared identifier outside a ring is no evidence: agencies,
 * households and re-opened accounts share them too.
 */
function ringEvidence(parts: ScoringParts, evidence: LinkEvidence): { score: number; reasons: Omit<Reason, 'contribution'>[]; shares: number[] } {
  const index = parts.identityIndex;
  const ring = parts.useRingEvidence ? ringOfEvidence(index, evidence) : null;
  if (!ring) return { score: 0, reasons: [], shares: [] };
  const { links } = evidence;
  const ringMembers = new Set(ring.members);
  const reasons: Omit<Reason, 'contribution'>[] = [
    {
      code: 'ring-member',
      kind: 'ring',
      name: 'ring_score',
      value: ring.ring_score,
      typical: index.judgement.ring_above,
      unit: 'score',
      detail: `in ring ${ring.ring_id} of ${ring.members.length} accounts (ring score ${ring.ring_score.toFixed(0)}): ${ringReasons(ring).slice(0, 3).join('; ')}`,
    },
  ];
  const shares = [2];
  const kindLabel: Record<IdentifierKind, string> = { bank: 'a bank hash', device: 'a device', ip: 'several IPs' };
  for (const kind of IdentifierKindSchema.options) {
    const count = [...links.linked].filter(([other, kinds]) => kinds.has(kind) && ringMembers.has(other)).length;
    if (count === 0) continue;
    reasons.push({
      code: kind === 'bank' ? 'shared-bank-hash' : kind === 'device' ? 'shared-device' : 'shared-ips',
      kind: 'link',
      name: `shared_${kind}`,
      value: count,
      typical: 0,
      unit: 'accounts',
      detail: `shares ${kindLabel[kind]} with ${count} member${count > 1 ? 's' : ''} of ring ${ring.ring_id}`,
    });
    shares.push(index.config.link_weight[kind]);
  }
  return { score: ring.ring_score, reasons, shares };
}

/**
 * Scores one account against a model: depends only on the model and this account's events. `identity`: the
 * account's accountIdentity under the model's hash key, when the caller has computed it (the service records it too).
 */
export function assessAccount(parts: ScoringParts, account: AccountEvents, identity?: AccountIdentity): RiskAssessment {
  return assessAccountFeatures(
    parts,
    account.account_id,
    computeAccountFeatures(account, { referenceTime: parts.referenceTime, identityIndex: parts.identityIndex }, identity),
  );
}

/** The same, from features already computed with this model's context (training reuses them across passes); `detectors`: runDetectors of them, when the caller has it. */
export function assessAccountFeatures(
  parts: ScoringParts,
  accountId: string,
  features: AccountFeatures,
  detectors: DetectorOutput = runDetectors(parts, features),
): RiskAssessment {
  const { assessment, layerInputs } = assessUnsupervised(parts, accountId, features, detectors);
  return parts.supervised ? withSupervisedLayer(parts.supervised, layerInputs(), assessment, parts.config.policy) : assessment;
}

/** What the detectors make of one account: its scaled detector input (as a row and a one-row matrix), each detector's raw score (and the combined one) and explanation. */
export interface DetectorOutput {
  readonly scaled: Float64Array;
  readonly matrix: FeatureMatrix;
  readonly raw: EnsembleScores;
  readonly explanations: EnsembleRowExplanations;
}

/**
 * The detectors run over an account's features. They read no identity link feature (the registry's DETECTOR_COLUMNS)
 * and the context's account age depends on the model alone, so the output is the same whichever identity index the
 * features were completed against: the service runs them once per account, for its live record and its assessment.
 */
export function runDetectors(parts: ScoringParts, features: AccountFeatures): DetectorOutput {
  const scaled = parts.scaler.transformRow(toModelInput(features.values));
  const matrix = createFeatureMatrix(DETECTOR_FEATURE_NAMES, scaled);
  return { scaled, matrix, ...explainAnomalyEnsembleRow(parts.ensemble, matrix) };
}

/**
 * The detectors' combined anomaly score (0-100, as in `components.anomaly`): a function of the model and the account's
 * events alone, so a live identity state keeps it with the account and judges its groups with it (the "members the
 * detectors find unusual" evidence).
 */
export function memberAnomalyScore(parts: ScoringParts, detectors: DetectorOutput): number {
  return roundToDecimals(
    zToScore100(robustZ(parts.ensemble.calibrations[COMBINED], detectors.raw[COMBINED][0] as number), parts.config.score_mapping),
    2,
  );
}

/** The assessment without the supervised layer, and the layer's inputs for it (made on demand). */
export function assessUnsupervised(
  parts: ScoringParts,
  accountId: string,
  features: AccountFeatures,
  detectors: DetectorOutput = runDetectors(parts, features),
): { assessment: RiskAssessment; layerInputs: () => Float64Array } {
  const { scaled, matrix, raw, explanations } = detectors;
  const mapping = parts.config.score_mapping;
  const componentScore = (name: DetectorName | typeof COMBINED) =>
    zToScore100(robustZ(parts.ensemble.calibrations[name], raw[name][0] as number), mapping);
  const anomaly = componentScore(COMBINED);

  const hits = findRuleHits(parts.config.rules, (name) => features.values[FEATURE_NAMES.indexOf(name)] as number);
  const rulesScore = 100 * combineEvidence(hits.map((h) => h.rule.weight));
  const identity = ringEvidence(parts, features.linkEvidence);
  const weights = parts.config.weights;
  // A ring is a verdict on the group (its ring score reached policy.ring_above), not a degree of suspicion: every member
  // carries the whole identity weight. Its default (0.97) is the noisy-OR of the anomaly and rules weights, the most an
  // account outside a ring can reach, so a ring member ranks at or above every account outside a ring, and ring members
  // among themselves by their other evidence: on development worlds every account in a ring was fraud, as pure as the
  // top of the anomaly + rules scale (issue 19, recall at top-k of ring members). The ring score orders rings and reasons.
  const ringVerdict = identity.score > 0 ? 1 : 0;
  const evidence = [(weights.anomaly * anomaly) / 100, weights.identity * ringVerdict, (weights.rules * rulesScore) / 100];
  const riskScore = 100 * combineEvidence(evidence);

  // reasons: each part's evidence split over its reasons, then normalised so contributions sum to 1
  const drafts: { reason: Omit<Reason, 'contribution'>; weight: number }[] = [];
  const rowRaw = Object.fromEntries(DETECTOR_NAMES.map((name) => [name, raw[name][0] as number])) as Record<DetectorName, number>;
  const shares = anomalyFeatureShares(parts.ensemble, scaled, rowRaw, explanations);
  // shares are per detector column; j is the feature's column in the full vector (values, medians, registry)
  const topFeatures = Array.from(shares, (share, k) => ({ feature: DETECTOR_FEATURE_NAMES[k] as string, share, j: DETECTOR_COLUMNS[k] as number }))
    .sort((a, b) => b.share - a.share)
    .slice(0, FEATURE_REASONS);
  for (const { feature, share, j } of topFeatures) {
    const spec = FEATURES[j] as (typeof FEATURES)[number];
    const value = features.values[j] as number;
    const typical = parts.featureMedians[j] as number;
    drafts.push({
      reason: {
        code: 'feature-deviation',
        kind: 'feature',
        name: feature,
        value: roundToDecimals(value, 4),
        typical: roundToDecimals(typical, 4),
        unit: spec.unit,
        detail: `${spec.description}: ${formatValue(value)} (typical ${formatValue(typical)})`,
      },
      weight: (evidence[0] as number) * share,
    });
  }
  for (const hit of hits) {
    drafts.push({
      reason: {
        code: `rule-${hit.rule.code}`,
        kind: 'rule',
        name: hit.rule.feature,
        value: roundToDecimals(hit.value, 4),
        typical: ruleThreshold(hit.rule),
        unit: FEATURES[FEATURE_NAMES.indexOf(hit.rule.feature)]?.unit ?? null,
        detail: hit.rule.description,
      },
      weight: weights.rules * hit.rule.weight,
    });
  }
  const identityShareTotal = identity.shares.reduce((a, b) => a + b, 0) || 1;
  identity.reasons.forEach((reason, k) =>
    drafts.push({ reason, weight: (evidence[1] as number) * ((identity.shares[k] as number) / identityShareTotal) }),
  );
  const totalWeight = drafts.reduce((a, d) => a + d.weight, 0) || 1;
  const reasons: Reason[] = drafts
    .map((d) => ({ ...d.reason, contribution: roundToDecimals(d.weight / totalWeight, 4) }))
    .sort((a, b) => b.contribution - a.contribution || a.code.localeCompare(b.code));

  const index = parts.identityIndex;
  const linkedAccounts = [...features.linkEvidence.links.linked.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, MAX_LINKED_ACCOUNTS)
    .map(([accountId, kinds]) => ({
      account_id: accountId,
      via: [...kinds].sort(),
      ring_id: index.ringOfAccount.get(accountId) ?? null,
      is_flagged: index.flagged.has(accountId),
    }));
  const kmeansState = parts.ensemble.detectors.kmeans.state as KMeansState;
  // rules are evidence independent of the anomaly part only through features the detectors did not single out: a rule
  // on the very feature that makes the account unusual says the same thing twice
  const anomalyFeatures = new Set(topFeatures.map((f) => f.feature));
  const independentRules = 100 * combineEvidence(hits.filter((h) => !anomalyFeatures.has(h.rule.feature)).map((h) => h.rule.weight));
  const kinds = evidenceKinds({ anomaly, rules: independentRules, ringScore: identity.score }, parts.config.policy);
  const assessment: RiskAssessment = {
    account_id: accountId,
    risk_score: roundToDecimals(riskScore, 2),
    action: actionForScore(riskScore, parts.config.policy, kinds),
    evidence: kinds,
    components: {
      autoencoder: roundToDecimals(componentScore('autoencoder'), 2),
      kmeans: roundToDecimals(componentScore('kmeans'), 2),
      isolation_forest: roundToDecimals(componentScore('isolation-forest'), 2),
      mahalanobis: roundToDecimals(componentScore('mahalanobis'), 2),
      anomaly: roundToDecimals(anomaly, 2),
      identity: roundToDecimals(identity.score, 2),
      rules: roundToDecimals(rulesScore, 2),
    },
    cluster: assignClusters(kmeansState, matrix)[0] as number,
    reasons,
    links: {
      accounts: linkedAccounts,
      rings: features.linkEvidence.ringIds,
      shared_identifiers: features.linkEvidence.links.shared
        .map((s) => ({ kind: s.kind, accounts: s.accounts, is_hub: s.isHub }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || b.accounts - a.accounts),
    },
  };
  const layerInputs = () =>
    supervisedLayerInputs(
      parts.ensemble,
      scaled,
      { ...rowRaw, [COMBINED]: raw[COMBINED][0] as number },
      assessment.components,
      assessment.risk_score,
    );
  return { assessment, layerInputs };
}
