// The live identity state: a model's identity index plus the accounts recorded since, with their groups kept
// current as accounts arrive and leave.
//
// Arrivals join groups union-find style (the smaller group's nodes move into the larger). Two events can split
// groups, and then the groups they touch are rebuilt by a search over their links: an identifier crossing its hub cap
// (the links made through it no longer count) and an account leaving (erasure, retention). The training index is
// fixed: a training ring (or a training account outside any ring) is one node whose inner links are the model's.
//
// A group's id is a function of its members, never of the history of merges and splits: the id of its oldest part
// (the smallest training ring id, else the oldest training account, else the earliest recorded account). So ring ids
// stay as groups grow, on a merge the older id stays, an absorbed group's id still resolves (through its founding
// account) to the group that absorbed it, and adding accounts then taking them away gives back the same state.
import { isDeepStrictEqual } from 'node:util';
import type { IdentifierKind } from '../scoring/risk-assessment.js';
import { sha256Hex } from './hmac-sha256.js';
import type { IdentifierRecord, IdentifierTable } from './identifier-table.js';
import { templateShareOfSignatures } from './identity-graph.js';
import { type GroupRecord, type IdentityIndex, type RingRecord } from './identity-index.js';
import { type GroupMember, notRingReason, type RingVerdict, scoreCandidateGroup } from './ring-score.js';
import { LIVE_IDENTIFIER_KINDS, type LiveAccount } from './live-account.js';

/** A node of the live graph: a recorded account (its id) or a training block ("ring:<id>" or "train:<account>"). */
type NodeId = string;
const RING_NODE = 'ring:';
const TRAIN_NODE = 'train:';
const keyOf = (kind: IdentifierKind, hash: string) => `${kind}:${hash}`;
// the first 6 bytes of the account id's SHA-256, as createHash would give them (sha256Hex is tested against it)
const foundingId = (accountId: string) => `G-${sha256Hex(accountId, 6)}`;

/** Whether two records list the same identifiers, in the same order, kind by kind. */
function sameIdentifiers(a: LiveAccount['identifiers'], b: LiveAccount['identifiers']): boolean {
  for (const kind of LIVE_IDENTIFIER_KINDS) {
    const x = a[kind];
    const y = b[kind];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

interface LiveEntry {
  readonly account: LiveAccount;
  /** arrival order: position in the store's log (the earliest recorded member names a group of new accounts) */
  readonly seq: number;
  /** foundingId(account id), the id of a group it founds */
  readonly founding: string;
}

interface Group {
  readonly nodes: Set<NodeId>;
  /** derived views, dropped whenever `nodes` changes */
  ring?: RingRecord;
}

/**
 * A candidate group as callers see it: id, every member account, the ring record (identifiers tying it, evidence), and
 * whether it is a ring: its ring score reaches the model's ring threshold (policy.ring_above, issue 18).
 */
export interface LiveGroup {
  readonly ring: RingRecord;
  readonly size: number;
  readonly is_ring: boolean;
}

export class LiveIdentityGraph {
  private readonly live = new Map<string, LiveEntry>();
  /** recorded users of each identifier, by kind and hash, beside the training index's */
  private readonly users: Readonly<Record<IdentifierKind, Map<string, Set<string>>>> = { bank: new Map(), device: new Map(), ip: new Map() };
  /** recorded accounts sharing some identifier with a training block (candidates for a link to it) */
  private readonly blockContacts = new Map<NodeId, Set<string>>();
  private readonly groupOf = new Map<NodeId, Group>();
  /** founding id -> account, so an absorbed group's id resolves */
  private readonly founders = new Map<string, string>();
  /** recorded accounts that are also training accounts of the index (counted once among an identifier's users) */
  private readonly inTraining = new Set<string>();
  private lastSeq = 0;

  constructor(readonly base: IdentityIndex) {}

  get recordedAccounts(): number {
    return this.live.size;
  }

  has(accountId: string): boolean {
    return this.live.has(accountId);
  }

  recorded(accountId: string): LiveAccount | undefined {
    return this.live.get(accountId)?.account;
  }

  *recordedEntries(): Generator<LiveAccount> {
    for (const entry of this.live.values()) yield entry.account;
  }

  // ---- identifiers: training users plus recorded users, and the hub cap over both

  private baseRecord(kind: IdentifierKind, hash: string): IdentifierRecord | undefined {
    return this.base.identifiers.get(kind, hash);
  }

  /**
   * Recorded users not already among the training users (an account is never counted twice). A hub's record lists no
   * users, so there a recorded training account (resubmitted, or trained on by a newer version) counts as already in.
   */
  private extraUsers(kind: IdentifierKind, hash: string, base = this.baseRecord(kind, hash)): string[] {
    const recorded = this.users[kind].get(hash);
    if (!recorded) return [];
    const extra: string[] = [];
    for (const id of recorded) if (!base || !this.countedInBase(base, id)) extra.push(id);
    return extra;
  }

  /** How many extraUsers there are, without listing them (hub checks run for every identifier of every arrival). */
  private extraUserCount(kind: IdentifierKind, hash: string, base: IdentifierRecord | undefined): number {
    const recorded = this.users[kind].get(hash);
    if (!recorded) return 0;
    if (!base) return recorded.size;
    let count = 0;
    for (const id of recorded) if (!this.countedInBase(base, id)) count++;
    return count;
  }

  private countedInBase(base: IdentifierRecord, accountId: string): boolean {
    return base.is_hub ? this.inTraining.has(accountId) : base.account_ids.includes(accountId);
  }

  /** Whether the model's index knows `account` as a training account: in a training group, or a listed user of its identifiers. */
  private isTrainingAccount(account: LiveAccount): boolean {
    if (this.base.groupOfAccount.has(account.account_id)) return true;
    return LIVE_IDENTIFIER_KINDS.some((kind) =>
      account.identifiers[kind].some((hash) => this.baseRecord(kind, hash)?.account_ids.includes(account.account_id) ?? false),
    );
  }

  isHub(kind: IdentifierKind, hash: string): boolean {
    const base = this.baseRecord(kind, hash);
    if (base?.is_hub) return true;
    return (base?.account_count ?? 0) + this.extraUserCount(kind, hash, base) > this.base.config.hub_cap[kind];
  }

  /** The identifier as the training index would list it had the recorded accounts been in its training data. */
  identifierRecord(kind: IdentifierKind, hash: string): IdentifierRecord | undefined {
    const base = this.baseRecord(kind, hash);
    const extra = this.extraUsers(kind, hash, base);
    if (extra.length === 0) return base;
    const count = (base?.account_count ?? 0) + extra.length;
    const isHub = (base?.is_hub ?? false) || count > this.base.config.hub_cap[kind];
    return { kind, hash, account_ids: isHub ? [] : [...(base?.account_ids ?? []), ...extra], account_count: count, is_hub: isHub };
  }

  /**
   * The users of a non-hub identifier (training users, then recorded ones not among them), as identifierRecord lists
   * them, without building the record; nothing for a hub.
   */
  private *linkingUsers(kind: IdentifierKind, hash: string): Generator<string> {
    const base = this.baseRecord(kind, hash);
    if (base?.is_hub) return;
    const recorded = this.users[kind].get(hash);
    if ((base?.account_count ?? 0) + (recorded ? this.extraUserCount(kind, hash, base) : 0) > this.base.config.hub_cap[kind]) return;
    if (base) yield* base.account_ids;
    if (recorded) for (const id of recorded) if (!base || !this.countedInBase(base, id)) yield id;
  }

  // ---- nodes and links

  private blockOfTrainingAccount(accountId: string): NodeId {
    const block = this.base.groupOfAccount.get(accountId);
    return block ? RING_NODE + block : TRAIN_NODE + accountId;
  }

  private membersOfNode(node: NodeId): readonly string[] {
    if (node.startsWith(RING_NODE)) return (this.trainingBlock(node.slice(RING_NODE.length)) as RingRecord).members;
    if (node.startsWith(TRAIN_NODE)) return [node.slice(TRAIN_NODE.length)];
    return [node];
  }

  /** The nodes a recorded account links to, by the training rule (non-hub bank or device; enough shared non-hub IPs). */
  private linksOfAccount(accountId: string): Set<NodeId> {
    const account = (this.live.get(accountId) as LiveEntry).account;
    const linked = new Set<NodeId>();
    const ipShared = new Map<string, number>();
    for (const kind of LIVE_IDENTIFIER_KINDS) {
      for (const hash of account.identifiers[kind]) {
        for (const other of this.linkingUsers(kind, hash)) {
          if (other === accountId) continue;
          if (kind === 'ip') ipShared.set(other, (ipShared.get(other) ?? 0) + 1);
          else linked.add(this.nodeOfAccount(other));
        }
      }
    }
    for (const [other, count] of ipShared) if (count >= this.base.config.min_shared_ips) linked.add(this.nodeOfAccount(other));
    linked.delete(accountId);
    return linked;
  }

  private nodeOfAccount(accountId: string): NodeId {
    return this.live.has(accountId) ? accountId : this.blockOfTrainingAccount(accountId);
  }

  private linksOf(node: NodeId): Set<NodeId> {
    if (this.live.has(node)) return this.linksOfAccount(node);
    const linked = new Set<NodeId>();
    for (const contact of this.blockContacts.get(node) ?? []) if (this.linksOfAccount(contact).has(node)) linked.add(contact);
    return linked;
  }

  /** the training blocks whose members use one of `account`'s identifiers */
  private contactBlocks(account: LiveAccount): Set<NodeId> {
    const blocks = new Set<NodeId>();
    for (const kind of LIVE_IDENTIFIER_KINDS) {
      for (const hash of account.identifiers[kind]) {
        for (const other of this.baseRecord(kind, hash)?.account_ids ?? [])
          if (other !== account.account_id) blocks.add(this.blockOfTrainingAccount(other));
      }
    }
    return blocks;
  }

  /** Every node using `kind:hash` (recorded accounts and training blocks). */
  private nodesUsing(kind: IdentifierKind, hash: string): Set<NodeId> {
    const nodes = new Set<NodeId>(this.users[kind].get(hash) ?? []);
    for (const other of this.baseRecord(kind, hash)?.account_ids ?? []) nodes.add(this.nodeOfAccount(other));
    return nodes;
  }

  // ---- changes

  /**
   * Records `account` (replacing an earlier record of the same account, which keeps its place, so a resubmission does
   * not change the id of a group it founded); `seq` is its position in the store's log when it is new (default: after
   * every account so far).
   */
  add(account: LiveAccount, seq = this.lastSeq + 1): void {
    const earlier = this.live.get(account.account_id);
    if (earlier && this.replaceAlone(earlier, account, seq)) return;
    const place = earlier ? earlier.seq : seq;
    if (earlier) this.remove(account.account_id);
    const hubsBefore = this.hubStates(account);
    if (this.isTrainingAccount(account)) this.inTraining.add(account.account_id);
    const founding = foundingId(account.account_id);
    this.live.set(account.account_id, { account, seq: place, founding });
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.founders.set(founding, account.account_id);
    for (const kind of LIVE_IDENTIFIER_KINDS) {
      for (const hash of account.identifiers[kind]) {
        const users = this.users[kind];
        let set = users.get(hash);
        if (!set) users.set(hash, (set = new Set()));
        set.add(account.account_id);
      }
    }
    for (const block of this.contactBlocks(account)) {
      let contacts = this.blockContacts.get(block);
      if (!contacts) this.blockContacts.set(block, (contacts = new Set()));
      contacts.add(account.account_id);
    }
    const crossed = this.changedHubs(account, hubsBefore);
    const links = this.linksOfAccount(account.account_id);
    if (crossed.length === 0) {
      this.join(account.account_id, links);
      return;
    }
    // links made through an identifier now over its cap are undone: rebuild every group that used it
    const seeds = new Set<NodeId>([account.account_id, ...links]);
    for (const [kind, hash] of crossed) for (const node of this.nodesUsing(kind, hash)) seeds.add(node);
    this.rebuild(seeds);
  }

  /**
   * A new record of an account that is alone in its group, with the same identifiers, that leaving would bring no
   * identifier back under its cap: the state `remove` then `add` leave (the same entries, in the same order where
   * anything lists them), without their searches, hub checks and group rebuilds. Others: false, and nothing changed.
   * (Resubmitting an account is the common case: the service records every account it scores.)
   */
  private replaceAlone(earlier: LiveEntry, account: LiveAccount, seq: number): boolean {
    const accountId = account.account_id;
    const group = this.groupOf.get(accountId);
    if (group === undefined || group.nodes.size !== 1) return false;
    if (!sameIdentifiers(earlier.account.identifiers, account.identifiers)) return false;
    for (const kind of LIVE_IDENTIFIER_KINDS)
      for (const hash of account.identifiers[kind]) if (this.leavingUncaps(kind, hash, accountId)) return false;
    // as remove, then add: an account alone links to nothing and no hub changes, so neither rebuilds a group; in the
    // maps and sets something lists, the account moves to the end as they move it (those only looked up, the
    // training accounts, founders and the users' maps by hash, keep the same entries)
    delete group.ring;
    this.groupOf.delete(accountId);
    this.groupOf.set(accountId, group);
    this.live.delete(accountId);
    this.live.set(accountId, { account, seq: earlier.seq, founding: earlier.founding });
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.founders.set(earlier.founding, accountId);
    for (const kind of LIVE_IDENTIFIER_KINDS) {
      for (const hash of account.identifiers[kind]) {
        const users = this.users[kind].get(hash) as Set<string>;
        users.delete(accountId);
        users.add(accountId);
      }
    }
    for (const block of this.contactBlocks(account)) {
      const contacts = this.blockContacts.get(block) as Set<string>;
      contacts.delete(accountId);
      contacts.add(accountId);
    }
    return true;
  }

  /** Whether `kind:hash` is a hub only by `accountId`'s use of it: one user fewer brings it back under its cap. */
  private leavingUncaps(kind: IdentifierKind, hash: string, accountId: string): boolean {
    const base = this.baseRecord(kind, hash);
    if (base?.is_hub) return false;
    const cap = this.base.config.hub_cap[kind];
    const baseCount = base?.account_count ?? 0;
    // under the cap even with every recorded user counted
    if (baseCount + (this.users[kind].get(hash)?.size ?? 0) <= cap) return false;
    // counted among the training users: leaving changes no count
    if (base && this.countedInBase(base, accountId)) return false;
    return baseCount + this.extraUserCount(kind, hash, base) === cap + 1;
  }

  /** Takes a recorded account out of the state (erasure, retention); its groups are rebuilt without it. */
  remove(accountId: string): boolean {
    const entry = this.live.get(accountId);
    if (!entry) return false;
    const { account } = entry;
    const hubsBefore = this.hubStates(account);
    const seeds = new Set<NodeId>(this.linksOfAccount(accountId));
    const group = this.groupOf.get(accountId);
    if (group) for (const node of group.nodes) seeds.add(node);
    this.detach(accountId);
    this.live.delete(accountId);
    this.inTraining.delete(accountId);
    this.founders.delete(entry.founding);
    for (const kind of LIVE_IDENTIFIER_KINDS) {
      for (const hash of account.identifiers[kind]) {
        const users = this.users[kind];
        users.get(hash)?.delete(accountId);
        if (users.get(hash)?.size === 0) users.delete(hash);
      }
    }
    for (const block of this.contactBlocks(account)) {
      const contacts = this.blockContacts.get(block);
      contacts?.delete(accountId);
      if (contacts?.size === 0) this.blockContacts.delete(block);
    }
    // an identifier back under its cap links its users again
    for (const [kind, hash] of this.changedHubs(account, hubsBefore)) for (const node of this.nodesUsing(kind, hash)) seeds.add(node);
    seeds.delete(accountId);
    this.rebuild(seeds);
    return true;
  }

  /** whether each of the account's identifiers is a hub, in the order of its kinds and hashes */
  private hubStates(account: LiveAccount): boolean[] {
    const states: boolean[] = [];
    for (const kind of LIVE_IDENTIFIER_KINDS) for (const hash of account.identifiers[kind]) states.push(this.isHub(kind, hash));
    return states;
  }

  /** the identifiers of `account` whose hub state is not the one hubStates(account) gave before */
  private changedHubs(account: LiveAccount, before: readonly boolean[]): [IdentifierKind, string][] {
    const changed: [IdentifierKind, string][] = [];
    let i = 0;
    for (const kind of LIVE_IDENTIFIER_KINDS) {
      for (const hash of account.identifiers[kind]) if (before[i++] !== this.isHub(kind, hash)) changed.push([kind, hash]);
    }
    return changed;
  }

  /** Union: the node and the groups of its links become one group (the smaller groups move into the largest). */
  private join(node: NodeId, links: Set<NodeId>): void {
    const groups = new Set<Group>();
    for (const other of [node, ...links]) groups.add(this.groupOf.get(other) ?? this.newGroup(other));
    const [largest, ...rest] = [...groups].sort((a, b) => b.nodes.size - a.nodes.size) as [Group, ...Group[]];
    for (const group of rest) {
      for (const member of group.nodes) {
        largest.nodes.add(member);
        this.groupOf.set(member, largest);
      }
    }
    delete largest.ring;
  }

  private newGroup(node: NodeId): Group {
    const group: Group = { nodes: new Set([node]) };
    this.groupOf.set(node, group);
    return group;
  }

  private detach(node: NodeId): void {
    const group = this.groupOf.get(node);
    if (!group) return;
    group.nodes.delete(node);
    delete group.ring;
    this.groupOf.delete(node);
  }

  /** Recomputes the groups of `seeds` (and of whatever they now link to) by a search over the current links. */
  private rebuild(seeds: Set<NodeId>): void {
    const dirty = new Set<NodeId>();
    for (const seed of seeds) {
      const group = this.groupOf.get(seed);
      for (const node of group ? group.nodes : [seed]) dirty.add(node);
    }
    for (const node of dirty) this.groupOf.delete(node);
    const visited = new Set<NodeId>();
    for (const start of dirty) {
      if (visited.has(start)) continue;
      const group: Group = { nodes: new Set() };
      const queue = [start];
      visited.add(start);
      while (queue.length > 0) {
        const node = queue.pop() as NodeId;
        group.nodes.add(node);
        this.groupOf.set(node, group);
        for (const next of this.linksOf(node)) {
          if (visited.has(next)) continue;
          visited.add(next);
          const other = this.groupOf.get(next);
          // a group outside the rebuilt ones that is now linked joins whole
          if (other && !dirty.has(next)) {
            for (const member of other.nodes) {
              if (visited.has(member)) continue;
              visited.add(member);
              queue.push(member);
            }
          }
          queue.push(next);
        }
      }
      // a training block linked to nothing recorded needs no group of its own: the training index answers for it
      if (group.nodes.size === 1 && !this.live.has(start)) this.groupOf.delete(start);
    }
  }

  // ---- reading groups

  private groupOfAccount(accountId: string): Group | undefined {
    return this.groupOf.get(this.nodeOfAccount(accountId));
  }

  /** The group's id: that of its oldest part (see the file comment). */
  private groupId(group: Group): string {
    let ringId: string | null = null;
    let trainingAccount: string | null = null;
    let earliest: LiveEntry | null = null;
    for (const node of group.nodes) {
      if (node.startsWith(RING_NODE)) {
        const id = node.slice(RING_NODE.length);
        if (ringId === null || id < ringId) ringId = id;
      } else if (node.startsWith(TRAIN_NODE)) {
        const id = node.slice(TRAIN_NODE.length);
        if (trainingAccount === null || id < trainingAccount) trainingAccount = id;
      } else {
        const entry = this.live.get(node) as LiveEntry;
        if (earliest === null || entry.seq < earliest.seq) earliest = entry;
      }
    }
    if (ringId !== null) return ringId;
    return trainingAccount !== null ? foundingId(trainingAccount) : (earliest as LiveEntry).founding;
  }

  private ringRecord(group: Group): RingRecord {
    if (group.ring) return group.ring;
    const members = [...new Set([...group.nodes].flatMap((node) => this.membersOfNode(node)))].sort();
    const memberSet = new Set(members);
    const identifiers: RingRecord['identifiers'] = [];
    const seen = new Set<string>();
    let strength = 0;
    const signatures: Uint32Array[] = [];
    let trainingTemplate = 0;
    const addTie = (kind: IdentifierKind, hash: string) => {
      const key = keyOf(kind, hash);
      if (seen.has(key)) return;
      seen.add(key);
      const record = this.identifierRecord(kind, hash);
      if (!record || record.is_hub) return;
      const inGroup = record.account_ids.filter((id) => memberSet.has(id)).length;
      if (inGroup < 2) return;
      identifiers.push({ kind, hash, accounts: inGroup });
      strength = Math.max(strength, this.base.config.link_weight[kind]);
    };
    for (const node of group.nodes) {
      const entry = this.live.get(node);
      if (entry) {
        for (const kind of LIVE_IDENTIFIER_KINDS) for (const hash of entry.account.identifiers[kind]) addTie(kind, hash);
        if (entry.account.template_signature) signatures.push(Uint32Array.from(entry.account.template_signature));
      } else if (node.startsWith(RING_NODE)) {
        const ring = this.trainingBlock(node.slice(RING_NODE.length)) as RingRecord;
        for (const tie of ring.identifiers) addTie(tie.kind, tie.hash);
        trainingTemplate = Math.max(trainingTemplate, ring.template_share);
      }
    }
    identifiers.sort((a, b) => b.accounts - a.accounts || a.kind.localeCompare(b.kind) || a.hash.localeCompare(b.hash));
    group.ring = {
      ring_id: this.groupId(group),
      members,
      identifiers,
      strength,
      template_share: Math.max(trainingTemplate, templateShareOfSignatures(signatures)),
      ...this.verdictOf(group),
    };
    return group.ring;
  }

  /**
   * The ring verdict of a group: from its recorded members' profiles when two or more have one, else that of its
   * highest-scoring training ring (the model keeps no profiles of training accounts), else no evidence.
   */
  private verdictOf(group: Group): RingVerdict {
    const profiled: GroupMember[] = [];
    let training: RingVerdict | null = null;
    for (const node of group.nodes) {
      const entry = this.live.get(node);
      if (entry?.account.profile)
        profiled.push({
          account_id: entry.account.account_id,
          identifiers: entry.account.identifiers,
          profile: entry.account.profile,
          anomaly: entry.account.anomaly ?? null,
        });
      else if (node.startsWith(RING_NODE)) {
        const ring = this.trainingBlock(node.slice(RING_NODE.length)) as RingRecord;
        if (!training || ring.ring_score > training.ring_score) training = ring;
      }
    }
    const live = profiled.length >= 2 ? scoreCandidateGroup(profiled, this.base.judgement.context) : null;
    const verdict = live && (!training || live.ring_score >= training.ring_score) ? live : training;
    if (!verdict) return { ring_score: 0, rests_on: [], honest_signs: [], evidence: [] };
    return { ring_score: verdict.ring_score, rests_on: verdict.rests_on, honest_signs: verdict.honest_signs, evidence: verdict.evidence };
  }

  /**
   * A training candidate group, ring or not, in the shape of a ring record (its id as ring_id): one block of the live
   * graph whose inner links are the model's.
   */
  trainingBlock(id: string): RingRecord | undefined {
    const ring = this.base.rings.get(id);
    if (ring) return ring;
    const group = this.base.groups.get(id);
    if (!group) return undefined;
    const { group_id: groupId, not_ring_because: _notRing, ...rest } = group;
    return { ring_id: groupId, ...rest };
  }

  private liveGroupOf(ring: RingRecord): LiveGroup {
    return { ring, size: ring.members.length, is_ring: ring.ring_score >= this.base.judgement.ring_above };
  }

  /** The candidate group (two or more accounts, a ring or not) an account is in now, or null. */
  groupOfAccountNow(accountId: string): LiveGroup | null {
    const group = this.groupOfAccount(accountId);
    if (group) {
      // a recorded account alone: one member, no candidate group (its ring record is not built for that)
      if (group.nodes.size === 1 && this.live.has(accountId)) return null;
      const ring = this.ringRecord(group);
      return ring.members.length >= 2 ? this.liveGroupOf(ring) : null;
    }
    const trainingRing = this.trainingBlock(this.base.groupOfAccount.get(accountId) ?? '');
    return trainingRing ? this.liveGroupOf(trainingRing) : null;
  }

  /** The group of this id now: its own, or (for the id of a group since absorbed) the group that absorbed it. */
  groupById(groupId: string): LiveGroup | null {
    const trainingRing = this.trainingBlock(groupId);
    const founder = trainingRing ? trainingRing.members[0] : this.founders.get(groupId);
    if (founder !== undefined) return this.groupOfAccountNow(founder);
    // a training account outside any training ring that founded a group
    for (const node of this.groupOf.keys())
      if (node.startsWith(TRAIN_NODE) && foundingId(node.slice(TRAIN_NODE.length)) === groupId)
        return this.groupOfAccountNow(node.slice(TRAIN_NODE.length));
    return null;
  }

  /** Every current group with a recorded member. */
  *liveGroups(): Generator<LiveGroup> {
    const seen = new Set<Group>();
    for (const group of this.groupOf.values()) {
      if (seen.has(group)) continue;
      seen.add(group);
      const ring = this.ringRecord(group);
      if (ring.members.length >= 2) yield this.liveGroupOf(ring);
    }
  }

  /**
   * Runs `scoreWith` with `accounts` added as if recorded, then takes them out again (and puts back any earlier
   * record they replaced): the state afterwards is the state before, since groups and ids are functions of it. An
   * account recorded already with the same content is left as it is (rescoring a recorded account changes nothing).
   */
  withAccounts<T>(accounts: readonly LiveAccount[], scoreWith: () => T): T {
    const changed = accounts.filter((a) => !this.holdsSame(a));
    const replaced = changed.flatMap((a) => {
      const entry = this.live.get(a.account_id);
      return entry ? [entry] : [];
    });
    const lastSeq = this.lastSeq;
    for (const account of changed) this.add(account);
    try {
      return scoreWith();
    } finally {
      for (const account of [...changed].reverse()) this.remove(account.account_id);
      for (const entry of replaced) this.add(entry.account, entry.seq);
      this.lastSeq = lastSeq;
    }
  }

  /** Whether `account` is recorded with this content (when it was recorded aside). */
  private holdsSame(account: LiveAccount): boolean {
    const entry = this.live.get(account.account_id);
    if (!entry) return false;
    // as stored (JSON): a field left undefined is no field
    const recorded = JSON.stringify({ ...entry.account, recorded_at: 0 });
    const given = JSON.stringify({ ...account, recorded_at: 0 });
    // the same text parses to the same value; another text may still (fields in another order)
    if (recorded === given) return true;
    return isDeepStrictEqual(JSON.parse(recorded), JSON.parse(given));
  }

  /** The state as an identity index: what scoring reads (links, ring sizes, ring records) over training and recorded accounts. */
  asIdentityIndex(): IdentityIndex {
    return liveIdentityIndex(this);
  }
}

/** ReadonlyMap views whose lookups answer from the live graph (scoring only looks up; iteration lists live groups). */
class LookupMap<V> implements ReadonlyMap<string, V> {
  constructor(
    private readonly lookup: (key: string) => V | undefined,
    private readonly list: () => Iterable<[string, V]>,
  ) {}
  get(key: string): V | undefined {
    return this.lookup(key);
  }
  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }
  get size(): number {
    return [...this.list()].length;
  }
  *entries(): MapIterator<[string, V]> {
    yield* this.list();
  }
  *keys(): MapIterator<string> {
    for (const [key] of this.list()) yield key;
  }
  *values(): MapIterator<V> {
    for (const [, value] of this.list()) yield value;
  }
  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [key, value] of this.list()) callback(value, key, this);
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}

/** A candidate group below the ring threshold in the shape of the index's group records (its id as group_id, why not a ring). */
export function asGroupRecord(ring: RingRecord, ringAbove: number): GroupRecord {
  const { ring_id: groupId, ...rest } = ring;
  return { group_id: groupId, ...rest, not_ring_because: notRingReason(ring, ringAbove) };
}

function liveIdentityIndex(graph: LiveIdentityGraph): IdentityIndex {
  const base = graph.base;
  const identifiers: IdentifierTable = {
    get size() {
      return base.identifiers.size;
    },
    get hubCount() {
      return base.identifiers.hubCount;
    },
    get: (kind, hash) => graph.identifierRecord(kind, hash),
    records: () => base.identifiers.records(),
  };
  function* allRings(): Generator<[string, RingRecord]> {
    const listed = new Set<string>();
    for (const group of graph.liveGroups()) {
      listed.add(group.ring.ring_id);
      for (const member of group.ring.members) listed.add(`member:${member}`);
      yield [group.ring.ring_id, group.ring];
    }
    for (const id of [...base.rings.keys(), ...base.groups.keys()]) {
      const block = graph.trainingBlock(id) as RingRecord;
      if (!listed.has(id) && !listed.has(`member:${block.members[0]}`)) yield [id, block];
    }
  }
  // a live group is a ring when its verdict reaches the model's ring threshold; below it, a candidate group
  const isRing = (ring: RingRecord) => ring.ring_score >= base.judgement.ring_above;
  const asGroup = (ring: RingRecord) => asGroupRecord(ring, base.judgement.ring_above);
  const rings = new LookupMap<RingRecord>(
    (id) => {
      const group = graph.groupById(id);
      return group && group.ring.ring_id === id && isRing(group.ring) ? group.ring : undefined;
    },
    function* () {
      for (const entry of allRings()) if (isRing(entry[1])) yield entry;
    },
  );
  const ringOfAccount = new LookupMap<string>(
    (accountId) => {
      const group = graph.groupOfAccountNow(accountId);
      return group && isRing(group.ring) ? group.ring.ring_id : undefined;
    },
    function* () {
      for (const [id, ring] of allRings()) if (isRing(ring)) for (const member of ring.members) yield [member, id];
    },
  );
  const groups = new LookupMap<GroupRecord>(
    (id) => {
      const group = graph.groupById(id);
      return group && group.ring.ring_id === id && !isRing(group.ring) ? asGroup(group.ring) : base.groups.get(id);
    },
    function* () {
      for (const [id, ring] of allRings()) if (!isRing(ring)) yield [id, asGroup(ring)];
    },
  );
  const groupOfAccount = new LookupMap<string>(
    (accountId) => graph.groupOfAccountNow(accountId)?.ring.ring_id ?? base.groupOfAccount.get(accountId),
    function* () {
      for (const [id, ring] of allRings()) for (const member of ring.members) yield [member, id];
    },
  );
  return {
    config: base.config,
    hashKey: base.hashKey,
    identifiers,
    rings,
    ringOfAccount,
    groups,
    groupOfAccount,
    judgement: base.judgement,
    flagged: base.flagged,
  };
}
