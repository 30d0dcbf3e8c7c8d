// A process following a store's log: each catch-up hands over, in log order, what any process appended since the
// previous one. The live identity state and the decision state both replay their logs this way before they score.
import type { KeyValueStore, LogEntry } from './key-value-store.js';

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
   */
  async catchUp(apply: (entries: readonly LogEntry[]) => void | Promise<void>): Promise<void> {
    while (this.running) await this.running;
    this.running = this.replay(apply);
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private async replay(apply: (entries: readonly LogEntry[]) => void | Promise<void>): Promise<void> {
    for (;;) {
      const entries = await this.store.readLog(this.log, this.cursor, this.batch);
      if (entries.length === 0) return;
      await apply(entries);
      this.cursor = (entries.at(-1) as LogEntry).id;
      // a short batch was the end of the log when read: no round trip to find it empty (what is appended later, the
      // next catch-up reads; a request's own entries are written before its catch-up starts)
      if (entries.length < this.batch) return;
    }
  }
}
