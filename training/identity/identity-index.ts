// The identity index: which accounts use each (keyed-hashed) bank hash, device and IP, and the rings they form.
// Serialisable, and answers "who does this account link to?" for a new account without rebuilding the graph.
import { z } from 'zod';
import { linesToBytes } from '../../data/csv-writer.js';
import { inCanonicalOrder } from '../../data/event-order.js';
import type { AccountEvents } from '../../data/tables.js';
import { FINGERPRINT_PATTERN, secretFingerprint } from '../../models/secret-fingerprint.js';
import { type IdentifierKind, IdentifierKindSchema } from '../scoring/risk-assessment.js';
import { hmacSha256Hex } from './hmac-sha256.js';
import { type IdentifierTable, IdentifierTableBuilder, parseIdentifierLine } from './identifier-table.js';
import { type MemberProfile, memberProfile } from './member-profile.js';
import { RingScoreContextSchema, RingVerdictSchema } from './ring-score.js';

export { type IdentifierRecord, IdentifierRecordSchema } from './identifier-table.js';

export const IdentityConfigSchema = z
  .strictObject({
    hub_cap: z
      .strictObject({
        bank: z.number().int().min(2).default(20),
        // 16, not 8: rings that pass 9+ devices round made every device a hub at 8 and formed no candidate group (issue 18,
        // development seed 2001: ring recall 83% → 100% scoring agency-heavy); a group is judged by its ring score, not trusted
        device: z.number().int().min(2).default(16),
        ip: z.number().int().min(2).default(6),
      })
      .prefault({})
      .describe('an identifier used by more accounts than this is a hub (campus, carrier NAT, VPN exit) and links nobody'),
    link_weight: z
      .strictObject({
        bank: z.number().min(0).max(1).default(1),
        device: z.number().min(0).max(1).default(0.7),
        ip: z.number().min(0).max(1).default(0.3),
      })
      .prefault({})
      .describe('strength of the evidence one shared identifier of each kind carries'),
    min_shared_ips: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe('IPs are weak evidence: two accounts link through IPs only when they share at least this many non-hub IPs'),
  })
  .prefault({});
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;

/** What every candidate group records: its members, what ties them, and the verdict of the ring scorer. */
const CandidateGroupShape = {
  members: z.array(z.string()),
  identifiers: z
    .array(z.object({ kind: IdentifierKindSchema, hash: z.string(), accounts: z.number().int() }))
    .describe('the identifiers that tie the group'),
  strength: z.number().min(0).max(1).describe('weight of the strongest kind of link inside the group'),
  template_share: z.number().min(0).max(1).describe('share of member pairs whose typical proposal texts are near-duplicates (one operator)'),
  ...RingVerdictSchema.shape,
};

/** A candidate group whose ring score reaches the policy's ring threshold. */
export const RingRecordSchema = z.object({ ring_id: z.string(), ...CandidateGroupShape });
export type RingRecord = z.infer<typeof RingRecordSchema>;

/** A candidate group below the ring threshold: kept for analysts (groups.csv), never called a ring. */
export const GroupRecordSchema = z.object({ group_id: z.string(), ...CandidateGroupShape, not_ring_because: z.string() });
export type GroupRecord = z.infer<typeof GroupRecordSchema>;

/** How candidate groups are judged: stored with the index so that every caller (training, serving, live) judges alike. */
export const RingJudgementSchema = z.object({
  context: RingScoreContextSchema,
  ring_above: z.number().min(0).max(100).describe('policy.ring_above: a candidate group whose ring score reaches this is a ring'),
});
export type RingJudgement = z.infer<typeof RingJudgementSchema>;

export interface IdentityIndex {
  readonly config: IdentityConfig;
  /** HMAC key of the identifier hashes: the deployment's secret, held in memory only (a model records its fingerprint) */
  readonly hashKey: string;
  readonly identifiers: IdentifierTable;
  readonly rings: ReadonlyMap<string, RingRecord>;
  readonly ringOfAccount: ReadonlyMap<string, string>;
  /** candidate groups below the ring threshold */
  readonly groups: ReadonlyMap<string, GroupRecord>;
  /** every member of a candidate group → its ring id or group id */
  readonly groupOfAccount: ReadonlyMap<string, string>;
  readonly judgement: RingJudgement;
  /** accounts flagged (FLAG_FOR_REVIEW or higher) when the model was trained */
  readonly flagged: ReadonlySet<string>;
}

/**
 * Keyed hash of one identifier: the only form identifiers take inside a model. The first 12 bytes (24 hex digits) of
 * HMAC-SHA256(hashKey, "kind:value"), computed by hmac-sha256.ts (createHmac's value at a fraction of its cost).
 */
export function hashIdentifier(hashKey: string, kind: IdentifierKind, value: string): string {
  return hmacSha256Hex(hashKey, `${kind}:${value}`, 12);
}

const keyOf = (kind: IdentifierKind, hash: string) => `${kind}:${hash}`;

/** The account's distinct identifiers per kind, hashed; each kind in the order its events list them first. */
export function accountIdentifiers(account: AccountEvents, hashKey: string): Record<IdentifierKind, string[]> {
  const banks = new Set<string>();
  for (const payout of account.payouts) banks.add(payout.bank_hash);
  const devices = new Set<string>();
  const ips = new Set<string>();
  let previous: (typeof account.logins)[number] | undefined;
  // consecutive logins mostly repeat their device and IP, which are in the sets already
  for (const login of account.logins) {
    if (previous === undefined || login.device_id !== previous.device_id) devices.add(login.device_id);
    if (previous === undefined || login.ip !== previous.ip) ips.add(login.ip);
    previous = login;
  }
  return { bank: hashedAll(banks, hashKey, 'bank'), device: hashedAll(devices, hashKey, 'device'), ip: hashedAll(ips, hashKey, 'ip') };
}

/** Each value hashed, in the set's order (Array.from(values, hash) without its iterator protocol per value). */
function hashedAll(values: ReadonlySet<string>, hashKey: string, kind: IdentifierKind): string[] {
  const hashes: string[] = [];
  for (const value of values) hashes.push(hashIdentifier(hashKey, kind, value));
  return hashes;
}

/** What the identity graph needs of one account: its hashed identifiers, most typical proposal text and group profile. */
export interface AccountIdentity {
  readonly account_id: string;
  readonly identifiers: Record<IdentifierKind, string[]>;
  /** the middle one of its proposals in time order (template evidence for rings), or null without proposals */
  readonly typicalProposalText: string | null;
  /** what judging its group needs of its own events (ring-score.ts) */
  readonly profile: MemberProfile;
}

export function accountIdentity(account: AccountEvents, hashKey: string): AccountIdentity {
  return identityWith(account, inCanonicalOrder(account).proposals, hashKey);
}

/** accountIdentity of an account already in canonical order (inCanonicalOrder's result): its order is not checked again. */
export function orderedAccountIdentity(ordered: AccountEvents, hashKey: string): AccountIdentity {
  return identityWith(ordered, ordered.proposals, hashKey);
}

/** `proposalsInOrder` being the account's proposals in canonical order */
function identityWith(account: AccountEvents, proposalsInOrder: AccountEvents['proposals'], hashKey: string): AccountIdentity {
  const middle = proposalsInOrder[Math.floor(proposalsInOrder.length / 2)];
  const typicalProposalText = middle ? middle.text : null;
  return {
    account_id: account.account_id,
    identifiers: accountIdentifiers(account, hashKey),
    typicalProposalText,
    profile: memberProfile(account, typicalProposalText),
  };
}

export interface AccountLinks {
  /** linked accounts with the kinds of identifier shared */
  readonly linked: Map<string, Set<IdentifierKind>>;
  readonly maxSharedBank: number;
  readonly maxSharedDevice: number;
  readonly ipLinkedAccounts: number;
  /** every identifier of the account that some other known account uses too */
  readonly shared: { kind: IdentifierKind; hash: string; accounts: number; isHub: boolean }[];
}

/**
 * The known accounts one account links to, by the same rule the graph was built with: a shared non-hub bank hash
 * or device links; IPs link only when at least `min_shared_ips` non-hub IPs are shared. `selfId` is excluded.
 */
export function findAccountLinks(index: IdentityIndex, selfId: string, identifiers: Record<IdentifierKind, string[]>): AccountLinks {
  const linked = new Map<string, Set<IdentifierKind>>();
  const shared: AccountLinks['shared'] = [];
  const maxOthers: Record<IdentifierKind, number> = { bank: 0, device: 0, ip: 0 };
  const ipCounts = new Map<string, number>();
  for (const kind of IdentifierKindSchema.options) {
    for (const hash of identifiers[kind]) {
      const record = index.identifiers.get(kind, hash);
      if (!record) continue;
      const others = record.account_count - (record.account_ids.includes(selfId) ? 1 : 0);
      if (others <= 0) continue;
      shared.push({ kind, hash, accounts: others, isHub: record.is_hub });
      if (record.is_hub) continue;
      maxOthers[kind] = Math.max(maxOthers[kind], others);
      for (const other of record.account_ids) {
        if (other === selfId) continue;
        if (kind === 'ip') {
          ipCounts.set(other, (ipCounts.get(other) ?? 0) + 1);
          continue;
        }
        let kinds = linked.get(other);
        if (!kinds) linked.set(other, (kinds = new Set()));
        kinds.add(kind);
      }
    }
  }
  let ipLinked = 0;
  for (const [other, count] of ipCounts) {
    if (count < index.config.min_shared_ips) continue;
    ipLinked++;
    let kinds = linked.get(other);
    if (!kinds) linked.set(other, (kinds = new Set()));
    kinds.add('ip');
  }
  return { linked, maxSharedBank: maxOthers.bank, maxSharedDevice: maxOthers.device, ipLinkedAccounts: ipLinked, shared };
}

/**
 * Size of the candidate group the account belongs to or would join: its linked accounts' groups plus itself (0 when
 * unlinked), and the rings among those groups.
 */
export function ringSizeOf(index: IdentityIndex, selfId: string, links: AccountLinks): { size: number; ringIds: string[] } {
  if (links.linked.size === 0) return { size: 0, ringIds: [] };
  const members = new Set<string>();
  const ringIds = new Set<string>();
  for (const other of links.linked.keys()) {
    const groupId = index.groupOfAccount.get(other);
    const record = groupId === undefined ? undefined : (index.rings.get(groupId) ?? index.groups.get(groupId));
    if (!record) {
      members.add(other);
      continue;
    }
    if (index.rings.has(groupId as string)) ringIds.add(groupId as string);
    for (const member of record.members) members.add(member);
  }
  members.add(selfId);
  return { size: members.size, ringIds: [...ringIds].sort() };
}

/** The index as JSONL lines (identifier records) for the model directory; millions of them, so bytes, not a string. */
export function identityIndexToJsonl(index: IdentityIndex): Uint8Array {
  return linesToBytes(
    (function* () {
      for (const record of index.identifiers.records()) yield `${JSON.stringify(record)}\n`;
    })(),
  );
}

export const IdentityIndexMetaSchema = z.object({
  kind: z.literal('identity-index'),
  format_version: z.literal(2),
  config: IdentityConfigSchema,
  key_fingerprint: z
    .string()
    .regex(FINGERPRINT_PATTERN)
    .describe("fingerprint of the deployment's hashing secret (models/secret-fingerprint.ts); the secret itself is never stored"),
  rings: z.array(RingRecordSchema),
  groups: z.array(GroupRecordSchema),
  judgement: RingJudgementSchema,
  flagged: z.array(z.string()),
});
export type IdentityIndexMeta = z.infer<typeof IdentityIndexMetaSchema>;

/**
 * The meta data of versions written before the secret left the model: format 1 stored the HMAC key itself
 * (`hash_key`). Recognised only to be refused with a reason (model-files.ts), never read.
 */
export const KeyHoldingIdentityMetaSchema = z.looseObject({ kind: z.literal('identity-index'), format_version: z.literal(1), hash_key: z.string() });

export function identityIndexMeta(index: IdentityIndex): IdentityIndexMeta {
  return {
    kind: 'identity-index',
    format_version: 2,
    config: index.config,
    key_fingerprint: secretFingerprint(index.hashKey),
    rings: [...index.rings.values()],
    groups: [...index.groups.values()],
    judgement: index.judgement,
    flagged: [...index.flagged].sort(),
  };
}

/**
 * Rebuilds the index from its saved meta data and JSONL bytes, decoded line by line (the file can be larger than the
 * longest string V8 makes); each line is validated. `hashKey` is the deployment's secret, whose fingerprint the
 * caller has checked against `meta.key_fingerprint`.
 */
export function restoreIdentityIndex(meta: IdentityIndexMeta, jsonl: Uint8Array, hashKey: string): IdentityIndex {
  const bytes = Buffer.from(jsonl.buffer, jsonl.byteOffset, jsonl.byteLength);
  let lines = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++;
  const identifiers = new IdentifierTableBuilder(lines + 1);
  let lineNumber = 0;
  for (let start = 0; start < bytes.length;) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    lineNumber++;
    const lineStart = start;
    start = end + 1;
    // most lines are read straight from the bytes; any other spelling, and a duplicate (to be named), as a string
    if (identifiers.addWrittenLine(bytes, lineStart, end) === 'ok') continue;
    const line = bytes.toString('utf8', lineStart, end);
    if (line.trim() === '') continue;
    const record = parseIdentifierLine(line);
    if (typeof record === 'string') throw new Error(`identity-index.jsonl line ${lineNumber}: ${record}`);
    if (identifiers.add(record) === 'duplicate')
      throw new Error(`identity-index.jsonl line ${lineNumber}: ${record.kind} ${record.hash} is listed twice`);
  }
  return {
    config: meta.config,
    hashKey,
    identifiers: identifiers.build(),
    ...groupMaps(meta.rings, meta.groups),
    judgement: meta.judgement,
    flagged: new Set(meta.flagged),
  };
}

/** The index's maps of rings and groups, by id and by member. */
export function groupMaps(
  rings: readonly RingRecord[],
  groups: readonly GroupRecord[],
): Pick<IdentityIndex, 'rings' | 'ringOfAccount' | 'groups' | 'groupOfAccount'> {
  const ringOfAccount = new Map<string, string>();
  const groupOfAccount = new Map<string, string>();
  for (const ring of rings) {
    for (const member of ring.members) {
      ringOfAccount.set(member, ring.ring_id);
      groupOfAccount.set(member, ring.ring_id);
    }
  }
  for (const group of groups) for (const member of group.members) groupOfAccount.set(member, group.group_id);
  return { rings: new Map(rings.map((r) => [r.ring_id, r])), ringOfAccount, groups: new Map(groups.map((g) => [g.group_id, g])), groupOfAccount };
}

export { keyOf as identifierKey };
