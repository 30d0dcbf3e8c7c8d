import type { Options } from 'express-rate-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeasedRateLimitStore, leaseSize, RateLimitLedger } from '../../serving/leased-rate-limit.js';

const WINDOW_MS = 60_000;

/** `workers` stores sharing one ledger, as the workers of a cluster share the primary's (IPC left out) */
function cluster(workers: number, limit: number) {
  const ledger = new RateLimitLedger(workers);
  let leaseRequests = 0;
  const stores = Array.from({ length: workers }, () => {
    const store = new LeasedRateLimitStore(async (key, storeLimit, windowMs) => {
      leaseRequests += 1;
      return ledger.grant(key, storeLimit, windowMs, Date.now());
    });
    store.init({ limit, windowMs: WINDOW_MS } as Options);
    return store;
  });
  return { stores, leaseRequests: () => leaseRequests };
}

/** hits express-rate-limit lets through: those whose totalHits is within the limit */
async function admitted(stores: LeasedRateLimitStore[], hits: number, limit: number, key = 'key:a'): Promise<number> {
  let count = 0;
  for (let i = 0; i < hits; i++) if ((await stores[i % stores.length]!.increment(key)).totalHits <= limit) count += 1;
  return count;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LeasedRateLimitStore with RateLimitLedger', () => {
  it('never lets more than the limit through across workers, and at most (workers - 1) leases fewer', async () => {
    const limit = 1000;
    const { stores } = cluster(2, limit);
    const count = await admitted(stores, 3000, limit);
    expect(count).toBeLessThanOrEqual(limit);
    expect(count).toBeGreaterThanOrEqual(limit - leaseSize(limit, 2));
  });

  it('counts concurrent hits on one worker exactly', async () => {
    const { stores } = cluster(1, 20);
    const results = await Promise.all(Array.from({ length: 50 }, () => stores[0]!.increment('key:b')));
    expect(results.filter((r) => r.totalHits <= 20)).toHaveLength(20);
  });

  it('keeps keys apart and starts a new window once the old one ends', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { stores } = cluster(2, 4);
    expect(await admitted(stores, 6, 4, 'key:c')).toBe(4);
    expect(await admitted(stores, 6, 4, 'key:d')).toBe(4);
    vi.setSystemTime(1_000_000 + WINDOW_MS + 1);
    expect(await admitted(stores, 6, 4, 'key:c')).toBe(4);
  });

  it('asks the ledger once per lease, not once per hit', async () => {
    const limit = 6000;
    const { stores, leaseRequests } = cluster(2, limit);
    expect(await admitted(stores, 1000, limit)).toBe(1000);
    expect(leaseRequests()).toBeLessThanOrEqual(Math.ceil(1000 / leaseSize(limit, 2)) + 2);
  });
});
