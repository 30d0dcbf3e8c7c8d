// Temporary outputs this process is writing right now (a `.partial` file, a `.tmp-<pid>` folder, a shard run), so a
// command stopped by a signal can remove them before it exits: an interrupted command leaves no half-written output.
import { rmSync } from 'node:fs';
import path from 'node:path';

const inFlight = new Set<string>();

/** Registers a temporary file or folder; call the returned function once it was renamed into place or removed. */
export function trackTemporaryOutput(file: string): () => void {
  inFlight.add(file);
  return () => {
    inFlight.delete(file);
  };
}

/**
 * Removes every temporary output still registered, synchronously (a signal handler has no later turn of the event
 * loop to count on), and returns them, leaving out those inside another. A path already gone is skipped silently.
 */
export function removeTemporaryOutputsSync(): string[] {
  const files = [...inFlight];
  for (const file of files) rmSync(file, { recursive: true, force: true });
  inFlight.clear();
  return files.filter((file) => !files.some((other) => file.startsWith(`${other}${path.sep}`)));
}
