// zod schema of manifest.json, MANIFEST_FILE, FORMAT_VERSION
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
/** major.minor: a reader refuses another major version */
export const FORMAT_VERSION = '1.0';
export const REPORT_FOLDER = 'report';

export const FileEntrySchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });

export const ManifestSchema = z.object({
  format_version: z.string().regex(/^\d+\.\d+$/),
  name: z.string(),
  version: z.string(),
  created_at: z.string(),
  libraries: z.record(z.string(), z.string()).describe('ringfence, node, tfjs, ml-kmeans, zod versions'),
  tfjs_backend: z.string(),
  seed: z.number().int(),
  training_data: z.record(z.string(), z.unknown()).describe('data summary: files, rows, sha256, time range, label counts'),
  features: z.array(z.object({ name: z.string(), unit: z.string(), description: z.string() })),
  files: z.record(z.string(), FileEntrySchema).describe('every file of the version except manifest.json and report/, with its checksum'),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`model file ${file}: ${reason}`);
  }
}

export class ModelFeatureMismatchError extends Error {
  override readonly name = 'ModelFeatureMismatchError';
  constructor(
    readonly missing: readonly string[],
    readonly extra: readonly string[],
  ) {
    super(
      `the model's features differ from this code's feature registry` +
        (missing.length ? `; the model lacks: ${missing.join(', ')}` : '') +
        (extra.length ? `; the model has unknown: ${extra.join(', ')}` : '') +
        (!missing.length && !extra.length ? '; same names in another order' : '') +
        '. Retrain the model with this version of ringfence.',
    );
  }
}

export function assertModelFeatures(manifest: Manifest, expected: readonly string[]): void {
  const actual = manifest.features.map((f) => f.name);
  if (actual.length === expected.length && actual.every((n, i) => n === expected[i])) return;
  const have = new Set(actual);
  const want = new Set(expected);
  throw new ModelFeatureMismatchError(
    expected.filter((n) => !have.has(n)),
    actual.filter((n) => !want.has(n)),
  );
}
