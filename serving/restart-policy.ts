// When a cluster worker dies unexpectedly: start another after a pause, or give up when they keep dying.

export type RestartDecision = { readonly restartInMs: number } | { readonly giveUp: string };

export interface RestartLimits {
  /** workers in a row that die before serving: the start itself is broken (bad files, no memory, a bug) */
  readonly startFailures: number;
  /** deaths of serving workers within `windowMs` */
  readonly crashes: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_LIMITS: RestartLimits = { startFailures: 3, crashes: 10, windowMs: 60_000 };

export class RestartPolicy {
  private failedStarts = 0;
  private crashTimes: number[] = [];
  constructor(private readonly limits: RestartLimits = DEFAULT_RESTART_LIMITS) {}

  /** A worker began serving: the start works, so earlier failed starts no longer count. */
  started(): void {
    this.failedStarts = 0;
  }

  /** A worker exited without being asked to; `how` describes the exit for the message. */
  exited(wasServing: boolean, how: string, now: number): RestartDecision {
    if (!wasServing) {
      this.failedStarts += 1;
      if (this.failedStarts >= this.limits.startFailures)
        return { giveUp: `workers keep dying at start (${this.failedStarts} in a row, the last ${how}); not starting more` };
      // back off: 200 ms, 400 ms, ... so a failing start does not spin
      return { restartInMs: 200 * 2 ** (this.failedStarts - 1) };
    }
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.limits.windowMs), now];
    if (this.crashTimes.length > this.limits.crashes) {
      return { giveUp: `${this.crashTimes.length} workers died within ${this.limits.windowMs / 1000} s (the last ${how}); not starting more` };
    }
    // a short pause also lets a stop that is under way (a signal to the whole process group) win over the restart
    return { restartInMs: 100 };
  }
}
