// The analyst tables of a trained version (report/accounts.csv, clusters.csv, cluster-profiles.csv, rings.csv, groups.csv).
import { csvBytes } from '../data/csv-writer.js';
import { GROUP_COLUMNS, groupRows, RING_COLUMNS, ringRows } from './identity/group-tables.js';
import type { LabelRow } from '../data/tables.js';
import type { KMeansState } from './detectors/kmeans-detector.js';
import { DETECTOR_COLUMNS, FEATURES } from './features/feature-registry.js';
import type { IdentityIndex } from './identity/identity-index.js';
import type { RiskAssessment } from './scoring/risk-assessment.js';
import { median } from './statistics.js';

/**
 * What the report keeps of each account's assessment: the numbers, the action and the top reasons as text. A million
 * full assessments (every reason and link) do not fit in memory beside the features they were made from.
 */
export type AccountOutcome = Pick<RiskAssessment, 'account_id' | 'cluster' | 'action' | 'risk_score' | 'components'> & {
  readonly top_reasons: string;
};

export function accountOutcome(a: RiskAssessment): AccountOutcome {
  return {
    account_id: a.account_id,
    cluster: a.cluster,
    action: a.action,
    risk_score: a.risk_score,
    components: a.components,
    top_reasons: a.reasons
      .slice(0, 3)
      .map((r) => `${r.code}:${r.name}`)
      .join('; '),
  };
}

/** The group of the honest accounts the policy flags (its false alarms) among the fraud kinds of firstReasonsByKind. */
export const HONEST_FLAGGED = 'honest, flagged';

export interface FirstReasonGroup {
  readonly group: string;
  readonly accounts: number;
  /** the most frequent first reasons ("code:name"), most frequent first */
  readonly reasons: readonly { readonly reason: string; readonly accounts: number; readonly share: number }[];
}

/**
 * What an analyst reads first for each fraud kind: the most frequent first reasons of its accounts, and of the honest
 * accounts the policy flags (last). `labels`: account id → fraud kind, '' for a normal account; unlabelled accounts
 * are left out.
 */
export function firstReasonsByKind(
  outcomes: Iterable<Pick<AccountOutcome, 'account_id' | 'action' | 'top_reasons'>>,
  labels: ReadonlyMap<string, string>,
  top = 3,
): FirstReasonGroup[] {
  const byGroup = new Map<string, Map<string, number>>();
  for (const a of outcomes) {
    const kind = labels.get(a.account_id);
    const group = kind ? kind : kind === '' && a.action !== 'MONITOR' ? HONEST_FLAGGED : null;
    if (group === null) continue;
    const first = a.top_reasons.split('; ')[0] || '(none)';
    const reasons = byGroup.get(group) ?? new Map<string, number>();
    reasons.set(first, (reasons.get(first) ?? 0) + 1);
    byGroup.set(group, reasons);
  }
  const isHonest = (group: string) => Number(group === HONEST_FLAGGED);
  return [...byGroup]
    .sort(([a], [b]) => isHonest(a) - isHonest(b) || a.localeCompare(b))
    .map(([group, reasons]) => {
      const total = [...reasons.values()].reduce((sum, n) => sum + n, 0);
      const ranked = [...reasons].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, top);
      return { group, accounts: total, reasons: ranked.map(([reason, n]) => ({ reason, accounts: n, share: n / total })) };
    });
}

export interface ClusterProfile {
  readonly cluster: number;
  readonly size: number;
  readonly shareFlagged: number;
  /** features that set the cluster apart: centroid in scaled units (≈ robust z against the population) */
  readonly topFeatures: { name: string; z: number; centroidValue: number; populationMedian: number }[];
}

/** Per cluster: size, share flagged, and each feature's median in original units against the population's. */
export function clusterProfiles(
  kmeans: KMeansState,
  outcomes: readonly Pick<AccountOutcome, 'cluster' | 'action'>[],
  rawFeatures: readonly Float64Array[],
  populationMedians: readonly number[],
): ClusterProfile[] {
  return kmeans.centroids.map((centroid, cluster) => {
    const members: number[] = [];
    outcomes.forEach((o, i) => {
      if (o.cluster === cluster) members.push(i);
    });
    const flagged = members.filter((i) => (outcomes[i] as AccountOutcome).action !== 'MONITOR').length;
    // centroid coordinates are detector columns; j is the feature's column in the full vector
    const topFeatures = centroid
      .map((z, k) => {
        const j = DETECTOR_COLUMNS[k] as number;
        const values = members.map((i) => (rawFeatures[i] as Float64Array)[j] as number);
        return {
          name: (FEATURES[j] as (typeof FEATURES)[number]).name,
          z,
          centroidValue: values.length ? median(values) : NaN,
          populationMedian: populationMedians[j] as number,
        };
      })
      .sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
    return { cluster, size: members.length, shareFlagged: members.length ? flagged / members.length : 0, topFeatures };
  });
}

export function analystTables(input: {
  outcomes: readonly AccountOutcome[];
  labels: ReadonlyMap<string, LabelRow> | null;
  profiles: readonly ClusterProfile[];
  identityIndex: IdentityIndex;
}): Record<string, Uint8Array> {
  const { outcomes, labels, profiles, identityIndex } = input;
  const accounts = csvBytes(
    [
      'account_id',
      'cluster',
      'autoencoder',
      'kmeans',
      'isolation_forest',
      'mahalanobis',
      'anomaly',
      'identity',
      'rules',
      'risk_score',
      'action',
      'ring_id',
      'label',
      'kind',
      'top_reasons',
    ],
    // rows made one at a time as the table is written: a million row arrays at once do not fit
    (function* () {
      for (const a of outcomes) {
        const label = labels?.get(a.account_id);
        yield [
          a.account_id,
          a.cluster,
          a.components.autoencoder,
          a.components.kmeans,
          a.components.isolation_forest,
          a.components.mahalanobis,
          a.components.anomaly,
          a.components.identity,
          a.components.rules,
          a.risk_score,
          a.action,
          identityIndex.ringOfAccount.get(a.account_id) ?? '',
          label ? label.label : '',
          label?.kind ?? '',
          a.top_reasons,
        ];
      }
    })(),
  );
  const fmt = (v: number) => Number(v.toFixed(3));
  const clusters = csvBytes(
    ['cluster', 'size', 'share_flagged', 'top_features'],
    profiles.map((p) => [
      p.cluster,
      p.size,
      fmt(p.shareFlagged),
      p.topFeatures
        .slice(0, 4)
        .map((f) => `${f.name}(${f.z >= 0 ? '+' : ''}${f.z.toFixed(1)})`)
        .join('; '),
    ]),
  );
  const clusterProfileRows = csvBytes(
    ['cluster', 'feature', 'centroid_value', 'population_median', 'z'],
    profiles.flatMap((p) => p.topFeatures.map((f) => [p.cluster, f.name, fmt(f.centroidValue), fmt(f.populationMedian), fmt(f.z)])),
  );
  return {
    'accounts.csv': accounts,
    'clusters.csv': clusters,
    'cluster-profiles.csv': clusterProfileRows,
    'rings.csv': csvBytes(RING_COLUMNS, ringRows(identityIndex.rings.values())),
    'groups.csv': csvBytes(GROUP_COLUMNS, groupRows(identityIndex.groups.values())),
  };
}
