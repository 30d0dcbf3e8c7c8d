// calibrated parts + rule hits → RiskAssessment {score, action, reasons, links}; pure, per account
import type { AccountEvents } from '../../data/tables.js';
import { anomalyFeatureShares, COMBINED, DETECTOR_NAMES, type AnomalyEnsemble, type DetectorName, scoreAnomalyEnsemble } from '../detectors/anomaly-ensemble.js';
import { createFeatureMatrix } from '../detectors/detector.js';
import { assignClusters, type KMeansState } from '../detectors/kmeans-detector.js';
import { type AccountFeatures, computeAccountFeatures, toModelInput } from '../features/account-features.js';
import { FEATURE_NAMES, FEATURES } from '../features/feature-registry.js';
import type { LinkEvidence } from '../features/link-features.js';
import type { IdentityIndex } from '../identity/identity-index.js';
import type { FittedScaler } from '../scaling/robust-scaler.js';
import type { TrainConfig } from '../train-config.js';
import { robustZ, zToScore100 } from './calibration.js';
import { type IdentifierKind, IdentifierKindSchema, type Reason, type RiskAssessment } from './risk-assessment.js';
import { actionForScore } from './risk-policy.js';
import { combineEvidence, findRuleHits, ruleThreshold } from './rules.js';
import { withSupervisedLayer } from '../supervised/apply-supervised-layer.js';
import { supervisedLayerInputs } from '../supervised/layer-inputs.js';
import type { FittedSupervisedLayer } from '../supervised/supervised-layer.js';

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
  /** flagged-neighbour evidence is added once the flagged set is known (off in training's first pass) */
  readonly useFlaggedNeighbours: boolean;
  /** the layer learnt from analyst decisions, when the version has one */
  readonly supervised?: FittedSupervisedLayer | null;
}

const MAX_LINKED_ACCOUNTS = 20;
const FEATURE_REASONS = 3;
const round = (v: number, digits = 3) => Number(v.toFixed(digits));

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function identityEvidence(parts: ScoringParts, evidence: LinkEvidence): { score: number; reasons: Omit<Reason, 'contribution'>[]; shares: number[] } {
  const { links, ringSize, ringIds } = evidence;
  const index = parts.identityIndex;
  const weights = index.config.link_weight;
  const viaKinds = new Set<IdentifierKind>();
  let flaggedNeighbours = 0;
  for (const [other, kinds] of links.linked) {
    kinds.forEach((k) => viaKinds.add(k));
    if (parts.useFlaggedNeighbours && index.flagged.has(other) && (kinds.has('bank') || kinds.has('device'))) flaggedNeighbours++;
  }
  if (links.linked.size === 0) return { score: 0, reasons: [], shares: [] };
  const sizeFactor = Math.min(1, Math.max(0, ringSize - 1) / 4);
  const strength = Math.max(0, ...[...viaKinds].map((k) => weights[k]));
  const template = Math.max(0, ...ringIds.map((id) => index.rings.get(id)?.template_share ?? 0));
  const parts_ = [strength * sizeFactor, 0.5 * template * sizeFactor, flaggedNeighbours > 0 ? 0.6 : 0];
  const reasons: Omit<Reason, 'contribution'>[] = [];
  const shares: number[] = [];
  const kindLabel: Record<IdentifierKind, string> = { bank: 'a bank hash', device: 'a device', ip: 'several IPs' };
  for (const kind of IdentifierKindSchema.options) {
    if (!viaKinds.has(kind)) continue;
    const count = [...links.linked.values()].filter((k) => k.has(kind)).length;
    reasons.push({
      code: kind === 'bank' ? 'shared-bank-hash' : kind === 'device' ? 'shared-device' : 'shared-ips',
      kind: 'link',
      name: `shared_${kind}`,
      value: count,
      typical: 0,
      unit: 'accounts',
      detail: `shares ${kindLabel[kind]} with ${count} known account${count > 1 ? 's' : ''}${ringSize > 1 ? ` (ring of ${ringSize})` : ''}`,
    });
    shares.push(weights[kind] * sizeFactor);
  }
  if (template > 0 && ringSize > 1) {
    reasons.push({ code: 'ring-shared-template', kind: 'link', name: 'ring_template_share', value: round(template), typical: 0, unit: 'share', detail: `${Math.round(template * 100)}% of its ring's members send near-identical proposal texts` });
    shares.push(parts_[1] as number);
  }
  if (flaggedNeighbours > 0) {
    reasons.push({ code: 'linked-to-flagged', kind: 'link', name: 'flagged_neighbours', value: flaggedNeighbours, typical: 0, unit: 'accounts', detail: `shares a bank hash or device with ${flaggedNeighbours} account${flaggedNeighbours > 1 ? 's' : ''} flagged at training time` });
    shares.push(0.6);
  }
  return { score: 100 * combineEvidence(parts_), reasons, shares };
}

/** Scores one account against a model: depends only on the model and this account's events. */
export function assessAccount(parts: ScoringParts, account: AccountEvents): RiskAssessment {
  return assessAccountFeatures(parts, account.account_id, computeAccountFeatures(account, { referenceTime: parts.referenceTime, identityIndex: parts.identityIndex }));
}

/** The same, from features already computed with this model's context (training reuses them across passes). */
export function assessAccountFeatures(parts: ScoringParts, accountId: string, features: AccountFeatures): RiskAssessment {
  const { assessment, layerInputs } = assessUnsupervised(parts, accountId, features);
  return parts.supervised ? withSupervisedLayer(parts.supervised, layerInputs(), assessment, parts.config.policy) : assessment;
}

/** The assessment without the supervised layer, and the layer's inputs for it (made on demand). */
export function assessUnsupervised(parts: ScoringParts, accountId: string, features: AccountFeatures): { assessment: RiskAssessment; layerInputs: () => Float64Array } {
  const scaled = parts.scaler.transformRow(toModelInput(features.values));
  const matrix = createFeatureMatrix(FEATURE_NAMES, scaled);
  const raw = scoreAnomalyEnsemble(parts.ensemble, matrix);
  const mapping = parts.config.score_mapping;
  const componentScore = (name: DetectorName | typeof COMBINED) => zToScore100(robustZ(parts.ensemble.calibrations[name], raw[name][0] as number), mapping);
  const anomaly = componentScore(COMBINED);

  const hits = findRuleHits(parts.config.rules, (name) => features.values[FEATURE_NAMES.indexOf(name)] as number);
  const rulesScore = 100 * combineEvidence(hits.map((h) => h.rule.weight));
  const identity = identityEvidence(parts, features.linkEvidence);
  const weights = parts.config.weights;
  const evidence = [(weights.anomaly * anomaly) / 100, (weights.identity * identity.score) / 100, (weights.rules * rulesScore) / 100];
  const riskScore = 100 * combineEvidence(evidence);

  // reasons: each part's evidence split over its reasons, then normalised so contributions sum to 1
  const drafts: { reason: Omit<Reason, 'contribution'>; weight: number }[] = [];
  const rowRaw = Object.fromEntries(DETECTOR_NAMES.map((name) => [name, raw[name][0] as number])) as Record<DetectorName, number>;
  const shares = anomalyFeatureShares(parts.ensemble, scaled, rowRaw);
  const topFeatures = Array.from(shares, (share, j) => ({ feature: FEATURE_NAMES[j] as string, share, j })).sort((a, b) => b.share - a.share).slice(0, FEATURE_REASONS);
  for (const { feature, share, j } of topFeatures) {
    const spec = FEATURES[j] as (typeof FEATURES)[number];
    const value = features.values[j] as number;
    const typical = parts.featureMedians[j] as number;
    drafts.push({
      reason: { code: 'feature-deviation', kind: 'feature', name: feature, value: round(value, 4), typical: round(typical, 4), unit: spec.unit, detail: `${spec.description}: ${formatValue(value)} (typical ${formatValue(typical)})` },
      weight: (evidence[0] as number) * share,
    });
  }
  for (const hit of hits) {
    drafts.push({
      reason: { code: `rule-${hit.rule.code}`, kind: 'rule', name: hit.rule.feature, value: round(hit.value, 4), typical: ruleThreshold(hit.rule), unit: FEATURES[FEATURE_NAMES.indexOf(hit.rule.feature)]?.unit ?? null, detail: hit.rule.description },
      weight: weights.rules * hit.rule.weight,
    });
  }
  const identityShareTotal = identity.shares.reduce((a, b) => a + b, 0) || 1;
  identity.reasons.forEach((reason, k) => drafts.push({ reason, weight: (evidence[1] as number) * ((identity.shares[k] as number) / identityShareTotal) }));
  const totalWeight = drafts.reduce((a, d) => a + d.weight, 0) || 1;
  const reasons: Reason[] = drafts
    .map((d) => ({ ...d.reason, contribution: round(d.weight / totalWeight, 4) }))
    .sort((a, b) => b.contribution - a.contribution || a.code.localeCompare(b.code));

  const index = parts.identityIndex;
  const linkedAccounts = [...features.linkEvidence.links.linked.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, MAX_LINKED_ACCOUNTS)
    .map(([accountId, kinds]) => ({ account_id: accountId, via: [...kinds].sort(), ring_id: index.ringOfAccount.get(accountId) ?? null, is_flagged: index.flagged.has(accountId) }));
  const kmeansState = parts.ensemble.detectors.kmeans.state as KMeansState;
  const assessment: RiskAssessment = {
    account_id: accountId,
    risk_score: round(riskScore, 2),
    action: actionForScore(riskScore, parts.config.policy),
    components: {
      autoencoder: round(componentScore('autoencoder'), 2),
      kmeans: round(componentScore('kmeans'), 2),
      isolation_forest: round(componentScore('isolation-forest'), 2),
      mahalanobis: round(componentScore('mahalanobis'), 2),
      anomaly: round(anomaly, 2),
      identity: round(identity.score, 2),
      rules: round(rulesScore, 2),
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
  const layerInputs = () => supervisedLayerInputs(parts.ensemble, scaled, { ...rowRaw, [COMBINED]: raw[COMBINED][0] as number }, assessment.components, assessment.risk_score);
  return { assessment, layerInputs };
}
