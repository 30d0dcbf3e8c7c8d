// links through shared bank hash / device / IP with a hub cap; connected components = candidate groups, judged into
// rings and groups by their ring score (ring-score.ts)
//
// Shared IPs are weak evidence (offices, campuses, carrier NAT, VPN exits): identifiers used by more accounts than
// a per-kind cap are hubs and link nobody, and IPs alone link two accounts only when they share several.
import { createHash } from 'node:crypto';
import type { AccountEvents } from '../../data/tables.js';
import { type IdentifierKind, IdentifierKindSchema } from '../scoring/risk-assessment.js';
import { NEAR_DUPLICATE_SIMILARITY, signatureSimilarity, textSignature } from '../features/text-signature.js';
import { IdentifierTableBuilder } from './identifier-table.js';
import {
  type AccountIdentity,
  accountIdentity,
  type GroupRecord,
  groupMaps,
  type IdentifierRecord,
  type IdentityConfig,
  type IdentityIndex,
  identifierKey,
  type RingJudgement,
  RingJudgementSchema,
  type RingRecord,
} from './identity-index.js';
import { DEFAULT_RING_ABOVE, type GroupMember, notRingReason, type RingVerdict, scoreCandidateGroup } from './ring-score.js';

class UnionFind {
  private readonly parent: Int32Array;
  private readonly rank: Uint8Array;
  constructor(size: number) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
    this.rank = new Uint8Array(size);
  }
  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root] as number;
    while (this.parent[x] !== root) {
      const next = this.parent[x] as number;
      this.parent[x] = root;
      x = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if ((this.rank[ra] as number) < (this.rank[rb] as number)) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    if (this.rank[ra] === this.rank[rb]) this.rank[ra] = (this.rank[ra] as number) + 1;
  }
}

/** A stable digest of a group's sorted members, so the same group keeps its id across retrains. */
function groupDigest(members: readonly string[]): string {
  return createHash('sha256').update(members.join('\n')).digest('hex').slice(0, 10);
}

/** Share of member pairs whose most typical proposal texts are near-duplicates (shared template). */
function templateShare(members: readonly AccountIdentity[]): number {
  return templateShareOfSignatures(members.flatMap((m) => (m.typicalProposalText === null ? [] : [textSignature(m.typicalProposalText)])));
}

/** The same from the members' text signatures (the live identity state keeps signatures, not texts). */
export function templateShareOfSignatures(signatures: readonly Uint32Array[]): number {
  if (signatures.length < 2) return 0;
  let pairs = 0;
  let similar = 0;
  for (let i = 0; i < signatures.length; i++) {
    for (let j = i + 1; j < signatures.length; j++) {
      pairs++;
      if (signatureSimilarity(signatures[i] as Uint32Array, signatures[j] as Uint32Array) >= NEAR_DUPLICATE_SIMILARITY) similar++;
    }
  }
  return similar / pairs;
}

export interface BuildIdentityIndexOptions {
  readonly config: IdentityConfig;
  readonly hashKey: string;
  readonly flagged?: ReadonlySet<string>;
  /** how candidate groups are judged; default: the default ring threshold, as of the accounts' latest activity */
  readonly judgement?: RingJudgement;
  /** each member's anomaly score when known (training's first scoring pass); unknown by default */
  readonly anomalyOf?: (accountId: string) => number | null;
}

/** A candidate group before judgement: members and what ties them. */
type GroupCore = Omit<RingRecord, 'ring_id' | keyof RingVerdict>;

/** The default judgement of accounts: the default ring threshold, as of their latest activity or creation. */
export function defaultRingJudgement(accounts: readonly AccountIdentity[]): RingJudgement {
  let asOf = 0;
  for (const a of accounts) asOf = Math.max(asOf, a.profile.last_active ?? a.profile.created_at, a.profile.created_at);
  return RingJudgementSchema.parse({ context: { as_of: asOf }, ring_above: DEFAULT_RING_ABOVE });
}

/** Judges each candidate group: a ring (ring_id, ring score, reasons) when its score reaches the threshold, else a group. */
function judgeGroups(
  cores: readonly GroupCore[],
  identityOf: (accountId: string) => AccountIdentity,
  judgement: RingJudgement,
  anomalyOf: (accountId: string) => number | null,
): Pick<IdentityIndex, 'rings' | 'ringOfAccount' | 'groups' | 'groupOfAccount'> {
  const rings: RingRecord[] = [];
  const groups: GroupRecord[] = [];
  for (const core of cores) {
    const members: GroupMember[] = core.members.map((id) => {
      const identity = identityOf(id);
      return { account_id: id, identifiers: identity.identifiers, profile: identity.profile, anomaly: anomalyOf(id) };
    });
    const verdict = scoreCandidateGroup(members, judgement.context);
    const digest = groupDigest(core.members);
    if (verdict.ring_score >= judgement.ring_above) rings.push({ ring_id: `R-${digest}`, ...core, ...verdict });
    else groups.push({ group_id: `G-${digest}`, ...core, ...verdict, not_ring_because: notRingReason(verdict, judgement.ring_above) });
  }
  return groupMaps(rings, groups);
}

/**
 * The same index with every candidate group judged again, e.g. once members' anomaly scores are known; `identityOf`
 * gives each member's identity (profile and identifiers).
 */
export function rejudgeIdentityGroups(
  index: IdentityIndex,
  identityOf: (accountId: string) => AccountIdentity,
  anomalyOf: (accountId: string) => number | null,
  judgement: RingJudgement = index.judgement,
): IdentityIndex {
  const cores: GroupCore[] = [...index.rings.values(), ...index.groups.values()].map((record) => ({
    members: record.members,
    identifiers: record.identifiers,
    strength: record.strength,
    template_share: record.template_share,
  }));
  cores.sort((a, b) => groupDigest(a.members).localeCompare(groupDigest(b.members)));
  return { ...index, ...judgeGroups(cores, identityOf, judgement, anomalyOf), judgement };
}

/** Builds the identity index and its rings (connected components of two or more linked accounts). */
export function buildIdentityIndex(accounts: readonly AccountEvents[], options: BuildIdentityIndexOptions): IdentityIndex {
  return buildIdentityIndexOfIdentities(
    accounts.map((account) => accountIdentity(account, options.hashKey)),
    options,
  );
}

/** The same from each account's identity (identifiers hashed with `options.hashKey`): no events needed. */
export function buildIdentityIndexOfIdentities(accounts: readonly AccountIdentity[], options: BuildIdentityIndexOptions): IdentityIndex {
  const { config, hashKey } = options;
  const users = new Map<string, { kind: IdentifierKind; hash: string; accounts: number[] }>();
  accounts.forEach((account, i) => {
    const ids = account.identifiers;
    for (const kind of IdentifierKindSchema.options) {
      for (const hash of ids[kind]) {
        const key = identifierKey(kind, hash);
        let entry = users.get(key);
        if (!entry) users.set(key, (entry = { kind, hash, accounts: [] }));
        entry.accounts.push(i);
      }
    }
  });
  const unionFind = new UnionFind(accounts.length);
  const ipPairCounts = new Map<number, number>();
  const builder = new IdentifierTableBuilder(users.size);
  for (const entry of users.values()) {
    const isHub = entry.accounts.length > config.hub_cap[entry.kind];
    const added = builder.add({
      kind: entry.kind,
      hash: entry.hash,
      account_ids: isHub ? [] : entry.accounts.map((i) => (accounts[i] as AccountIdentity).account_id),
      account_count: entry.accounts.length,
      is_hub: isHub,
    });
    if (added !== 'ok') throw new Error(`identity graph: identifier ${entry.kind} ${entry.hash} was refused (${added})`);
    if (isHub || entry.accounts.length < 2) continue;
    if (entry.kind !== 'ip') {
      for (let k = 1; k < entry.accounts.length; k++) unionFind.union(entry.accounts[0] as number, entry.accounts[k] as number);
      continue;
    }
    for (let a = 0; a < entry.accounts.length; a++) {
      for (let b = a + 1; b < entry.accounts.length; b++) {
        // pair key: hub caps keep IP groups small, so pairs stay few
        const pairKey = (entry.accounts[a] as number) * accounts.length + (entry.accounts[b] as number);
        ipPairCounts.set(pairKey, (ipPairCounts.get(pairKey) ?? 0) + 1);
      }
    }
  }
  users.clear();
  const identifiers = builder.build();
  for (const [pairKey, count] of ipPairCounts) {
    if (count >= config.min_shared_ips) unionFind.union(Math.floor(pairKey / accounts.length), pairKey % accounts.length);
  }
  const components = new Map<number, number[]>();
  for (let i = 0; i < accounts.length; i++) {
    const root = unionFind.find(i);
    let members = components.get(root);
    if (!members) components.set(root, (members = []));
    members.push(i);
  }
  const cores: GroupCore[] = [];
  const byId = new Map<string, AccountIdentity>();
  for (const memberIndexes of components.values()) {
    if (memberIndexes.length < 2) continue;
    const memberAccounts = memberIndexes.map((i) => accounts[i] as AccountIdentity);
    const members = memberAccounts.map((a) => a.account_id).sort();
    const memberSet = new Set(members);
    const tying: RingRecord['identifiers'] = [];
    let strength = 0;
    const seen = new Set<string>();
    for (const account of memberAccounts) {
      const ids = account.identifiers;
      for (const kind of IdentifierKindSchema.options) {
        for (const hash of ids[kind]) {
          const key = identifierKey(kind, hash);
          if (seen.has(key)) continue;
          seen.add(key);
          const record = identifiers.get(kind, hash) as IdentifierRecord;
          if (record.is_hub) continue;
          const inRing = record.account_ids.filter((id) => memberSet.has(id)).length;
          if (inRing < 2) continue;
          tying.push({ kind, hash, accounts: inRing });
          strength = Math.max(strength, config.link_weight[kind]);
        }
      }
    }
    cores.push({ members, identifiers: tying.sort((a, b) => b.accounts - a.accounts), strength, template_share: templateShare(memberAccounts) });
    for (const account of memberAccounts) byId.set(account.account_id, account);
  }
  const judgement = options.judgement ?? defaultRingJudgement(accounts);
  const judged = judgeGroups(cores, (id) => byId.get(id) as AccountIdentity, judgement, options.anomalyOf ?? (() => null));
  return { config, hashKey, identifiers, ...judged, judgement, flagged: options.flagged ?? new Set() };
}

/** The same index with the accounts flagged at training time recorded (evidence for accounts linked to them). */
export function withFlaggedAccounts(index: IdentityIndex, flagged: ReadonlySet<string>): IdentityIndex {
  return { ...index, flagged };
}
