import { describe, expect, it } from 'vitest';
import type { AccountEvents } from '../../../data/tables.js';
import { buildIdentityIndex } from '../../../training/identity/identity-graph.js';
import { accountIdentity, IdentityConfigSchema } from '../../../training/identity/identity-index.js';
import { DEFAULT_RING_ABOVE, type GroupMember, GroupMemberSchema, scoreCandidateGroup } from '../../../training/identity/ring-score.js';
import { agency, AS_OF, household, newRing } from './group-fixtures.js';

const membersOf = (accounts: AccountEvents[], anomaly: number | null = null): GroupMember[] =>
  accounts.map((a) => {
    const identity = accountIdentity(a, 'test-key');
    return GroupMemberSchema.parse({ account_id: a.account_id, identifiers: identity.identifiers, profile: identity.profile, anomaly });
  });
const context = { as_of: AS_OF };
const indexOf = (accounts: AccountEvents[]) =>
  buildIdentityIndex(accounts, {
    config: IdentityConfigSchema.parse({}),
    hashKey: 'test-key',
    judgement: { context: { as_of: AS_OF, unusual_above: 60, typical_bid_spread: 0.35 }, ring_above: DEFAULT_RING_ABOVE },
  });

describe('scoreCandidateGroup', () => {
  it('does not call an agency of 20 sharing a bank account and an office IP a ring', () => {
    const verdict = scoreCandidateGroup(membersOf(agency(20)), context);
    expect(verdict.ring_score).toBeLessThan(DEFAULT_RING_ABOVE);
    expect(verdict.honest_signs).toEqual(expect.arrayContaining(['creation-spread']));
    const index = indexOf(agency(20));
    expect(index.rings.size).toBe(0);
    expect([...index.groups.values()].map((g) => g.members.length)).toEqual([20]);
    expect([...index.groups.values()][0]?.not_ring_because).toMatch(/^ring score [\d.]+ is below 50: /);
  });

  it('does not call a household of 3 sharing a laptop a ring', () => {
    const verdict = scoreCandidateGroup(membersOf(household(3)), context);
    expect(verdict.ring_score).toBeLessThan(DEFAULT_RING_ABOVE);
    const index = indexOf(household(3));
    expect(index.rings.size).toBe(0);
    expect(index.groups.size).toBe(1);
  });

  it('calls 6 new accounts created within two days with one template a ring, though each has its own bank', () => {
    const ring = newRing(6);
    expect(new Set(ring.flatMap((a) => a.payouts.map((p) => p.bank_hash))).size).toBe(6);
    const verdict = scoreCandidateGroup(membersOf(ring), context);
    expect(verdict.ring_score).toBeGreaterThanOrEqual(DEFAULT_RING_ABOVE);
    expect(verdict.rests_on).toEqual(expect.arrayContaining(['created-together', 'shared-template']));
    const index = indexOf(ring);
    expect([...index.rings.values()].map((r) => r.members.length)).toEqual([6]);
    expect(index.groups.size).toBe(0);
  });

  it('keeps rings and honest groups apart in one population, ids R- for rings and G- for groups', () => {
    const index = indexOf([...agency(20), ...household(3), ...newRing(6)]);
    expect([...index.rings.keys()].every((id) => id.startsWith('R-'))).toBe(true);
    expect([...index.groups.keys()].every((id) => id.startsWith('G-'))).toBe(true);
    expect([...index.rings.values()].flatMap((r) => r.members).every((m) => m.startsWith('RG'))).toBe(true);
    expect(index.groups.size).toBe(2);
  });

  it('rises with the share of members the detectors find unusual, and says so', () => {
    const plain = scoreCandidateGroup(membersOf(household(3)), context);
    const unusual = scoreCandidateGroup(membersOf(household(3), 95), context);
    expect(unusual.ring_score).toBeGreaterThan(plain.ring_score);
    expect(unusual.rests_on).toContain('unusual-members');
    expect(plain.evidence.map((e) => e.code)).not.toContain('unusual-members');
  });

  it('gives the same verdict whatever order the members come in', () => {
    const members = membersOf([...newRing(5, 7), ...agency(3, 8)]);
    expect(scoreCandidateGroup([...members].reverse(), context)).toEqual(scoreCandidateGroup(members, context));
  });

  it('refuses a group of one', () => {
    expect(() => scoreCandidateGroup(membersOf(newRing(1)), context)).toThrow(/at least two members/);
  });
});
