// zod schema of manifest.json, MANIFEST_FILE, FORMAT_VERSION
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
/** major.minor: a reader refuses another major version; a minor bump only adds optional fields */
export const FORMAT_VERSION = '1.0';
/**
 * Analyst outputs (report.html, CSV tables) live under this folder of a version. They are written in the same atomic
 * step as the model but deliberately left out of `files`: no loader reads them, analysts may annotate or re-render
 * them, and a changed report must never make a version unloadable.
 */
export const REPORT_FOLDER = 'report';

/** `20261123T101500Z`, or `20261123T101500Z-2` for the second version written within that second */
export const VERSION_ID_PATTERN = /^\d{8}T\d{6}Z(?:-[1-9]\d*)?$/;

const PATH_SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** A forward-slash path inside a version folder: no absolute paths, no `..`, no empty segments. */
export function isSafeRelativePath(relative: string): boolean {
  return relative.length > 0 && relative.split('/').every((segment) => PATH_SEGMENT.test(segment));
}

export const FileEntrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

export const LibraryVersionsSchema = z
  .object({
    ringfence: z.string(),
    node: z.string(),
    tfjs: z.string(),
    'ml-kmeans': z.string(),
    zod: z.string(),
  })
  .describe('versions installed when the model was written, read from their package.json files');
export type LibraryVersions = z.infer<typeof LibraryVersionsSchema>;

export const FeatureEntrySchema = z.object({ name: z.string().min(1), unit: z.string(), description: z.string() });

export const ManifestSchema = z.object({
  format_version: z.string().regex(/^\d+\.\d+$/),
  name: z.string().min(1),
  version: z.string().regex(VERSION_ID_PATTERN),
  created_at: z.iso.datetime().describe('UTC time the version was written (ISO-8601)'),
  libraries: LibraryVersionsSchema,
  tfjs_backend: z.string().describe('tfjs backend used to fit (native, wasm or cpu); any backend can load the model'),
  seed: z.number().int(),
  training_data: z
    .record(z.string(), z.unknown())
    .describe('data summary (folder, rows and sha256 per table, time range, label counts); its shape is checked by the writer of the model'),
  features: z.array(FeatureEntrySchema).describe('model input columns, in order'),
  files: z
    .record(z.string(), FileEntrySchema)
    .superRefine((files, context) => {
      for (const relative of Object.keys(files)) {
        if (!isSafeRelativePath(relative))
          context.addIssue({ code: 'custom', path: [relative], message: 'must be a relative path inside the version folder' });
      }
    })
    .describe(`every file of the version except ${MANIFEST_FILE} and ${REPORT_FOLDER}/, with its checksum`),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** What the caller of writeModelVersion provides; the store fills in format, name, version, libraries and files. */
export type ManifestFields = Omit<Manifest, 'format_version' | 'name' | 'version' | 'libraries' | 'files'>;
