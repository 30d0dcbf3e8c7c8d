// list names and versions, resolve LATEST, update the pointer after a write
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Manifest, MANIFEST_FILE, ManifestSchema } from './manifest.js';

export const LATEST_FILE = 'LATEST';

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
}

/** Complete versions of a model (folders with a manifest), oldest first; temporary folders are skipped. */
export async function listVersions(root: string, name: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(path.join(root, name));
  } catch {
    return [];
  }
  const versions: string[] = [];
  for (const entry of entries.sort()) {
    if (entry.startsWith('.') || entry === LATEST_FILE) continue;
    const isComplete = await stat(path.join(root, name, entry, MANIFEST_FILE)).then(() => true, () => false);
    if (isComplete) versions.push(entry);
  }
  return versions;
}

export async function listModelNames(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) if (entry.isDirectory() && !entry.name.startsWith('.') && (await listVersions(root, entry.name)).length > 0) names.push(entry.name);
  return names.sort();
}

/** Rewrites LATEST to name the newest complete version (atomically, via rename). */
export async function updateLatestPointer(root: string, name: string): Promise<string | null> {
  const versions = await listVersions(root, name);
  const latest = versions.at(-1) ?? null;
  if (latest) {
    const tmp = path.join(root, name, `.${LATEST_FILE}.${process.pid}`);
    await writeFile(tmp, `${latest}\n`);
    await rename(tmp, path.join(root, name, LATEST_FILE));
  }
  return latest;
}

/** The version to load: the one asked for, or LATEST (rebuilt from the folders when missing or stale). */
export async function resolveVersion(root: string, name: string, version?: string): Promise<string> {
  const versions = await listVersions(root, name);
  if (versions.length === 0) throw new ModelNotFoundError(`no trained versions of model ${JSON.stringify(name)} under ${root}; run 'ringfence train' first`);
  if (version && version !== 'latest') {
    if (!versions.includes(version)) throw new ModelNotFoundError(`model ${name} has no version ${version}; versions: ${versions.join(', ')}`);
    return version;
  }
  const pointer = (await readFile(path.join(root, name, LATEST_FILE), 'utf8').catch(() => '')).trim();
  if (pointer && versions.includes(pointer)) return pointer;
  return (await updateLatestPointer(root, name)) as string;
}

export async function readManifestOf(root: string, name: string, version: string): Promise<Manifest | null> {
  try {
    return ManifestSchema.parse(JSON.parse(await readFile(path.join(root, name, version, MANIFEST_FILE), 'utf8')));
  } catch {
    return null;
  }
}
