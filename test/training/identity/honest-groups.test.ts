import { describe, expect, it } from 'vitest';
import type { AccountEvents } from '../../../data/tables.js';
import { buildIdentityIndex } from '../../../training/identity/identity-graph.js';
import { IdentityConfigSchema } from '../../../training/identity/identity-index.js';
import { DEFAULT_RING_ABOVE } from '../../../training/identity/ring-score.js';
import { AS_OF, coworking, reopened } from './group-fixtures.js';

// The honest-group kinds besides agencies and households (ring-score.test.ts): re-opened accounts and shared networks.
const indexOf = (accounts: AccountEvents[]) =>
  buildIdentityIndex(accounts, {
    config: IdentityConfigSchema.parse({}),
    hashKey: 'test-key',
    judgement: { context: { as_of: AS_OF, unusual_above: 60, typical_bid_spread: 0.35 }, ring_above: DEFAULT_RING_ABOVE },
  });

describe('honest groups are candidate groups, not rings', () => {
  it('does not call a re-opened account and the one it replaced a ring, though they share a laptop, a home IP and a bank', () => {
    const index = indexOf(reopened());
    expect(index.rings.size).toBe(0);
    const [group] = [...index.groups.values()];
    expect(group?.members).toEqual(['RO4-new', 'RO4-old']);
    expect([...new Set(group?.identifiers.map((i) => i.kind))].sort()).toEqual(['bank', 'device', 'ip']);
    expect(group?.ring_score).toBeLessThan(DEFAULT_RING_ABOVE);
    expect(group?.honest_signs).toEqual(expect.arrayContaining(['creation-spread']));
  });

  it('does not link the 30 members of a coworking space through its office IPs: the IPs are hubs', () => {
    const index = indexOf(coworking(30));
    expect(index.rings.size).toBe(0);
    expect(index.groups.size).toBe(0);
  });

  it('judges a small coworking space of 5, linked by its two office IPs, an honest group', () => {
    const index = indexOf(coworking(5));
    expect(index.rings.size).toBe(0);
    const [group] = [...index.groups.values()];
    expect(group?.members).toHaveLength(5);
    expect(group?.identifiers.every((i) => i.kind === 'ip')).toBe(true);
    expect(group?.ring_score).toBeLessThan(DEFAULT_RING_ABOVE);
    expect(group?.not_ring_because).toMatch(/^ring score [\d.]+ is below 50: .*against signs of an honest group: /);
  });
});
