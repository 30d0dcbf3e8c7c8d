// Was a model version trained on the files of a data folder? The manifest records the sha256 of every input table it
// was trained on; a folder matches when each of those tables is there with the same bytes. Analysts' notebooks check
// this before they pair a model's outputs with raw data, so a model is never read against data it did not see.
import path from 'node:path';
import { DatasetSummarySchema } from '../data/dataset.js';
import { sha256OfFile } from '../data/read-table.js';
import type { Manifest } from './manifest.js';

export interface TrainingDataDifference {
  /** the input table, e.g. accounts; `(manifest)` when the manifest records no usable summary */
  readonly table: string;
  /** the file looked at in the data folder */
  readonly file: string;
  readonly reason: string;
}

/** The recorded input tables that are missing from `dataDir` or differ from it; empty when the model was trained on it. */
export async function trainingDataDifferences(manifest: Pick<Manifest, 'training_data'>, dataDir: string): Promise<TrainingDataDifference[]> {
  const summary = DatasetSummarySchema.safeParse(manifest.training_data);
  if (!summary.success) return [{ table: '(manifest)', file: dataDir, reason: 'the manifest records no checksums of its training data' }];
  const differences: TrainingDataDifference[] = [];
  for (const [table, recorded] of Object.entries(summary.data.tables)) {
    // the same file name (or path under a sharded folder) in the folder given, wherever the training folder was
    const file = path.join(dataDir, path.relative(summary.data.folder, recorded.file));
    const found = await sha256OfFile(file).catch(() => null);
    if (!found) differences.push({ table, file, reason: 'is missing' });
    else if (found.sha256 !== recorded.sha256) {
      differences.push({
        table,
        file,
        reason: `differs (trained on ${recorded.bytes} bytes, sha256 ${recorded.sha256.slice(0, 12)}…; here ${found.bytes} bytes, sha256 ${found.sha256.slice(0, 12)}…)`,
      });
    }
  }
  return differences;
}
