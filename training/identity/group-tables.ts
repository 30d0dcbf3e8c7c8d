// rings.csv and groups.csv rows: rings with their ring score and reasons; candidate groups below the threshold apart.
import type { GroupRecord, RingRecord } from './identity-index.js';
import { ringReasons } from './ring-score.js';

type Cell = string | number;

export const RING_COLUMNS = ['ring_id', 'account_id', 'ring_score', 'rests_on', 'reasons', 'identifiers'] as const;
export const GROUP_COLUMNS = ['group_id', 'account_id', 'ring_score', 'not_ring_because', 'honest_signs', 'identifiers'] as const;

const ties = (record: RingRecord | GroupRecord) => record.identifiers.map((i) => `${i.kind}:${i.hash.slice(0, 10)}:${i.accounts}`).join('; ');

/** One row per ring member, rings by descending ring score. */
export function* ringRows(records: Iterable<RingRecord>): Generator<Cell[]> {
  const rings = [...records].sort((a, b) => b.ring_score - a.ring_score || a.ring_id.localeCompare(b.ring_id));
  for (const ring of rings) {
    const reasons = ringReasons(ring).join('; ');
    for (const member of ring.members) yield [ring.ring_id, member, ring.ring_score, ring.rests_on.join(' '), reasons, ties(ring)];
  }
}

/** One row per member of a candidate group below the ring threshold, with why it is not a ring. */
export function* groupRows(records: Iterable<GroupRecord>): Generator<Cell[]> {
  const groups = [...records].sort((a, b) => b.ring_score - a.ring_score || a.group_id.localeCompare(b.group_id));
  for (const group of groups) {
    for (const member of group.members)
      yield [group.group_id, member, group.ring_score, group.not_ring_because, group.honest_signs.join(' '), ties(group)];
  }
}
