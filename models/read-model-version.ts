// checks format version and every checksum; ModelIntegrityError names the file
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { FORMAT_VERSION, type Manifest, MANIFEST_FILE, ManifestSchema, REPORT_FOLDER } from './manifest.js';
import { resolveVersion } from './registry.js';

/** A model version that cannot be trusted: `file` is the path of the offending file, `reason` says what is wrong. */
export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`model file ${file}: ${reason}`);
  }
}

export interface FeatureOrderChange {
  readonly name: string;
  readonly modelPosition: number;
  readonly codePosition: number;
}

/** The model's input columns differ from the code's feature registry (sklearn's `_check_feature_names`). */
export class ModelFeatureMismatchError extends Error {
  override readonly name = 'ModelFeatureMismatchError';
  constructor(
    /** expected by the code, absent from the model */
    readonly missing: readonly string[],
    /** in the model, unknown to the code */
    readonly extra: readonly string[],
    /** in both, at another position (0-based) */
    readonly reordered: readonly FeatureOrderChange[],
  ) {
    const parts = [
      missing.length ? `the model lacks: ${missing.join(', ')}` : '',
      extra.length ? `the model has unknown: ${extra.join(', ')}` : '',
      reordered.length
        ? `in another order: ${reordered.map((r) => `${r.name} (model column ${r.modelPosition + 1}, code column ${r.codePosition + 1})`).join(', ')}`
        : '',
    ].filter(Boolean);
    super(`the model's features differ from this code's feature registry; ${parts.join('; ')}. Retrain the model with this version of ringfence.`);
  }
}

/** Refuses a manifest whose feature list is not exactly `expectedNames` in that order, naming every difference. */
export function assertFeatureNames(manifest: Pick<Manifest, 'features'>, expectedNames: readonly string[]): void {
  const actual = manifest.features.map((f) => f.name);
  if (actual.length === expectedNames.length && actual.every((n, i) => n === expectedNames[i])) return;
  const have = new Set(actual);
  const want = new Set(expectedNames);
  const sharedInModelOrder = actual.filter((n) => want.has(n));
  const sharedInCodeOrder = expectedNames.filter((n) => have.has(n));
  const reordered = sharedInModelOrder
    .map((n, i) => (n === sharedInCodeOrder[i] ? null : { name: n, modelPosition: actual.indexOf(n), codePosition: expectedNames.indexOf(n) }))
    .filter((r): r is FeatureOrderChange => r !== null);
  throw new ModelFeatureMismatchError(
    expectedNames.filter((n) => !have.has(n)),
    actual.filter((n) => !want.has(n)),
    reordered,
  );
}

export interface ModelVersion {
  readonly manifest: Manifest;
  readonly dir: string;
  /** a verified file of the version; ModelIntegrityError for a path the manifest does not list */
  readFile(relative: string): Buffer;
  /** a verified JSON file parsed with `schema`; ModelIntegrityError names the file and the first failing fields */
  readJson<S extends z.ZodType>(relative: string, schema: S): z.output<S>;
}

/** Every file under `dir` as a forward-slash relative path; symbolic links are refused (they could point anywhere). */
async function listFilesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink())
      throw new ModelIntegrityError(path.join(dir, relative), 'is a symbolic link; a model version holds regular files only');
    if (entry.isDirectory()) out.push(...(await listFilesUnder(dir, relative)));
    else out.push(relative);
  }
  return out;
}

function parseManifest(file: string, text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelIntegrityError(file, `is not valid JSON (${(error as Error).message})`);
  }
  const formatVersion = typeof json === 'object' && json !== null ? (json as { format_version?: unknown }).format_version : undefined;
  const readableMajor = FORMAT_VERSION.split('.')[0];
  if (typeof formatVersion !== 'string' || formatVersion.split('.')[0] !== readableMajor) {
    throw new ModelIntegrityError(
      file,
      `format_version ${JSON.stringify(formatVersion)} is not readable by this ringfence (it reads ${readableMajor}.x)`,
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new ModelIntegrityError(file, `is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * Reads a version (the newest when `version` is omitted) and verifies it before anything is used: a readable major
 * format_version, every listed file present with its size and sha256, and no unlisted file outside report/.
 */
export async function readModelVersion(root: string, name: string, version?: string): Promise<ModelVersion> {
  const dir = path.join(root, name, await resolveVersion(root, name, version));
  const manifestFile = path.join(dir, MANIFEST_FILE);
  const manifestText = await readFile(manifestFile, 'utf8').catch(() => null);
  if (manifestText === null) throw new ModelIntegrityError(manifestFile, 'is missing or unreadable: not a complete model version');
  const manifest = parseManifest(manifestFile, manifestText);
  const contents = new Map<string, Buffer>();
  for (const [relative, entry] of Object.entries(manifest.files)) {
    const bytes = await readFile(path.join(dir, relative)).catch(() => null);
    if (bytes === null) throw new ModelIntegrityError(path.join(dir, relative), 'is listed in the manifest but missing');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== entry.bytes || sha256 !== entry.sha256) {
      throw new ModelIntegrityError(
        path.join(dir, relative),
        `checksum mismatch (manifest: ${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…; on disk: ${bytes.length} bytes, sha256 ${sha256.slice(0, 12)}…): the file was changed or corrupted`,
      );
    }
    contents.set(relative, bytes);
  }
  for (const relative of await listFilesUnder(dir)) {
    if (relative === MANIFEST_FILE || relative.startsWith(`${REPORT_FOLDER}/`) || contents.has(relative)) continue;
    throw new ModelIntegrityError(path.join(dir, relative), 'is not listed in the manifest');
  }
  const readVerifiedFile = (relative: string): Buffer => {
    const bytes = contents.get(relative);
    if (!bytes) throw new ModelIntegrityError(path.join(dir, relative), 'is not part of this model version');
    return bytes;
  };
  return {
    manifest,
    dir,
    readFile: readVerifiedFile,
    readJson(relative, schema) {
      let json: unknown;
      try {
        json = JSON.parse(readVerifiedFile(relative).toString('utf8'));
      } catch (error) {
        if (error instanceof ModelIntegrityError) throw error;
        throw new ModelIntegrityError(path.join(dir, relative), `is not valid JSON (${(error as Error).message})`);
      }
      const result = schema.safeParse(json);
      if (!result.success) {
        const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw new ModelIntegrityError(path.join(dir, relative), `is invalid: ${issues.join('; ')}`);
      }
      return result.data;
    },
  };
}
