// Scoring pass 1 and group judgement: every account without ring evidence, then each candidate group judged with its
// members' anomaly scores. Training runs it on its own accounts; a scored folder's groups are judged the same way.
import type { ProgressEvent } from '../../data/progress-event.js';
import type { AccountFeatures } from '../features/account-features.js';
import type { FeaturisedDataset } from '../features/featurise-dataset.js';
import { rejudgeIdentityGroups, withFlaggedAccounts } from '../identity/identity-graph.js';
import { type AccountIdentity, type IdentityIndex, type RingJudgement, RingJudgementSchema } from '../identity/identity-index.js';
import { RingScoreContextSchema } from '../identity/ring-score.js';
import { FEATURE_NAMES } from '../features/feature-registry.js';
import { assessAccountFeatures, type ScoringParts } from './risk-score.js';

const PROGRESS_EVERY = 2000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : 0;
}

/** How much strangers' bid levels differ: the median absolute deviation of log(median bid / budget), accounts with 3+ proposals. */
export function typicalBidSpread(features: readonly AccountFeatures[]): number {
  const bid = FEATURE_NAMES.indexOf('bid_ratio_median');
  const count = FEATURE_NAMES.indexOf('proposal_count');
  const logs = features.flatMap((f) =>
    (f.values[count] as number) >= 3 && (f.values[bid] as number) > 0 ? [Math.log(f.values[bid] as number)] : [],
  );
  if (logs.length < 10) return RingScoreContextSchema.parse({ as_of: 0 }).typical_bid_spread;
  const middle = median(logs);
  return Math.max(0.05, median(logs.map((v) => Math.abs(v - middle))));
}

/** The judgement of a data set's groups under a policy: as of the data's end, with its accounts' bid spread. */
export function judgementOf(data: FeaturisedDataset, policy: ScoringParts['config']['policy']): RingJudgement {
  return RingJudgementSchema.parse({
    context: { as_of: data.referenceTime, typical_bid_spread: typicalBidSpread(data.features), unusual_above: policy.anomaly_evidence_above },
    ring_above: policy.ring_above,
  });
}

export interface JudgedGroups {
  /** the data set's identity index with its groups judged and the accounts flagged in pass 1 recorded */
  readonly identityIndex: IdentityIndex;
  /** accounts flagged without ring evidence */
  readonly flagged: ReadonlySet<string>;
}

/**
 * Pass 1 over `data` with `parts` (its identity index replaced by the data set's, ring evidence off), then every
 * candidate group judged with its members' anomaly scores. Only flagged ids and group members' scores are kept.
 */
export function judgeGroupsAfterFirstPass(
  parts: ScoringParts,
  data: FeaturisedDataset,
  judgement: RingJudgement,
  onProgress?: (event: ProgressEvent) => void,
): JudgedGroups {
  const firstPass: ScoringParts = { ...parts, identityIndex: data.identityIndex, useRingEvidence: false };
  const flagged = new Set<string>();
  const memberAnomaly = new Map<string, number>();
  data.accountIds.forEach((id, i) => {
    if (i % PROGRESS_EVERY === 0) onProgress?.({ stage: 'scoring (pass 1 of 2)', done: i, total: data.accountIds.length, unit: 'accounts' });
    const assessment = assessAccountFeatures(firstPass, id, data.features[i] as AccountFeatures);
    if (assessment.action !== 'MONITOR') flagged.add(id);
    if (data.identityIndex.groupOfAccount.has(id)) memberAnomaly.set(id, assessment.components.anomaly);
  });
  onProgress?.({ stage: 'scoring (pass 1 of 2)', done: data.accountIds.length, total: data.accountIds.length, unit: 'accounts' });
  const identityIndex = rejudgeIdentityGroups(
    withFlaggedAccounts(data.identityIndex, flagged),
    (id) => data.groupedIdentities.get(id) as AccountIdentity,
    (id) => memberAnomaly.get(id) ?? null,
    judgement,
  );
  return { identityIndex, flagged };
}
