// data folder → one output line per account, scored with a saved model, holding one shard of events at a time
//
// Scoring goes through the live identity state, as the service does (live-assessment.ts): a first pass adds every
// account of the folder, in sign-up order, to an in-memory state (the model's index plus the folder's accounts, never
// the service's store), and a second pass scores each account against that state. So a ring that arrives in the
// folder sees itself, and streaming the folder through the service in sign-up order then rescoring it with
// "record": false gives the same scores and ring ids. The state keeps a small record per account, not its events.
// Each shard's lines go to a temporary file in the order of its accounts; the files are then merged by the accounts'
// line numbers, so the output is in the order of the accounts file whatever the number of shards.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { type AtomicFileWriter, createAtomicFileWriter, writeLinesAtomically } from '../../data/csv-writer.js';
import { DatasetError } from '../../data/data-errors.js';
import { loadDatasetShard, resolveShardCount } from '../../data/dataset-shards.js';
import type { ProgressEvent } from '../../data/progress-event.js';
import { trackTemporaryOutput } from '../../data/temporary-outputs.js';
import type { Dataset } from '../../data/dataset.js';
import { summariseAccountEvents } from '../features/account-features.js';
import { LiveIdentityState } from '../identity/identity-store.js';
import { assessLive, type LiveAssessment, livePartsOf, type PreparedAccount, prepareLive, signUpOrder } from '../identity/live-assessment.js';
import type { LiveAccount } from '../identity/live-account.js';
import type { LiveGroup } from '../identity/live-identity-graph.js';
import type { RiskAssessment } from './risk-assessment.js';
import type { ScoringParts } from './risk-score.js';

const PROGRESS_EVERY = 2000;
// Both passes are CPU work that awaits nothing until a 1 MiB block is written: they give the event loop a turn this
// often, so Ctrl-C or SIGTERM is acted on at once (removing the unfinished output) instead of after the whole folder.
const YIELD_EVERY = 200;

export interface ScoreDatasetOptions {
  /** the output's first line (a CSV header), if any */
  readonly header?: string;
  /** one output line (with its LF) per assessment */
  readonly formatLine: (assessment: LiveAssessment) => string;
  /** input per shard, MiB; ignored when `shards` is given */
  readonly shardInputMib?: number;
  readonly shards?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface ScoredDataset {
  readonly accounts: number;
  readonly actions: Record<RiskAssessment['action'], number>;
  readonly shards: number;
  /** every candidate group (rings and groups below the ring threshold) with a scored account, as the state holds it */
  readonly groups: LiveGroup[];
}

/** One shard's temporary file: its records in order, with the accounts-file line and byte length of each. */
interface ShardRun {
  readonly file: string;
  readonly lines: number[];
  readonly bytes: number[];
}

const READ_CHUNK = 1 << 20;

/** Reads a file record by record, given each record's byte length (a CSV record may hold line breaks). */
class RecordReader {
  private buffer = Buffer.alloc(0);
  private offset = 0;
  private position = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly file: string,
  ) {}

  async read(length: number): Promise<string> {
    if (this.buffer.length - this.offset < length) {
      const rest = this.buffer.subarray(this.offset);
      const chunk = Buffer.alloc(Math.max(READ_CHUNK, length));
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, this.position);
      this.position += bytesRead;
      this.buffer = Buffer.concat([rest, chunk.subarray(0, bytesRead)]);
      this.offset = 0;
      if (this.buffer.length < length) throw new Error(`shard file ${this.file} ended early`);
    }
    const text = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }
}

/** Merges the shard runs (each in accounts-file order) into `writer` in accounts-file order. */
async function mergeRuns(runs: readonly ShardRun[], writer: AtomicFileWriter): Promise<void> {
  const handles: FileHandle[] = [];
  try {
    for (const run of runs) handles.push(await open(run.file, 'r'));
    const readers = runs.map((run, r) => new RecordReader(handles[r] as FileHandle, run.file));
    const next = runs.map(() => 0);
    const total = runs.reduce((sum, run) => sum + run.lines.length, 0);
    for (let written = 0; written < total; written++) {
      let best = -1;
      for (let r = 0; r < runs.length; r++) {
        const position = next[r] as number;
        const run = runs[r] as ShardRun;
        if (
          position < run.lines.length &&
          (best < 0 || (run.lines[position] as number) < ((runs[best] as ShardRun).lines[next[best] as number] as number))
        )
          best = r;
      }
      const run = runs[best] as ShardRun;
      const record = await (readers[best] as RecordReader).read(run.bytes[next[best] as number] as number);
      next[best] = (next[best] as number) + 1;
      await writer.write(record);
    }
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
  }
}

/**
 * The in-memory live state of the model over `parts` with every account of `folder` added in sign-up order. With one
 * shard, its data set and each account's prepared summary and detector output are kept (in the data set's order), so
 * the second pass neither reads the folder again nor recomputes them: both depend on the model and the events alone.
 */
async function addFolderToState(
  folder: string,
  parts: ScoringParts,
  shards: number,
  onProgress?: (event: ProgressEvent) => void,
): Promise<{ state: LiveIdentityState; onlyShard: { dataset: Dataset; prepared: PreparedAccount[] } | null }> {
  const records: LiveAccount[] = [];
  let onlyShard: { dataset: Dataset; prepared: PreparedAccount[] } | null = null;
  const recordedAt = Date.now();
  for (let index = 0; index < shards; index++) {
    const { dataset } = await loadDatasetShard(folder, index, shards, onProgress);
    const kept: PreparedAccount[] = [];
    for (const account of dataset.accounts) {
      if (records.length % PROGRESS_EVERY === 0) onProgress?.({ stage: 'identity state', done: records.length, unit: 'accounts' });
      if (records.length % YIELD_EVERY === 0) await nextTurn();
      const [prepared] = prepareLive(parts, [account], recordedAt) as [PreparedAccount];
      records.push(prepared.record);
      if (shards === 1) kept.push(prepared);
    }
    if (shards === 1) onlyShard = { dataset, prepared: kept };
  }
  const state = new LiveIdentityState(parts.identityIndex, null);
  await state.record(records.sort(signUpOrder));
  onProgress?.({ stage: 'identity state', done: records.length, unit: 'accounts' });
  return { state, onlyShard };
}

/**
 * Scores every account of `folder` with `parts` into `outputFile` (written under a temporary name and renamed when
 * complete), against the model's index plus the folder's accounts (see the file comment). Shards follow the input
 * size as in training (`resolveShardCount`), so a folder larger than memory is scored.
 */
export async function scoreDataset(folder: string, parts: ScoringParts, outputFile: string, options: ScoreDatasetOptions): Promise<ScoredDataset> {
  const shards = await resolveShardCount(folder, options);
  const actions = { BLOCK_ACCOUNT: 0, FLAG_FOR_REVIEW: 0, MONITOR: 0 };
  const { state, onlyShard } = await addFolderToState(folder, parts, shards, options.onProgress);
  const graph = state.graph;
  const liveParts = livePartsOf(parts, graph);
  const output = createAtomicFileWriter(outputFile);
  const runs: ShardRun[] = [];
  const untrackRuns: (() => void)[] = [];
  let accounts = 0;
  try {
    if (options.header) await output.write(options.header);
    for (let index = 0; index < shards; index++) {
      const { dataset, note: shardNote } = onlyShard
        ? { dataset: onlyShard.dataset, note: '' }
        : await loadDatasetShard(folder, index, shards, options.onProgress);
      // one shard writes straight to the output; several write runs to merge in file order
      const run: ShardRun | null = shards > 1 ? { file: `${outputFile}.shard-${index}`, lines: [], bytes: [] } : null;
      if (run) {
        runs.push(run);
        untrackRuns.push(trackTemporaryOutput(run.file));
      }
      function* shardLines(): Generator<string> {
        for (const [i, account] of dataset.accounts.entries()) {
          if (accounts % PROGRESS_EVERY === 0) options.onProgress?.({ stage: 'scoring', done: accounts, unit: 'accounts', detail: shardNote.trim() });
          const assessment = assessLive(
            liveParts,
            graph,
            onlyShard?.prepared[i] ?? { summary: summariseAccountEvents(account, parts.identityIndex.hashKey) },
          );
          actions[assessment.action]++;
          accounts++;
          const record = options.formatLine(assessment);
          if (run) {
            run.lines.push(dataset.accountLines[i] as number);
            run.bytes.push(Buffer.byteLength(record));
          }
          yield record;
        }
      }
      if (run) await writeLinesAtomically(run.file, shardLines());
      else {
        let written = 0;
        for (const line of shardLines()) {
          await output.write(line);
          if (++written % YIELD_EVERY === 0) await nextTurn();
        }
      }
    }
    options.onProgress?.({ stage: 'scoring', done: accounts, unit: 'accounts' });
    if (accounts === 0) throw new DatasetError(folder, `the accounts table of ${folder} has no valid rows: there are no accounts to score`);
    if (runs.length > 0) await mergeRuns(runs, output);
    await output.close();
  } catch (error) {
    await output.abort();
    throw error;
  } finally {
    await Promise.all(runs.flatMap((run) => [rm(run.file, { force: true }), rm(`${run.file}.partial`, { force: true })]));
    for (const untrack of untrackRuns) untrack();
  }
  return { accounts, actions, shards, groups: [...graph.liveGroups()] };
}
