// The score of a live group as a ring, 0-100.
//
// The group-level ring score of issue 18 (training/identity/ring-score.ts, from the members' profiles) replaces
// this at this one call site once it is on main; until then a group is judged by the identity evidence the account
// score already gives its members: the strongest kind of link and the shared-template share, growing with size.
import { combineEvidence } from '../scoring/rules.js';
import type { RingRecord } from './identity-index.js';

export function ringScoreOf(ring: RingRecord): number {
  const sizeFactor = Math.min(1, Math.max(0, ring.members.length - 1) / 4);
  return Number((100 * combineEvidence([ring.strength * sizeFactor, 0.5 * ring.template_share * sizeFactor])).toFixed(2));
}
