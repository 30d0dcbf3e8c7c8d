// temp dir → files → checksums → manifest → rename; refuses an existing version
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FORMAT_VERSION, type Manifest, MANIFEST_FILE, REPORT_FOLDER } from './manifest.js';
import { updateLatestPointer } from './registry.js';

export type VersionFiles = Record<string, Uint8Array | string>;

/** A version id from a UTC time: 20261123T101500Z. */
export function versionIdAt(time: Date): string {
  return time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

function checkRelativePath(relative: string): void {
  if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..') || relative === MANIFEST_FILE) {
    throw new Error(`model file path ${JSON.stringify(relative)} is not allowed`);
  }
}

/**
 * Writes a model version atomically: files go to a temporary folder, the manifest last, then the folder is
 * renamed into place and LATEST updated. A failure removes the temporary folder; an existing version is refused.
 * `report` files go under report/ and are not checksummed (analyst outputs, never read by a loader).
 */
export async function writeModelVersion(
  root: string,
  name: string,
  content: { files: VersionFiles; report?: VersionFiles; manifest: Omit<Manifest, 'format_version' | 'name' | 'version' | 'files'>; now?: Date },
): Promise<{ version: string; dir: string }> {
  const nameDir = path.join(root, name);
  await mkdir(nameDir, { recursive: true });
  let version = versionIdAt(content.now ?? new Date());
  for (let n = 2; await exists(path.join(nameDir, version)); n++) version = `${versionIdAt(content.now ?? new Date())}-${n}`;
  const dir = path.join(nameDir, version);
  const tmp = path.join(nameDir, `.tmp-${version}-${process.pid}`);
  try {
    await mkdir(tmp, { recursive: true });
    const entries: Manifest['files'] = {};
    for (const [relative, data] of Object.entries(content.files)) {
      checkRelativePath(relative);
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      await mkdir(path.dirname(path.join(tmp, relative)), { recursive: true });
      await writeFile(path.join(tmp, relative), bytes);
      entries[relative] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    }
    for (const [relative, data] of Object.entries(content.report ?? {})) {
      checkRelativePath(relative);
      await mkdir(path.dirname(path.join(tmp, REPORT_FOLDER, relative)), { recursive: true });
      await writeFile(path.join(tmp, REPORT_FOLDER, relative), data);
    }
    const manifest: Manifest = { format_version: FORMAT_VERSION, name, version, ...content.manifest, files: entries };
    await writeFile(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    if (await exists(dir)) throw new Error(`model version ${name}/${version} already exists`);
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await updateLatestPointer(root, name);
  return { version, dir };
}
