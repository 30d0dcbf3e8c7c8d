// A data folder read shard by shard: how many shards its size calls for, and one shard's accounts with their rows.
import { stat } from 'node:fs/promises';
import type { Dataset } from './dataset.js';
import { findTableFiles, loadDataset } from './load-dataset.js';
import type { ProgressEvent } from './progress-event.js';

const MIB = 1024 * 1024;
/** compressed files (gzip, Parquet) hold about this many times their size as text */
const COMPRESSED_EXPANSION = 5;
/** input per shard when the caller does not say (TrainConfig `loading.shard_input_mib`, `score --shard-mib`) */
export const DEFAULT_SHARD_INPUT_MIB = 1024;

/** How many shards a folder needs for about `shardInputMib` of input each. */
export async function shardCountFor(folder: string, shardInputMib: number): Promise<number> {
  const { files } = await findTableFiles(folder);
  let bytes = 0;
  for (const file of files.values()) {
    const size = (await stat(file)).size;
    bytes += /\.(gz|parquet)$/i.test(file) ? size * COMPRESSED_EXPANSION : size;
  }
  return Math.max(1, Math.ceil(bytes / (shardInputMib * MIB)));
}

/** The shard count a caller asked for, or the one the folder's size calls for; refused unless a positive integer. */
export async function resolveShardCount(folder: string, options: { readonly shards?: number; readonly shardInputMib?: number }): Promise<number> {
  const shards = options.shards ?? (await shardCountFor(folder, options.shardInputMib ?? DEFAULT_SHARD_INPUT_MIB));
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer; got ${shards}`);
  return shards;
}

/** Shard `index` of `count` (the whole folder when count is 1); `note` names it for progress and log lines. */
export async function loadDatasetShard(
  folder: string,
  index: number,
  count: number,
  onProgress?: (event: ProgressEvent) => void,
): Promise<{ dataset: Dataset; note: string }> {
  const note = count > 1 ? ` (shard ${index + 1} of ${count})` : '';
  const dataset = await loadDataset(folder, {
    ...(count > 1 ? { accountShard: { index, count } } : {}),
    ...(onProgress ? { onProgress: (e: ProgressEvent) => onProgress({ ...e, detail: `${e.detail ?? ''}${note}` }) } : {}),
  });
  return { dataset, note };
}
