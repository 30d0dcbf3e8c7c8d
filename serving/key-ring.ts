// The API keys in service, re-read when their file changes or on request (SIGHUP), so that a revoked key is refused
// without a restart. A file that cannot be read or parsed leaves the keys in service as they were.
import { watchFile, unwatchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { readKeysFile, type KeyRecord } from './api-keys.js';

/** How often the keys file's modification time is checked: a revocation takes effect within this (plus a read). */
export const KEYS_POLL_MS = 1000;

export class KeyRing {
  private constructor(
    private keys: readonly KeyRecord[] | null,
    private readonly file: string | null,
    private readonly logger: Logger | null,
  ) {}

  /** No keys: no authentication (the config allows it only on loopback). */
  static none(): KeyRing {
    return new KeyRing(null, null, null);
  }

  static fixed(keys: readonly KeyRecord[]): KeyRing {
    return new KeyRing(keys, null, null);
  }

  /** The keys of `file`; an empty or missing file is refused at start (a service nobody can use). */
  static async fromFile(file: string, logger: Logger | null): Promise<KeyRing> {
    const keys = await readKeysFile(file);
    if (keys.length === 0) throw new Error(`keys file ${file} holds no keys; create one with 'ringfence keys create'`);
    return new KeyRing(keys, file, logger);
  }

  /** null = authentication is off */
  current(): readonly KeyRecord[] | null {
    return this.keys;
  }

  /** Reads the file again; on failure keeps the keys in service and says why. */
  async reload(): Promise<void> {
    if (!this.file) return;
    try {
      const keys = await readKeysFile(this.file);
      if (keys.length === 0) this.logger?.warn({ keys_file: this.file }, 'keys file holds no keys: every request that needs a key is refused');
      this.keys = keys;
      this.logger?.info({ keys: keys.length }, 'keys reloaded');
    } catch (error) {
      this.logger?.error({ keys_file: this.file, err: { message: (error as Error).message } }, 'keys file unreadable; the keys in service stay');
    }
  }

  /** Re-reads the file whenever its modification time or size changes (polled: a rename over it counts too). */
  watch(): () => void {
    const file = this.file;
    if (!file) return () => undefined;
    const changed = (now: Stats, before: Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) void this.reload();
    };
    watchFile(file, { interval: KEYS_POLL_MS, persistent: false }, changed);
    return () => unwatchFile(file, changed);
  }
}
