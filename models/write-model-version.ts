// temp dir → files → checksums → manifest → rename; refuses an existing version
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { trackTemporaryOutput } from '../data/temporary-outputs.js';
import { installedLibraryVersions } from './library-versions.js';
import {
  FORMAT_VERSION,
  isSafeRelativePath,
  type Manifest,
  type ManifestFields,
  MANIFEST_FILE,
  ManifestSchema,
  REPORT_FOLDER,
  VERSION_ID_PATTERN,
} from './manifest.js';
import { updateLatestPointer } from './registry.js';

/** relative path (forward slashes) → content; strings are written as UTF-8 */
export type VersionFiles = Record<string, Uint8Array | string>;

export interface ModelVersionContent {
  /** the model's files, each checksummed in the manifest */
  readonly files: VersionFiles;
  /**
   * analyst outputs written under report/ in the same atomic step, not checksummed (see REPORT_FOLDER). A function
   * receives the version id the files will be published under, so a report can name its own version.
   */
  readonly report?: VersionFiles | ((version: string) => VersionFiles | Promise<VersionFiles>);
  readonly manifest: ManifestFields;
  /** time the version id is taken from (default: now) */
  readonly now?: Date;
  /** an exact version id to publish; refused with ModelVersionExistsError when taken (default: from `now`) */
  readonly version?: string;
}

export class ModelVersionExistsError extends Error {
  override readonly name = 'ModelVersionExistsError';
  constructor(
    readonly modelName: string,
    readonly version: string,
  ) {
    super(`model version ${modelName}/${version} already exists; versions are never overwritten`);
  }
}

export class ModelWriteError extends Error {
  override readonly name = 'ModelWriteError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot write model file ${JSON.stringify(file)}: ${reason}`);
  }
}

/** A version id from a UTC time, to the second: 20261123T101500Z. */
export function versionIdAt(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
const toBytes = (data: Uint8Array | string) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
const isNameTaken = (error: unknown) => ['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '');

/** Writes and flushes one file, so a rename never publishes a folder whose bytes are still in the page cache only. */
async function writeDurably(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function checkedRelativePath(relative: string, kind: 'model' | 'report'): string {
  if (!isSafeRelativePath(relative))
    throw new ModelWriteError(relative, 'not a relative path of letters, digits, ".", "_", "-" segments joined by "/"');
  if (kind === 'model' && (relative === MANIFEST_FILE || relative.split('/')[0] === REPORT_FOLDER)) {
    throw new ModelWriteError(relative, `${MANIFEST_FILE} and ${REPORT_FOLDER}/ are reserved for the store`);
  }
  return relative;
}

/**
 * Claims a temporary folder for the first free version id: `base`, then `base-2`, `base-3`, … An exclusive mkdir
 * decides between writers in this process; the final rename decides between processes (see writeModelVersion).
 */
async function claimTemporaryFolder(nameDir: string, base: string, pinned: boolean, modelName: string): Promise<{ version: string; tmp: string }> {
  for (let n = 1; ; n++) {
    const version = n === 1 ? base : `${base}-${n}`;
    if (await exists(path.join(nameDir, version))) {
      if (pinned) throw new ModelVersionExistsError(modelName, version);
      continue;
    }
    const tmp = path.join(nameDir, `.tmp-${version}-${process.pid}`);
    try {
      await mkdir(tmp);
      return { version, tmp };
    } catch (error) {
      if (!isNameTaken(error)) throw error;
      if (pinned) throw new ModelVersionExistsError(modelName, version);
    }
  }
}

function nextVersionId(version: string): string {
  const [base, suffix] = version.split('-') as [string, string | undefined];
  return `${base}-${(suffix ? Number(suffix) : 1) + 1}`;
}

async function writeReport(tmp: string, report: ModelVersionContent['report'], version: string): Promise<void> {
  if (report === undefined) return;
  await rm(path.join(tmp, REPORT_FOLDER), { recursive: true, force: true });
  const files = typeof report === 'function' ? await report(version) : report;
  for (const relative of Object.keys(files)) {
    await writeDurably(path.join(tmp, REPORT_FOLDER, checkedRelativePath(relative, 'report')), toBytes(files[relative] as Uint8Array | string));
  }
}

/**
 * Writes a model version atomically and returns its id and folder. Files go to `<root>/<name>/.tmp-<version>-<pid>/`,
 * the manifest last, then the folder is renamed into place and LATEST updated. Any failure removes the temporary
 * folder, so a reader never sees a partial version; a process killed mid-write leaves only a `.tmp-…` folder, which
 * the registry ignores. Two writes within the same second get `…Z` and `…Z-2`.
 */
export async function writeModelVersion(root: string, name: string, content: ModelVersionContent): Promise<{ version: string; dir: string }> {
  if (!isSafeRelativePath(name) || name.includes('/'))
    throw new ModelWriteError(name, 'a model name is one path segment of letters, digits, ".", "_", "-"');
  if (content.version !== undefined && !VERSION_ID_PATTERN.test(content.version)) {
    throw new ModelWriteError(content.version, 'a version id looks like 20261123T101500Z or 20261123T101500Z-2');
  }
  const nameDir = path.join(root, name);
  await mkdir(nameDir, { recursive: true });
  const pinned = content.version !== undefined;
  const claimed = await claimTemporaryFolder(nameDir, content.version ?? versionIdAt(content.now ?? new Date()), pinned, name);
  const tmp = claimed.tmp;
  const untrack = trackTemporaryOutput(tmp);
  let version = claimed.version;
  try {
    const entries: Manifest['files'] = {};
    // keys first, values one by one: a value that fails (or a process killed here) leaves a half-written folder behind
    for (const relative of Object.keys(content.files)) {
      const bytes = toBytes(content.files[relative] as Uint8Array | string);
      await writeDurably(path.join(tmp, checkedRelativePath(relative, 'model')), bytes);
      entries[relative] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
    }
    const libraries = installedLibraryVersions();
    for (;;) {
      await writeReport(tmp, content.report, version);
      const parsed = ManifestSchema.safeParse({ ...content.manifest, format_version: FORMAT_VERSION, name, version, libraries, files: entries });
      if (!parsed.success) throw new ModelWriteError(MANIFEST_FILE, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const manifest: Manifest = parsed.data;
      await rm(path.join(tmp, MANIFEST_FILE), { force: true });
      await writeDurably(path.join(tmp, MANIFEST_FILE), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
      try {
        // rename(2) refuses a non-empty target, so a version published meanwhile by another process is never replaced
        await rename(tmp, path.join(nameDir, version));
        break;
      } catch (error) {
        if (!isNameTaken(error)) throw error;
        if (pinned) throw new ModelVersionExistsError(name, version);
        version = nextVersionId(version);
      }
    }
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  } finally {
    untrack();
  }
  await updateLatestPointer(root, name);
  return { version, dir: path.join(nameDir, version) };
}

/** Temporary folders left by writers that were killed mid-write (the registry ignores them; safe to delete when no write is running). */
export async function listTemporaryFolders(root: string, name: string): Promise<string[]> {
  const entries = await readdir(path.join(root, name)).catch(() => [] as string[]);
  return entries.filter((entry) => entry.startsWith('.tmp-')).sort();
}
