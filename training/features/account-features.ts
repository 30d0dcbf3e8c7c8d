// AccountEvents → FeatureVector in registry order; the one function serving also calls
//
// Two steps, so that training can work through a data set larger than memory shard by shard: what the account's
// own events say (summariseAccountEvents: needs nothing else, and the events can be dropped after it), then what
// needs the model's context, the identity index and the reference time (completeAccountFeatures).
import { inCanonicalOrder } from '../../data/event-order.js';
import type { AccountEvents } from '../../data/tables.js';
import { type AccountIdentity, type IdentityIndex, orderedAccountIdentity } from '../identity/identity-index.js';
import { accountAgeDays, computeAccountProfileFeatures, lastEventTime } from './account-profile-features.js';
import { DETECTOR_COLUMNS, FEATURES } from './feature-registry.js';
import { computeLinkFeatures, findLinkEvidence, type LinkEvidence } from './link-features.js';
import { computeLoginFeatures } from './login-features.js';
import { computePayoutFeatures } from './payout-features.js';
import { computeProposalFeatures } from './proposal-features.js';
import { computeSkillsTestFeatures } from './skills-test-features.js';

export interface FeatureContext {
  /** end of the training data (epoch ms): the reference for account age, stored in the model */
  readonly referenceTime: number;
  readonly identityIndex: IdentityIndex;
}

export interface AccountFeatures {
  /** raw feature values in registry order (original units, never NaN) */
  readonly values: Float64Array;
  readonly linkEvidence: LinkEvidence;
}

/** What an account's own events say: every feature that needs no context, and what the others need. */
export interface AccountEventSummary {
  /** registry order; the context features (identity links, age) are filled in by completeAccountFeatures */
  readonly ownValues: Float64Array;
  readonly identity: AccountIdentity;
  readonly createdAt: number;
  readonly lastEventAt: number;
}

const FEATURE_POSITION = new Map(FEATURES.map((feature, i) => [feature.name, i]));
const NEUTRAL_VALUES = Float64Array.from(FEATURES, (feature) => feature.neutral);

/** Writes a family's results into `values`; a non-finite value (a bug in a family function) becomes the documented neutral value. */
function setFeatureValues(values: Float64Array, byName: Record<string, number>): void {
  for (const name in byName) {
    const i = FEATURE_POSITION.get(name);
    if (i === undefined) continue;
    const value = byName[name] as number;
    values[i] = Number.isFinite(value) ? value : (NEUTRAL_VALUES[i] as number);
  }
}

/**
 * What the account's events say, read in canonical order (data/event-order.ts): the order they came in never matters.
 * `identity` is the account's accountIdentity under the context's hash key, when the caller has it already.
 */
export function summariseAccountEvents(events: AccountEvents, hashKey: string, identity?: AccountIdentity): AccountEventSummary {
  const account = inCanonicalOrder(events);
  const ownValues = NEUTRAL_VALUES.slice();
  setFeatureValues(ownValues, computeLoginFeatures(account));
  setFeatureValues(ownValues, computeProposalFeatures(account));
  setFeatureValues(ownValues, computeSkillsTestFeatures(account));
  setFeatureValues(ownValues, computeAccountProfileFeatures(account));
  setFeatureValues(ownValues, computePayoutFeatures(account));
  return {
    ownValues,
    identity: identity ?? orderedAccountIdentity(account, hashKey),
    createdAt: account.created_at,
    lastEventAt: lastEventTime(account),
  };
}

export function completeAccountFeatures(summary: AccountEventSummary, context: FeatureContext): AccountFeatures {
  const linkEvidence = findLinkEvidence(summary.identity, context.identityIndex);
  const values = summary.ownValues.slice();
  setFeatureValues(values, computeLinkFeatures(linkEvidence));
  setFeatureValues(values, { account_age_days: accountAgeDays(summary.createdAt, summary.lastEventAt, context.referenceTime) });
  return { values, linkEvidence };
}

/** The feature vector of one account; depends only on the account and the context (the model). */
export function computeAccountFeatures(account: AccountEvents, context: FeatureContext, identity?: AccountIdentity): AccountFeatures {
  return completeAccountFeatures(summariseAccountEvents(account, context.identityIndex.hashKey, identity), context);
}

const DETECTOR_LOG_SCALED = DETECTOR_COLUMNS.map((i) => (FEATURES[i] as (typeof FEATURES)[number]).isLogScaled);

/**
 * Model input: the detectors' columns (registry DETECTOR_COLUMNS, no identity links) of a feature vector, heavy-tailed
 * ones through log1p (registry `isLogScaled`), as a new array.
 */
export function toModelInput(values: Float64Array): Float64Array {
  const out = new Float64Array(DETECTOR_COLUMNS.length);
  for (let k = 0; k < DETECTOR_COLUMNS.length; k++) {
    const v = values[DETECTOR_COLUMNS[k] as number] as number;
    out[k] = DETECTOR_LOG_SCALED[k] ? Math.log1p(Math.max(0, v)) : v;
  }
  return out;
}
