// versions of ringfence, node, tfjs, ml-kmeans and zod as installed, read from their package.json files
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LibraryVersions } from './manifest.js';

function packageVersionAt(file: string): { name?: string; version?: string } | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
  } catch {
    return null;
  }
}

/** Walks up from this module (works from the sources and from dist/) to the first folder where `found` answers. */
function searchUpwards<T>(found: (dir: string) => T | null): T | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const result = found(dir);
    if (result !== null) return result;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function installedVersion(packageName: string): string {
  return (
    searchUpwards((dir) => {
      const file = path.join(dir, 'node_modules', ...packageName.split('/'), 'package.json');
      return existsSync(file) ? (packageVersionAt(file)?.version ?? null) : null;
    }) ?? 'not installed'
  );
}

let cached: LibraryVersions | undefined;

/** The library versions a manifest records; read once per process (installed packages do not change under it). */
export function installedLibraryVersions(): LibraryVersions {
  cached ??= {
    ringfence:
      searchUpwards((dir) => {
        const own = packageVersionAt(path.join(dir, 'package.json'));
        return own?.name === 'ringfence' ? (own.version ?? null) : null;
      }) ?? 'unknown',
    node: process.versions.node,
    tfjs: installedVersion('@tensorflow/tfjs'),
    'ml-kmeans': installedVersion('ml-kmeans'),
    zod: installedVersion('zod'),
  };
  return cached;
}
