// A process following a store's log: each catch-up hands over, in log order, what any process appended since the
// previous one. The live identity state and the decision state both replay their logs this way before they score.
import type { KeyValueStore, LogEntry } from './key-value-store.js';

/**
 * Applies a batch of entries. `known` is true when every entry came from the catch-up's known entries (none read
 * back) and the batch is the whole log after the cursor as it was at one time: when its ids were listed, or when the
 * catch-up's own entry (`through`) was written.
 */
export type ApplyEntries = (entries: readonly LogEntry[], known: boolean) => void | Promise<void>;

export class LogFollower {
  private cursor: string | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: KeyValueStore,
    private readonly log: string,
    private readonly batch: number,
  ) {}

  /**
   * Gives `apply` every entry appended since the last catch-up, a batch at a time; an entry counts as followed once
   * `apply` returned for its batch. Concurrent callers share one replay, then each checks for what came after it.
   * `known` holds entries this process appended itself (by id, as the store's write gave them): where the backend
   * lists ids without reading entries and every id after the cursor is known, they are handed over without reading.
   * `through`, the id of an entry of `known`: where the backend numbers entries without gaps and every id after the
   * cursor up to it is known, the catch-up hands those over and ends there, without reading anything (the log as it
   * was when that entry was written; what others appended since, the next catch-up reads).
   */
  async catchUp(apply: ApplyEntries, known?: ReadonlyMap<string, { readonly value: string }>, through?: string): Promise<void> {
    while (this.running) await this.running;
    this.running = this.replayThrough(apply, known, through);
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private async replayThrough(apply: ApplyEntries, known: ReadonlyMap<string, { readonly value: string }> | undefined, through: string | undefined) {
    if (known !== undefined && through !== undefined && this.store.logIdsThrough) {
      const ids = this.store.logIdsThrough(this.cursor, through, this.batch);
      if (ids.length === 0) return;
      const own = this.knownEntries(ids, known);
      if (own !== null) {
        await apply(own, true);
        this.cursor = (own.at(-1) as LogEntry).id;
        return;
      }
    }
    await this.replay(apply, known);
  }

  private async replay(apply: ApplyEntries, known: ReadonlyMap<string, { readonly value: string }> | undefined): Promise<void> {
    for (;;) {
      // where the backend lists ids for less than reading entries: an empty list ends the catch-up without a read
      const ids = this.store.logIdsAfter ? await this.store.logIdsAfter(this.log, this.cursor, this.batch) : null;
      if (ids !== null && ids.length === 0) return;
      const own = ids !== null && known !== undefined ? this.knownEntries(ids, known) : null;
      const entries = own ?? (await this.store.readLog(this.log, this.cursor, this.batch));
      if (entries.length === 0) return;
      await apply(entries, own !== null);
      this.cursor = (entries.at(-1) as LogEntry).id;
      // a short batch was the end of the log when read: no round trip to find it empty (what is appended later, the
      // next catch-up reads; a request's own entries are written before its catch-up starts)
      if (entries.length < this.batch) return;
    }
  }

  /** The entries of `ids` (those after the cursor) from `known`, when each is known and they end the log; else null. */
  private knownEntries(ids: readonly string[], known: ReadonlyMap<string, { readonly value: string }>): LogEntry[] | null {
    if (ids.length >= this.batch) return null;
    const entries: LogEntry[] = [];
    for (const id of ids) {
      const entry = known.get(id);
      if (entry === undefined) return null;
      entries.push({ id, value: entry.value });
    }
    return entries;
  }
}
