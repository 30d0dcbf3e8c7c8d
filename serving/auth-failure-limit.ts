// Failed authentications per client address: past the limit in a window, that address's requests for keyed routes
// are refused (429) until the window ends, whatever key they carry, so that guessing keys gets nowhere. Only
// failures are counted, so a gateway forwarding many good clients from one address is never refused for them.
import type { Options, Store } from 'express-rate-limit';

export class AuthFailureLimit {
  /** addresses refused until the given epoch ms (learnt from the store's count, so each worker refuses on its own) */
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    // a store made for express-rate-limit takes its window and limit from the options it is initialised with
    void store.init?.({ windowMs, limit } as Options);
  }

  /** Seconds until `address` may try again, or null when it may now. */
  retryAfter(address: string, now = Date.now()): number | null {
    const until = this.blocked.get(address);
    if (until === undefined) return null;
    if (until <= now) {
      this.blocked.delete(address);
      return null;
    }
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  /** Counts a failure of `address`; the failure that reaches the limit starts the refusal. */
  async recordFailure(address: string): Promise<void> {
    const { totalHits, resetTime } = await this.store.increment(`auth-failure:${address}`);
    if (totalHits >= this.limit) {
      if (this.blocked.size > 100_000) this.blocked.clear(); // bounded: forgetting early only ends a refusal sooner
      this.blocked.set(address, resetTime?.getTime() ?? Date.now() + this.windowMs);
    }
  }
}
