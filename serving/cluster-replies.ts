// The primary's wait for one answer from each of a set of workers, cut short by a worker's exit or a timeout.
import type { ToPrimary } from './cluster-messages.js';

export interface Collected {
  readonly replies: ReadonlyMap<number, ToPrimary>;
  /** workers that neither answered nor exited before the timeout */
  readonly missing: readonly number[];
}

export class ReplyCollector {
  private readonly waits = new Map<string, { waiting: Set<number>; replies: Map<number, ToPrimary>; finish: () => void }>();

  /** Waits for one message under `key` from each worker id; a worker that exits meanwhile is no longer waited for. */
  expect(key: string, workerIds: readonly number[], timeoutMs: number): Promise<Collected> {
    return new Promise((resolve) => {
      const waiting = new Set(workerIds);
      const replies = new Map<number, ToPrimary>();
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waits.delete(key);
        resolve({ replies, missing: [...waiting] });
      };
      if (waiting.size === 0) return finish();
      this.waits.set(key, { waiting, replies, finish });
    });
  }

  deliver(key: string, workerId: number, message: ToPrimary): void {
    const wait = this.waits.get(key);
    if (!wait || !wait.waiting.delete(workerId)) return;
    wait.replies.set(workerId, message);
    if (wait.waiting.size === 0) wait.finish();
  }

  /** A worker exited: it will not answer anything. */
  forget(workerId: number): void {
    for (const wait of [...this.waits.values()]) {
      if (wait.waiting.delete(workerId) && wait.waiting.size === 0) wait.finish();
    }
  }
}
