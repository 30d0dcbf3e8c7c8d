// AccountEvents → FeatureVector in registry order; the one function serving also calls
import type { AccountEvents } from '../../data/tables.js';
import type { IdentityIndex } from '../identity/identity-index.js';
import { computeAccountProfileFeatures } from './account-profile-features.js';
import { FEATURES } from './feature-registry.js';
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

/** The feature vector of one account; depends only on the account and the context (the model). */
export function computeAccountFeatures(account: AccountEvents, context: FeatureContext): AccountFeatures {
  const linkEvidence = findLinkEvidence(account, context.identityIndex);
  const byName: Record<string, number> = {
    ...computeLoginFeatures(account),
    ...computeProposalFeatures(account),
    ...computeSkillsTestFeatures(account),
    ...computeAccountProfileFeatures(account, context.referenceTime),
    ...computePayoutFeatures(account),
    ...computeLinkFeatures(linkEvidence),
  };
  const values = new Float64Array(FEATURES.length);
  FEATURES.forEach((feature, i) => {
    const value = byName[feature.name];
    // a missing or non-finite value is a programming error in a family function: fall back to the documented neutral value
    values[i] = value !== undefined && Number.isFinite(value) ? value : feature.neutral;
  });
  return { values, linkEvidence };
}

/** Model input: heavy-tailed features through log1p (registry `isLogScaled`), in place. */
export function toModelInput(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  FEATURES.forEach((feature, i) => {
    const v = values[i] as number;
    out[i] = feature.isLogScaled ? Math.log1p(Math.max(0, v)) : v;
  });
  return out;
}
