// checks format version and every checksum; ModelIntegrityError names the file
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { FORMAT_VERSION, type Manifest, MANIFEST_FILE, ManifestSchema, ModelIntegrityError, REPORT_FOLDER } from './manifest.js';
import { resolveVersion } from './registry.js';

export interface ModelVersion {
  readonly manifest: Manifest;
  readonly dir: string;
  readFile(relative: string): Buffer;
  readJson<S extends z.ZodType>(relative: string, schema: S): z.output<S>;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, relative)));
    else out.push(relative);
  }
  return out;
}

/** Reads and verifies a version (LATEST when `version` is omitted); every file is checked before it is used. */
export async function readModelVersion(root: string, name: string, version?: string): Promise<ModelVersion> {
  const resolved = await resolveVersion(root, name, version);
  const dir = path.join(root, name, resolved);
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new ModelIntegrityError(path.join(dir, MANIFEST_FILE), 'is missing: not a complete model version');
  }
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestText);
  } catch (error) {
    throw new ModelIntegrityError(path.join(dir, MANIFEST_FILE), `is not valid JSON (${(error as Error).message})`);
  }
  const major = String((manifestJson as { format_version?: unknown }).format_version ?? '').split('.')[0];
  if (major !== FORMAT_VERSION.split('.')[0]) {
    throw new ModelIntegrityError(path.join(dir, MANIFEST_FILE), `format_version ${JSON.stringify((manifestJson as { format_version?: unknown }).format_version)} is not readable by this ringfence (reads ${FORMAT_VERSION.split('.')[0]}.x)`);
  }
  const parsed = ManifestSchema.safeParse(manifestJson);
  if (!parsed.success) throw new ModelIntegrityError(path.join(dir, MANIFEST_FILE), `is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const manifest = parsed.data;
  const contents = new Map<string, Buffer>();
  for (const [relative, entry] of Object.entries(manifest.files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(dir, relative));
    } catch {
      throw new ModelIntegrityError(path.join(dir, relative), 'is listed in the manifest but missing');
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== entry.bytes || sha256 !== entry.sha256) {
      throw new ModelIntegrityError(path.join(dir, relative), `checksum mismatch (expected sha256 ${entry.sha256.slice(0, 12)}…, ${entry.bytes} bytes; found ${sha256.slice(0, 12)}…, ${bytes.length} bytes): the file was changed or corrupted`);
    }
    contents.set(relative, bytes);
  }
  for (const relative of await listFiles(dir)) {
    if (relative === MANIFEST_FILE || relative.startsWith(`${REPORT_FOLDER}/`)) continue;
    if (!contents.has(relative)) throw new ModelIntegrityError(path.join(dir, relative), 'is not listed in the manifest');
  }
  const readVersionFile = (relative: string): Buffer => {
    const bytes = contents.get(relative);
    if (!bytes) throw new ModelIntegrityError(path.join(dir, relative), 'is not part of this model version');
    return bytes;
  };
  return {
    manifest,
    dir,
    readFile: readVersionFile,
    readJson(relative, schema) {
      const bytes = readVersionFile(relative);
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw new ModelIntegrityError(path.join(dir, relative), `is not valid JSON (${(error as Error).message})`);
      }
      const result = schema.safeParse(json);
      if (!result.success) throw new ModelIntegrityError(path.join(dir, relative), `is invalid: ${result.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return result.data;
    },
  };
}
