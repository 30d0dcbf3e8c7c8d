// list names and versions, resolve LATEST, update the pointer after a write
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Manifest, MANIFEST_FILE, ManifestSchema, VERSION_ID_PATTERN } from './manifest.js';

export const LATEST_FILE = 'LATEST';

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
  constructor(
    readonly modelName: string,
    readonly version: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Orders version ids by time, then by collision suffix (`…Z` < `…Z-2` < `…Z-10`), which plain string order gets
 * wrong. Ids outside the pattern (renamed by hand) sort before generated ones, by name.
 */
export function compareVersionIds(a: string, b: string): number {
  const parse = (id: string) => {
    if (!VERSION_ID_PATTERN.test(id)) return { generated: 0, base: id, suffix: 0 };
    const [base, suffix] = id.split('-') as [string, string | undefined];
    return { generated: 1, base, suffix: suffix ? Number(suffix) : 1 };
  };
  const x = parse(a);
  const y = parse(b);
  return x.generated - y.generated || (x.base < y.base ? -1 : x.base > y.base ? 1 : 0) || x.suffix - y.suffix;
}

const isFile = (file: string) =>
  stat(file).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * Complete versions of a model, oldest first. A version is complete when its folder holds a manifest, which the
 * writer puts there last; temporary folders (`.tmp-…`, left by a killed writer) and other dot-entries are skipped.
 */
export async function listVersions(root: string, name: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(root, name), { withFileTypes: true });
  } catch {
    return [];
  }
  const versions: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (await isFile(path.join(root, name, entry.name, MANIFEST_FILE))) versions.push(entry.name);
  }
  return versions.sort(compareVersionIds);
}

/** The error for a model name with no complete version: it names the models the root does hold, if any. */
export async function noVersionsError(root: string, name: string): Promise<ModelNotFoundError> {
  const names = await listModelNames(root);
  const advice =
    names.length > 0
      ? `models there: ${names.join(', ')}; choose one with --name ${names[0] as string} (RINGFENCE_MODEL_NAME when serving)`
      : "no model has been trained there yet: run 'ringfence train' (or 'npm run demo') first";
  return new ModelNotFoundError(name, null, `no trained versions of model ${JSON.stringify(name)} under ${root}; ${advice}`);
}

/** Names of the models under a root that have at least one complete version, sorted. */
export async function listModelNames(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && (await listVersions(root, entry.name)).length > 0) names.push(entry.name);
  }
  return names.sort();
}

/** A version's manifest parsed without checking its files (for listings); null when unreadable. */
export async function readManifestOf(root: string, name: string, version: string): Promise<Manifest | null> {
  try {
    return ManifestSchema.parse(JSON.parse(await readFile(path.join(root, name, version, MANIFEST_FILE), 'utf8')));
  } catch {
    return null;
  }
}

export interface VersionListing {
  readonly version: string;
  /** null when the manifest cannot be read or parsed; readModelVersion says why */
  readonly manifest: Manifest | null;
}

/** Every complete version of a model, oldest first, with its manifest. */
export async function listVersionManifests(root: string, name: string): Promise<VersionListing[]> {
  const versions = await listVersions(root, name);
  return Promise.all(versions.map(async (version) => ({ version, manifest: await readManifestOf(root, name, version) })));
}

/** Rewrites LATEST to name the newest complete version (write to a temporary file, then rename). */
export async function updateLatestPointer(root: string, name: string): Promise<string | null> {
  const latest = (await listVersions(root, name)).at(-1) ?? null;
  if (latest === null) return null;
  // a random suffix: two writers in one process must not share the temporary file
  const temporary = path.join(root, name, `.${LATEST_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temporary, `${latest}\n`);
    await rename(temporary, path.join(root, name, LATEST_FILE));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return latest;
}

/**
 * The newest complete version of a model. LATEST is a pointer for people and scripts; it is trusted only when it
 * names the newest complete version, and rewritten otherwise (missing, pointing at a deleted version, or behind
 * because a writer died between its rename and the pointer update).
 */
export async function latestVersion(root: string, name: string): Promise<string> {
  const versions = await listVersions(root, name);
  const newest = versions.at(-1);
  if (newest === undefined) throw await noVersionsError(root, name);
  const pointer = (await readFile(path.join(root, name, LATEST_FILE), 'utf8').catch(() => '')).trim();
  if (pointer !== newest) await updateLatestPointer(root, name);
  return newest;
}

/** The version to load: the one asked for (`latest` or none means the newest), refused when it does not exist. */
export async function resolveVersion(root: string, name: string, version?: string): Promise<string> {
  if (version === undefined || version === 'latest' || version === LATEST_FILE) return latestVersion(root, name);
  const versions = await listVersions(root, name);
  if (!versions.includes(version)) {
    const known = versions.length ? `versions: ${versions.join(', ')}` : `it has no complete versions under ${root}`;
    throw new ModelNotFoundError(name, version, `model ${JSON.stringify(name)} has no version ${JSON.stringify(version)}; ${known}`);
  }
  return version;
}
