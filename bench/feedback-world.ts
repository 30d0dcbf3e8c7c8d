// What the feedback benchmarks share (issue 20): a generated world with its truth, every account scored by a saved
// model through `ringfence score`'s code, and the simulated analyst's review (the top of the ranking plus a random sample).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSeededRandom } from '../data/seeded-random.js';
import { type FeaturisedDataset, featuriseDataset } from '../training/features/featurise-dataset.js';
import { loadScoringParts } from '../training/model-files.js';
import { scoreDataset } from '../training/scoring/score-dataset.js';
import { TrainConfigSchema } from '../training/train-config.js';
import { generateInChild } from './bench-process.js';

export const FEEDBACK_SECRET = 'feedback-bench-secret';
/** the analyst reviews the TOP highest-ranked accounts plus RANDOM drawn from the rest */
export const TOP = 300;
export const RANDOM = 200;

export interface World {
  readonly seed: number;
  readonly dir: string;
  readonly ids: readonly string[];
  readonly labels: Uint8Array;
  readonly kinds: readonly string[];
  /** the generator's difficulty of each fraud account ('easy' / 'hard'; '' for honest ones) */
  readonly difficulty: readonly string[];
  readonly data: FeaturisedDataset;
}

/** The world of `seed` under `root` (generated on first use), featurised with the benchmark's secret. */
export async function worldOf(root: string, accounts: number, seed: number): Promise<World> {
  const dir = path.join(root, `world-${accounts}-${seed}`);
  if (!existsSync(dir)) generateInChild(dir, accounts, seed);
  const data = await featuriseDataset(dir, { identity: TrainConfigSchema.parse({}).identity, hashKey: FEEDBACK_SECRET });
  const [header, ...lines] = (await readFile(path.join(dir, 'labels.csv'), 'utf8')).trim().split('\n');
  const column = (header as string).split(',').indexOf('difficulty');
  const difficultyOf = new Map(lines.map((line) => line.split(',')).map((cells) => [cells[0] as string, column >= 0 ? (cells[column] ?? '') : '']));
  return {
    seed,
    dir,
    ids: data.accountIds,
    labels: Uint8Array.from(data.accountIds, (id) => data.labels?.get(id)?.label ?? 0),
    kinds: data.accountIds.map((id) => data.labels?.get(id)?.kind ?? ''),
    difficulty: data.accountIds.map((id) => difficultyOf.get(id) ?? ''),
    data,
  };
}

/**
 * Every account of `world` scored by the latest version of `name` under `models` with `ringfence score`'s code
 * (scoreDataset: the folder's accounts join the model's identity index first, so a world scored by another world's
 * model has its own rings).
 */
export async function scoresOf(root: string, models: string, world: World, name: string): Promise<Float64Array> {
  const { parts } = await loadScoringParts(models, name, undefined, { hashSecret: FEEDBACK_SECRET });
  const out = path.join(root, `scores-${name}-${world.seed}.csv`);
  await scoreDataset(world.dir, parts, out, { formatLine: (a) => `${a.account_id},${a.risk_score}\n` });
  const byId = new Map(
    (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(',') as [string, string]),
  );
  return Float64Array.from(world.ids, (id) => Number(byId.get(id)));
}

/** The analyst: the TOP highest-ranked accounts plus RANDOM drawn from the rest, labelled truthfully (row indices, ascending). */
export function reviewedRows(world: Pick<World, 'seed' | 'ids'>, scores: Float64Array): number[] {
  const order = Array.from(world.ids.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const sample = createSeededRandom(world.seed).fork('analyst').shuffle(order.slice(TOP)).slice(0, RANDOM);
  return [...order.slice(0, TOP), ...sample].sort((a, b) => a - b);
}
