// data folder → every account's features and the identity index, holding one shard of events in memory at a time
//
// Events are what takes memory (about twice the input size as JS objects). Each shard of accounts is loaded with its
// rows, summarised (own-event features, hashed identifiers, typical proposal text) and dropped; the identity graph
// is built from the summaries of all accounts, then each account's features are completed with it. The result is
// the same, value for value and in file order, whatever the number of shards.
import type { DatasetSummary } from '../../data/dataset.js';
import { DatasetError } from '../../data/data-errors.js';
import { loadDatasetShard, resolveShardCount } from '../../data/dataset-shards.js';
import { mergeShardSummaries } from '../../data/load-dataset.js';
import type { ProgressEvent } from '../../data/progress-event.js';
import type { LabelRow } from '../../data/tables.js';
import { buildIdentityIndexOfIdentities } from '../identity/identity-graph.js';
import { type AccountIdentity, type IdentityConfig, type IdentityIndex, RingJudgementSchema } from '../identity/identity-index.js';
import { DEFAULT_RING_ABOVE } from '../identity/ring-score.js';
import { type AccountEventSummary, type AccountFeatures, completeAccountFeatures, summariseAccountEvents } from './account-features.js';

const PROGRESS_EVERY = 5000;

export interface FeaturiseDatasetOptions {
  readonly identity: IdentityConfig;
  /** HMAC key of the identifier hashes */
  readonly hashKey: string;
  /** policy.ring_above: the ring threshold candidate groups are first judged with */
  readonly ringAbove?: number;
  /** input per shard, MiB (TrainConfig `loading.shard_input_mib`); ignored when `shards` is given */
  readonly shardInputMib?: number;
  /** number of shards; default from the folder's size and `shardInputMib` */
  readonly shards?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** called with a one-line note per finished step (counts and timings) */
  readonly onStage?: (message: string) => void;
}

export interface FeaturisedDataset {
  /** every account of the folder, in the order of the accounts file */
  readonly accountIds: readonly string[];
  readonly features: readonly AccountFeatures[];
  readonly identityIndex: IdentityIndex;
  /** the identity (identifiers and group profile) of every member of a candidate group, to judge groups again */
  readonly groupedIdentities: ReadonlyMap<string, AccountIdentity>;
  /** end of the data (epoch ms): the latest event, else the epoch */
  readonly referenceTime: number;
  readonly labels: ReadonlyMap<string, LabelRow> | null;
  readonly summary: DatasetSummary;
  readonly shards: number;
  /** seconds per step, summed over shards */
  readonly seconds: { readonly load: number; readonly summarise: number; readonly graph: number; readonly complete: number };
}

export async function featuriseDataset(folder: string, options: FeaturiseDatasetOptions): Promise<FeaturisedDataset> {
  const shards = await resolveShardCount(folder, options);
  const seconds = { load: 0, summarise: 0, graph: 0, complete: 0 };
  const since = (start: number) => (performance.now() - start) / 1000;
  const parts: { line: number; summary: AccountEventSummary }[] = [];
  const shardSummaries: DatasetSummary[] = [];
  let labels: Map<string, LabelRow> | null = null;
  for (let index = 0; index < shards; index++) {
    const shardStart = performance.now();
    let start = shardStart;
    const { dataset, note: shardNote } = await loadDatasetShard(folder, index, shards, options.onProgress);
    seconds.load += since(start);
    start = performance.now();
    dataset.accounts.forEach((account, i) => {
      parts.push({ line: dataset.accountLines[i] as number, summary: summariseAccountEvents(account, options.hashKey) });
      if (i % PROGRESS_EVERY === 0)
        options.onProgress?.({ stage: 'features', done: parts.length, unit: 'accounts', detail: `own events${shardNote}` });
    });
    // the last line a progress bar keeps is the last event: make it the whole shard, not its first account
    options.onProgress?.({ stage: 'features', done: parts.length, unit: 'accounts', detail: `own events${shardNote}` });
    seconds.summarise += since(start);
    shardSummaries.push(dataset.summary);
    if (dataset.labels) {
      labels ??= new Map();
      for (const [id, label] of dataset.labels) labels.set(id, label);
    }
    options.onStage?.(`loaded and summarised ${dataset.accounts.length} accounts${shardNote} in ${since(shardStart).toFixed(1)}s`);
  }
  const summary = mergeShardSummaries(shardSummaries);
  if (parts.length === 0) throw new DatasetError(folder, `the accounts table of ${folder} has no valid rows: there are no accounts to load`);
  parts.sort((a, b) => a.line - b.line);

  const referenceTime = summary.time_range.to === null ? 0 : Date.parse(summary.time_range.to);
  let start = performance.now();
  const judgement = RingJudgementSchema.parse({ context: { as_of: referenceTime }, ring_above: options.ringAbove ?? DEFAULT_RING_ABOVE });
  const identityIndex = buildIdentityIndexOfIdentities(
    parts.map((p) => p.summary.identity),
    { config: options.identity, hashKey: options.hashKey, judgement },
  );
  const groupedIdentities = new Map<string, AccountIdentity>();
  for (const p of parts)
    if (identityIndex.groupOfAccount.has(p.summary.identity.account_id)) groupedIdentities.set(p.summary.identity.account_id, p.summary.identity);
  seconds.graph = since(start);
  options.onStage?.(
    `identity graph: ${identityIndex.identifiers.size} identifiers, ${identityIndex.identifiers.hubCount} hubs, ${identityIndex.rings.size + identityIndex.groups.size} candidate groups in ${seconds.graph.toFixed(1)}s`,
  );

  start = performance.now();
  const features = parts.map((p, i) => {
    if (i % PROGRESS_EVERY === 0)
      options.onProgress?.({ stage: 'features', done: i, total: parts.length, unit: 'accounts', detail: 'identity links' });
    return completeAccountFeatures(p.summary, { referenceTime, identityIndex });
  });
  options.onProgress?.({ stage: 'features', done: parts.length, total: parts.length, unit: 'accounts', detail: 'identity links' });
  seconds.complete = since(start);
  return {
    accountIds: parts.map((p) => p.summary.identity.account_id),
    features,
    identityIndex,
    groupedIdentities,
    referenceTime,
    labels,
    summary,
    shards,
    seconds,
  };
}
