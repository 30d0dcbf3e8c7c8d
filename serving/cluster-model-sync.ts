// The primary's side of putting a model version in service on every worker, or on none: the two-phase reload, and
// the catch-up of a worker that started while another version went in.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { toWorker, type ProblemRef } from './cluster-messages.js';
import type { ReplyCollector } from './cluster-replies.js';
import type { WorkerSet, WorkerState } from './cluster-workers.js';

/** every worker loads a whole model for a reload */
export const LOAD_TIMEOUT_MS = 110_000;

export class ModelSync {
  private coordination = Promise.resolve();

  constructor(
    /** the version every serving worker serves, or is being brought to */
    public currentVersion: string,
    private readonly workers: WorkerSet,
    private readonly replies: ReplyCollector,
    private readonly logger: Logger,
  ) {}

  /** One coordination at a time: reloads and catch-up loads must not overtake each other. */
  coordinate(what: string, task: () => Promise<void>): void {
    this.coordination = this.coordination
      .then(task)
      .catch((error: unknown) => this.logger.error({ err: { message: (error as Error).message, stack: (error as Error).stack } }, `${what} failed`));
  }

  /** Workers serving another version than the current one (started while a reload went in) load the current one. */
  async catchUp(): Promise<void> {
    const behind = this.workers.serving().filter((s) => s.version !== this.currentVersion);
    if (behind.length === 0) return;
    const tx = randomUUID();
    for (const state of behind) this.workers.send(state, toWorker({ kind: 'install', tx, version: this.currentVersion }));
    const { replies: answers, missing } = await this.replies.expect(
      `installed:${tx}`,
      behind.map((s) => s.worker.id),
      LOAD_TIMEOUT_MS,
    );
    for (const state of behind) {
      const answer = answers.get(state.worker.id);
      if (answer?.kind === 'installed' && answer.version) state.version = answer.version;
      else if (answer || missing.includes(state.worker.id)) {
        // a worker that cannot serve the current version must not go on serving another: its replacement loads it
        this.logger.error(
          { worker_pid: state.worker.process.pid, version: this.currentVersion },
          'worker could not load the current version; replacing it',
        );
        state.worker.process.kill('SIGTERM');
      }
    }
  }

  /**
   * Two phases: `from` has loaded and checked `version`; every other serving worker loads it too (prepare), and only
   * when all have it does each swap (commit). If any cannot load it, none swaps and `from` answers the problem.
   */
  async reload(from: WorkerState, tx: string, version: string): Promise<void> {
    const participants = [...new Set([...this.workers.serving(), from])];
    const problem = await this.prepare(
      participants.filter((s) => s !== from),
      tx,
      version,
    );
    if (problem) {
      for (const state of participants) this.workers.send(state, toWorker({ kind: 'abort', tx }));
      this.logger.warn({ version, problem: problem.detail }, 'reload refused by a worker; no worker swapped');
      this.workers.send(from, toWorker({ kind: 'reload-result', tx, version: null, problem }));
      return;
    }
    this.currentVersion = version;
    for (const state of participants) this.workers.send(state, toWorker({ kind: 'commit', tx }));
    const installed = await this.replies.expect(
      `installed:${tx}`,
      participants.map((s) => s.worker.id),
      LOAD_TIMEOUT_MS,
    );
    for (const [id, answer] of installed.replies) {
      const state = this.workers.get(id);
      if (state && answer.kind === 'installed') state.version = answer.version;
    }
    await this.catchUp();
    this.logger.info({ version, workers: participants.length }, 'model reloaded on every worker');
    this.workers.send(from, toWorker({ kind: 'reload-result', tx, version, problem: null }));
  }

  /** Phase one: `others` load the version; the first refusal, or a timeout, is the problem. */
  private async prepare(others: WorkerState[], tx: string, version: string): Promise<ProblemRef | null> {
    for (const state of others) this.workers.send(state, toWorker({ kind: 'prepare', tx, version }));
    const prepared = await this.replies.expect(
      `prepared:${tx}`,
      others.map((s) => s.worker.id),
      LOAD_TIMEOUT_MS,
    );
    const refused = [...prepared.replies.values()].map((m) => (m.kind === 'prepared' ? m.problem : null)).find((p): p is ProblemRef => p !== null);
    return (
      refused ??
      (prepared.missing.length > 0
        ? { slug: 'internal-error', detail: `a worker did not load the version within ${LOAD_TIMEOUT_MS / 1000} s` }
        : null)
    );
  }
}
