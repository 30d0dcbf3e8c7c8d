// every feature's name, unit, meaning, column order: single source for docs and reasons

export const FEATURE_FAMILIES = ['login', 'proposal', 'skills-test', 'account', 'payout', 'link'] as const;
export type FeatureFamily = (typeof FEATURE_FAMILIES)[number];

export interface FeatureSpec {
  readonly name: string;
  readonly family: FeatureFamily;
  readonly unit: string;
  readonly description: string;
  /** the value an account with no events of this family gets (documented; never NaN) */
  readonly neutral: number;
  /** heavy-tailed counts and rates go through log1p before scaling, so one extreme value does not swamp the rest */
  readonly isLogScaled: boolean;
}

const f = (name: string, family: FeatureFamily, unit: string, description: string, neutral: number, isLogScaled = false): FeatureSpec => ({
  name,
  family,
  unit,
  description,
  neutral,
  isLogScaled,
});

/** Column order of every feature vector, model input and explanation. Append only; reordering is a model format change. */
export const FEATURES: readonly FeatureSpec[] = [
  f('login_count', 'login', 'logins', 'logins in the data', 0, true),
  f('login_distinct_countries', 'login', 'countries', 'distinct IP countries seen at login', 0, true),
  f('login_country_changes', 'login', 'changes', 'times the IP country differs from the previous login', 0, true),
  f('login_hour_entropy', 'login', 'bits', 'entropy of the UTC hour-of-day of logins (24/7 activity is high)', 0),
  f(
    'login_max_travel_kmh',
    'login',
    'km/h',
    'fastest implied travel speed between consecutive logins from different countries (capped at 20000)',
    0,
    true,
  ),
  f('login_distinct_ips', 'login', 'IPs', 'distinct IP addresses', 0, true),
  f('login_distinct_devices', 'login', 'devices', 'distinct device fingerprints', 0, true),
  f('login_foreign_share', 'login', 'share', 'share of logins from outside the declared country', 0),
  f('proposal_count', 'proposal', 'proposals', 'proposals sent', 0, true),
  f('proposal_max_per_hour', 'proposal', 'proposals', 'most proposals in any 60-minute window', 0, true),
  f('proposals_per_active_day', 'proposal', 'proposals/day', 'proposals per day with at least one proposal', 0, true),
  f('proposals_per_active_hour', 'proposal', 'proposals/hour', 'proposals per clock hour with at least one proposal', 0, true),
  f(
    'proposal_median_response_s',
    'proposal',
    'seconds (log10)',
    'log10 of the median seconds from job posting to proposal (no proposals: 4, about 3 hours)',
    4,
  ),
  f('proposal_fast_share', 'proposal', 'share', 'share of proposals sent within 2 minutes of the job posting', 0),
  f('proposal_duplicate_share', 'proposal', 'share', "share of proposals with a near-duplicate text among the account's other proposals", 0),
  f('bid_ratio_median', 'proposal', 'ratio', 'median bid / job budget, each bid counted within 0.001-1e6 (no proposals: 1)', 1),
  f('bid_ratio_spread', 'proposal', 'log ratio', 'interquartile range of log(bid / budget), each within 0.001-1e6', 0),
  f('test_count', 'skills-test', 'tests', 'skills tests taken', 0, true),
  f('test_fastest_fraction', 'skills-test', 'fraction', "fastest completion as a fraction of the test's typical time (no tests: 1)", 1),
  f('test_fast_high_scores', 'skills-test', 'tests', 'tests scored 90+ in under 35% of the typical time', 0, true),
  f('test_mean_score', 'skills-test', 'points', "mean test score (no tests: 65, the population's typical score)", 65),
  f('account_age_days', 'account', 'days', "account age at its last event or the model's reference time, whichever is later", 0, true),
  f('has_2fa', 'account', 'flag', '1 when two-factor authentication is on', 0),
  f('payout_bank_count', 'payout', 'bank accounts', 'distinct payout bank hashes', 0, true),
  f(
    'payout_change_after_new_access',
    'payout',
    'changes',
    'bank hashes added (after the first) within 72 h of a login from a new device in a new country',
    0,
    true,
  ),
  f('link_bank_accounts', 'link', 'accounts', 'most other accounts sharing one of its bank hashes', 0, true),
  f('link_device_accounts', 'link', 'accounts', 'most other accounts sharing one of its devices (hub devices excluded)', 0, true),
  f('link_ip_accounts', 'link', 'accounts', 'other accounts sharing two or more of its non-hub IPs', 0, true),
  f('link_ring_size', 'link', 'accounts', 'size of the ring of linked accounts it belongs to (0 when unlinked)', 0, true),
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((feature) => feature.name);

/**
 * The families the anomaly detectors read. Identity links are not among them: a shared bank or device is normal for
 * agencies and households, and detectors fitted on a world with few such groups learnt it as anomalous (issue 18:
 * 65% of honest agency members flagged). Identity evidence reaches the risk score through the ring score only, which
 * judges the group the links form; the link features stay in the feature vector for reasons, reports and analysts.
 */
export const isDetectorInput = (feature: FeatureSpec): boolean => feature.family !== 'link';

/** Columns (indices into FEATURES) of the detectors' input, in registry order. */
export const DETECTOR_COLUMNS: readonly number[] = FEATURES.flatMap((feature, i) => (isDetectorInput(feature) ? [i] : []));
export const DETECTOR_FEATURE_NAMES: readonly string[] = DETECTOR_COLUMNS.map((i) => FEATURE_NAMES[i] as string);
const INDEX = new Map(FEATURE_NAMES.map((name, i) => [name, i]));

/** Column of a feature; throws on an unknown name (a config typo must not silently read column 0). */
export function featureIndex(name: string): number {
  const index = INDEX.get(name);
  if (index === undefined) throw new RangeError(`unknown feature ${JSON.stringify(name)}; known: ${FEATURE_NAMES.join(', ')}`);
  return index;
}

export function featureSpec(name: string): FeatureSpec {
  return FEATURES[featureIndex(name)] as FeatureSpec;
}
