// Work that uses the live stores, counted so that a shutdown closes them only after the last of it has settled. A
// connection's end says nothing about its request: a client that hung up leaves its request scoring and recording.

export class ServiceStoppingError extends Error {
  override readonly name = 'ServiceStoppingError';
}

export class InFlightWork {
  private running = 0;
  private drained: Promise<void> | null = null;
  private onDrained: (() => void) | null = null;

  /** Runs `work`, counted; refused with ServiceStoppingError once the drain has begun. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.drained) throw new ServiceStoppingError('the service is stopping and takes no new work');
    this.running++;
    try {
      return await work();
    } finally {
      if (--this.running === 0) this.onDrained?.();
    }
  }

  /** Refuses new work from now on; resolves once the work under way has settled, however it ends. */
  drain(): Promise<void> {
    this.drained ??= this.running === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.onDrained = resolve));
    return this.drained;
  }
}
