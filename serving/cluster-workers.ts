// The primary's worker processes: forking, messaging, and stopping them all with a guard against one that hangs.
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { toWorker, type ToWorker } from './cluster-messages.js';

export interface WorkerState {
  readonly worker: Worker;
  serving: boolean;
  /** the model version it serves */
  version: string | null;
}

// the worker entry of the same build as this module (compiled .js, or the .ts sources under tsx)
const here = fileURLToPath(import.meta.url);
const WORKER_ENTRY = path.join(path.dirname(here), `cluster-worker${path.extname(here)}`);

export class WorkerSet {
  private readonly states = new Map<number, WorkerState>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private allExited: () => void = () => undefined;
  private readonly exited = new Promise<void>((resolve) => (this.allExited = resolve));
  stopping = false;

  constructor(private readonly logger: Logger) {
    // Connections go to whichever worker accepts first from the shared socket (the kernel's choice), not round-robin:
    // the primary's round-robin hands each connection over IPC, and one handed to a worker that has just died was
    // held in the primary (CLOSE-WAIT) and never answered; a dead or stopped worker accepts nothing.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: WORKER_ENTRY, args: [] });
  }

  fork(): void {
    const worker = cluster.fork();
    this.states.set(worker.id, { worker, serving: false, version: null });
  }

  /** Forks a replacement after `delayMs`, unless the service is stopping by then. */
  forkLater(delayMs: number): void {
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (!this.stopping) this.fork();
    }, delayMs);
    this.restartTimers.add(timer);
  }

  get(id: number): WorkerState | undefined {
    return this.states.get(id);
  }

  serving(): WorkerState[] {
    return [...this.states.values()].filter((s) => s.serving);
  }

  send(state: WorkerState, message: ToWorker): void {
    if (state.worker.isConnected()) state.worker.send(message);
  }

  /** The worker exited: forgotten; returns its last state. */
  remove(id: number): WorkerState | undefined {
    const state = this.states.get(id);
    this.states.delete(id);
    if (this.stopping && this.states.size === 0) this.allExited();
    return state;
  }

  /** Asks every worker to stop gracefully; kills any still there after `guardMs`; resolves once all have exited. */
  async stopAll(guardMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    if (this.states.size === 0) return;
    for (const state of this.states.values()) {
      if (state.worker.isConnected()) state.worker.send(toWorker({ kind: 'shutdown' }));
      else state.worker.kill('SIGTERM');
    }
    // each worker bounds its own stop; this catches one that hangs regardless
    const guard = setTimeout(() => {
      for (const state of this.states.values()) {
        this.logger.error({ worker_pid: state.worker.process.pid }, 'worker did not stop in time; killing it');
        state.worker.process.kill('SIGKILL');
      }
    }, guardMs);
    await this.exited;
    clearTimeout(guard);
  }
}
