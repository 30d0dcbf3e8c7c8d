// A rate limit shared by the workers of a cluster without a round trip per request: the primary's ledger hands each
// worker a lease of hits for a key, which the worker spends locally and renews when it runs out. The ledger never
// grants more than the limit in a window, so the cluster never lets more through than one process would; hits
// leased to one worker and not yet spent cannot serve another, so a client may be refused up to
// (workers - 1) × lease hits early (the lease is 1/50 of the limit per worker: under 2% of the limit).
import type { IncrementResponse, Options, Store } from 'express-rate-limit';

export interface LeaseGrant {
  /** hits granted now (0: the limit is spent until `resetTime`) */
  readonly granted: number;
  /** hits granted to anyone in this window before these */
  readonly before: number;
  /** epoch ms when the window ends */
  readonly resetTime: number;
}

export const leaseSize = (limit: number, workers: number) => Math.max(1, Math.min(1000, Math.floor(limit / (50 * workers))));

/** The primary's side: hits granted per key in its current fixed window (the window starts at the key's first hit). */
export class RateLimitLedger {
  private readonly windows = new Map<string, { granted: number; resetTime: number }>();
  constructor(private readonly workers: number) {}

  grant(key: string, limit: number, windowMs: number, now: number): LeaseGrant {
    let window = this.windows.get(key);
    if (!window || window.resetTime <= now) {
      window = { granted: 0, resetTime: now + windowMs };
      this.windows.set(key, window);
    }
    const before = window.granted;
    const granted = Math.max(0, Math.min(leaseSize(limit, this.workers), limit - before));
    window.granted += granted;
    return { granted, before, resetTime: window.resetTime };
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  /** Forgets ended windows (called now and then so that keys seen once do not stay). */
  sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetTime <= now) this.windows.delete(key);
  }
}

interface Lease {
  left: number;
  /** hits this worker counted under the lease, for totalHits */
  used: number;
  readonly before: number;
  readonly resetTime: number;
  /** the ledger has granted the whole limit: once `left` is 0, hits are refused here until the window ends */
  readonly spent: boolean;
}

/** A worker's side: an express-rate-limit store spending leases from the primary's ledger. */
export class LeasedRateLimitStore implements Store {
  readonly localKeys = false;
  private limit = 0;
  private windowMs = 60_000;
  private readonly leases = new Map<string, Lease>();
  private readonly renewing = new Map<string, Promise<void>>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly requestLease: (key: string, limit: number, windowMs: number) => Promise<LeaseGrant>) {}

  init(options: Options): void {
    if (typeof options.limit !== 'number') throw new Error('the leased rate-limit store needs a fixed number as its limit');
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [key, lease] of this.leases) if (lease.resetTime <= now) this.leases.delete(key);
    }, this.windowMs);
    this.sweeper.unref();
  }

  async increment(key: string): Promise<IncrementResponse> {
    // ends: each renewal grants at least one hit or says the limit is spent
    for (;;) {
      const lease = this.leases.get(key);
      if (lease && lease.resetTime > Date.now()) {
        if (lease.left > 0) {
          lease.left -= 1;
          lease.used += 1;
          return { totalHits: lease.before + lease.used, resetTime: new Date(lease.resetTime) };
        }
        if (lease.spent) return { totalHits: this.limit + 1, resetTime: new Date(lease.resetTime) };
      }
      await this.renew(key);
    }
  }

  decrement(key: string): void {
    const lease = this.leases.get(key);
    if (lease && lease.used > 0) {
      lease.used -= 1;
      lease.left += 1;
    }
  }

  resetKey(key: string): void {
    this.leases.delete(key);
  }

  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** One renewal at a time per key: requests arriving meanwhile share it. */
  private renew(key: string): Promise<void> {
    let pending = this.renewing.get(key);
    if (!pending) {
      pending = this.requestLease(key, this.limit, this.windowMs)
        .then((grant) => {
          this.leases.set(key, {
            left: grant.granted,
            used: 0,
            before: grant.before,
            resetTime: grant.resetTime,
            spent: grant.before + grant.granted >= this.limit,
          });
        })
        .finally(() => this.renewing.delete(key));
      this.renewing.set(key, pending);
    }
    return pending;
  }
}
