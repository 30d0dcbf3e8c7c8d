// Ring score of a candidate group: coordination against signs of an honest group, from the members' profiles alone.
//
// A connected component of shared identifiers is not a verdict: agencies share a bank and an office, households a
// laptop, a re-opened account its owner's old device. What a crew cannot easily hide is coordination: accounts made
// together, used in the same hours, sending one template at one bid level, banks added together, devices passed
// round, logins from one foreign country, members the detectors find unusual. Honest groups show the opposite:
// long-lived accounts created over a long time, independent histories, one office in one country. Each evidence
// item is a strength 0-1 with a weight; the score is a logistic of their sum. The function is pure (members in any
// order give the same verdict), so a live identity state can re-judge a group as members arrive.
import { z } from 'zod';
import { IdentifierKindSchema } from '../scoring/risk-assessment.js';
import { NEAR_DUPLICATE_SIMILARITY, signatureSimilarity } from '../features/text-signature.js';
import { MemberProfileSchema } from './member-profile.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** One member as the ring scorer sees it: hashed identifiers, its profile and its anomaly score when known. */
export const GroupMemberSchema = z.object({
  account_id: z.string(),
  identifiers: z.record(IdentifierKindSchema, z.array(z.string())),
  profile: MemberProfileSchema,
  anomaly: z.number().min(0).max(100).nullable().describe("the detectors' combined anomaly score 0-100, null when not scored yet"),
});
export type GroupMember = z.infer<typeof GroupMemberSchema>;

/** What the scorer needs besides the members: stored with the model so every caller judges alike. */
export const RingScoreContextSchema = z.object({
  as_of: z.number().describe('reference time of account age (epoch ms): the end of the training data'),
  unusual_above: z.number().min(0).max(100).default(60).describe('a member whose anomaly score is at least this counts as unusual'),
  typical_bid_spread: z
    .number()
    .positive()
    .default(0.35)
    .describe("median absolute deviation of log(median bid / budget) over the training accounts: how much strangers' bid levels differ"),
});
export type RingScoreContext = z.infer<typeof RingScoreContextSchema>;

export const COORDINATION_EVIDENCE = [
  'created-together',
  'active-together',
  'shared-template',
  'same-bid-level',
  'unusual-members',
  'new-shared-bank',
  'device-rotation',
  'foreign-login-country',
] as const;
export const HONEST_SIGNS = ['long-lived-accounts', 'creation-spread', 'independent-histories', 'stable-office'] as const;
export const CoordinationEvidenceSchema = z.enum(COORDINATION_EVIDENCE);
export const HonestSignSchema = z.enum(HONEST_SIGNS);
export type CoordinationEvidence = z.infer<typeof CoordinationEvidenceSchema>;
export type HonestSign = z.infer<typeof HonestSignSchema>;

// Chosen on development worlds (bench/world-robustness.bench.ts, seeds 2001-2003), never on reported seeds.
const WEIGHTS: Record<CoordinationEvidence | HonestSign, number> = {
  'created-together': 2,
  'active-together': 3,
  'shared-template': 1.5,
  'same-bid-level': 1.5,
  'unusual-members': 3,
  'new-shared-bank': 2,
  'device-rotation': 2.5,
  'foreign-login-country': 2,
  'long-lived-accounts': 2,
  'creation-spread': 1.5,
  'independent-histories': 1.5,
  'stable-office': 2.5,
};
const BIAS = -3;
/** policy.ring_above by default: a candidate group is a ring from this ring score on */
export const DEFAULT_RING_ABOVE = 50;
/** an evidence item of at least this strength is one the verdict rests on (or an honest sign it weighed) */
const LISTED_STRENGTH = 0.5;
const CREATION_WINDOW_MS = 7 * DAY_MS;
const BANK_TOGETHER_MS = 3 * DAY_MS;
const LONG_LIVED_MS = 180 * DAY_MS;
const CREATION_SPREAD_FULL_MS = 180 * DAY_MS;
const MAX_PAIRS = 300;

export const RingEvidenceItemSchema = z.object({
  code: z.union([CoordinationEvidenceSchema, HonestSignSchema]),
  side: z.enum(['coordination', 'honest']),
  strength: z.number().min(0).max(1),
  detail: z.string().describe('one readable sentence about the group'),
});
export type RingEvidenceItem = z.infer<typeof RingEvidenceItemSchema>;

export const RingVerdictSchema = z.object({
  ring_score: z.number().min(0).max(100).describe('0-100: how strongly the group looks coordinated rather than honest'),
  rests_on: z.array(CoordinationEvidenceSchema).describe('the kinds of coordination evidence the score rests on (strength >= 0.5)'),
  honest_signs: z.array(HonestSignSchema).describe('signs of an honest group that weighed against it (strength >= 0.5)'),
  evidence: z.array(RingEvidenceItemSchema).describe('every item with some strength, strongest effect first'),
});
export type RingVerdict = z.infer<typeof RingVerdictSchema>;

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** Member pairs to compare: all of them, or an evenly spread fixed subset of a large group. */
function memberPairs(n: number): [number, number][] {
  const pairs: [number, number][] = [];
  const total = (n * (n - 1)) / 2;
  const step = total > MAX_PAIRS ? total / MAX_PAIRS : 1;
  let k = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      if (k < next) continue;
      pairs.push([i, j]);
      next += step;
    }
  }
  return pairs;
}

function createdTogether(members: readonly GroupMember[]): RingEvidenceItem {
  const times = members.map((m) => m.profile.created_at).sort((a, b) => a - b);
  let best = 1;
  for (let i = 0, j = 0; j < times.length; j++) {
    while ((times[j] as number) - (times[i] as number) > CREATION_WINDOW_MS) i++;
    best = Math.max(best, j - i + 1);
  }
  const strength = best < 2 ? 0 : best / members.length;
  return {
    code: 'created-together',
    side: 'coordination',
    strength,
    detail: `${best} of ${members.length} accounts were created within 7 days of each other`,
  };
}

/** Pairs whose shared active hours go beyond chance, from the MinHash of each member's active hours. */
function activityPairs(
  members: readonly GroupMember[],
  pairs: readonly [number, number][],
): { together: number; independent: number; measured: number } {
  let together = 0;
  let independent = 0;
  let measured = 0;
  for (const [i, j] of pairs) {
    const a = (members[i] as GroupMember).profile;
    const b = (members[j] as GroupMember).profile;
    if (!a.activity_signature || !b.activity_signature || a.active_hours < 3 || b.active_hours < 3) continue;
    const from = Math.max(a.first_active as number, b.first_active as number);
    const to = Math.min(a.last_active as number, b.last_active as number);
    if (to - from < DAY_MS) continue;
    measured++;
    const jaccard = signatureSimilarity(Uint32Array.from(a.activity_signature), Uint32Array.from(b.activity_signature));
    // hours both would share by chance if each spread its active hours evenly over its own active span
    const spanA = Math.max(1, ((a.last_active as number) - (a.first_active as number)) / HOUR_MS);
    const spanB = Math.max(1, ((b.last_active as number) - (b.first_active as number)) / HOUR_MS);
    const overlapHours = (to - from) / HOUR_MS;
    const chance = (((a.active_hours * overlapHours) / spanA) * ((b.active_hours * overlapHours) / spanB)) / Math.max(1, overlapHours);
    const chanceJaccard = chance / Math.max(1, a.active_hours + b.active_hours - chance);
    const excess = jaccard - chanceJaccard;
    if (excess >= 0.15) together++;
    else if (excess <= 0.05) independent++;
  }
  return { together, independent, measured };
}

function sharedTemplate(members: readonly GroupMember[], pairs: readonly [number, number][]): RingEvidenceItem {
  let compared = 0;
  let similar = 0;
  for (const [i, j] of pairs) {
    const a = (members[i] as GroupMember).profile.template_signature;
    const b = (members[j] as GroupMember).profile.template_signature;
    if (!a || !b) continue;
    compared++;
    if (signatureSimilarity(Uint32Array.from(a), Uint32Array.from(b)) >= NEAR_DUPLICATE_SIMILARITY) similar++;
  }
  const strength = compared === 0 ? 0 : similar / compared;
  return { code: 'shared-template', side: 'coordination', strength, detail: `${pct(strength)} of member pairs send near-identical proposal texts` };
}

function sameBidLevel(members: readonly GroupMember[], context: RingScoreContext): RingEvidenceItem {
  const logs = members.flatMap((m) =>
    m.profile.proposals >= 3 && m.profile.bid_ratio_median !== null && m.profile.bid_ratio_median > 0 ? [Math.log(m.profile.bid_ratio_median)] : [],
  );
  if (logs.length < 2)
    return { code: 'same-bid-level', side: 'coordination', strength: 0, detail: 'too few members with proposals to compare bid levels' };
  const sorted = [...logs].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] as number;
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  const spread = deviations[deviations.length >> 1] as number;
  const strength = clamp01(1 - spread / context.typical_bid_spread) * (logs.length / members.length);
  return {
    code: 'same-bid-level',
    side: 'coordination',
    strength,
    detail: `${logs.length} members bid at one level (median ${Math.exp(median).toFixed(2)} of the budget, spread ${pct(spread)})`,
  };
}

function unusualMembers(members: readonly GroupMember[], context: RingScoreContext): RingEvidenceItem | null {
  const scored = members.filter((m) => m.anomaly !== null);
  if (scored.length === 0) return null;
  const unusual = scored.filter((m) => (m.anomaly as number) >= context.unusual_above).length;
  return {
    code: 'unusual-members',
    side: 'coordination',
    strength: unusual / members.length,
    detail: `the detectors find ${unusual} of ${members.length} members unusual`,
  };
}

/** The most members that got one bank account shared in the group within a few days of each other. */
function newSharedBank(members: readonly GroupMember[]): RingEvidenceItem {
  const additions = new Map<string, number[]>();
  for (const m of members) {
    m.identifiers.bank?.forEach((hash, k) => {
      const at = m.profile.bank_added_at[k];
      if (at === undefined) return;
      let list = additions.get(hash);
      if (!list) additions.set(hash, (list = []));
      list.push(at);
    });
  }
  let best = 0;
  for (const times of additions.values()) {
    if (times.length < 2) continue;
    times.sort((a, b) => a - b);
    for (let i = 0, j = 0; j < times.length; j++) {
      while ((times[j] as number) - (times[i] as number) > BANK_TOGETHER_MS) i++;
      best = Math.max(best, j - i + 1);
    }
  }
  const strength = best < 2 ? 0 : best / members.length;
  return {
    code: 'new-shared-bank',
    side: 'coordination',
    strength,
    detail: `${best} of ${members.length} members had one bank account added within 3 days of each other`,
  };
}

function deviceRotation(members: readonly GroupMember[]): RingEvidenceItem {
  const holders = new Map<string, number>();
  for (const m of members) for (const device of m.identifiers.device ?? []) holders.set(device, (holders.get(device) ?? 0) + 1);
  const rotating = members.filter((m) => (m.identifiers.device ?? []).filter((d) => (holders.get(d) ?? 0) >= 2).length >= 2).length;
  return {
    code: 'device-rotation',
    side: 'coordination',
    strength: rotating / members.length,
    detail: `${rotating} of ${members.length} members log in from two or more devices other members also use`,
  };
}

function foreignLoginCountry(members: readonly GroupMember[]): RingEvidenceItem {
  const declared = new Set(members.map((m) => m.profile.country));
  const counts = new Map<string, number>();
  for (const m of members)
    for (const country of m.profile.foreign_login_countries) if (!declared.has(country)) counts.set(country, (counts.get(country) ?? 0) + 1);
  const [country, count] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['', 0];
  const strength = count < 2 ? 0 : count / members.length;
  return {
    code: 'foreign-login-country',
    side: 'coordination',
    strength,
    detail:
      count < 2
        ? 'no foreign login country common to members'
        : `${count} of ${members.length} members log in from ${country}, a country none of them declared`,
  };
}

function longLived(members: readonly GroupMember[], context: RingScoreContext): RingEvidenceItem {
  const old = members.filter((m) => context.as_of - m.profile.created_at >= LONG_LIVED_MS).length;
  return {
    code: 'long-lived-accounts',
    side: 'honest',
    strength: old / members.length,
    detail: `${old} of ${members.length} accounts are more than 180 days old`,
  };
}

function creationSpread(members: readonly GroupMember[]): RingEvidenceItem {
  const times = members.map((m) => m.profile.created_at).sort((a, b) => a - b);
  const lo = times[Math.floor(0.1 * (times.length - 1))] as number;
  const hi = times[Math.ceil(0.9 * (times.length - 1))] as number;
  const strength = clamp01((hi - lo) / CREATION_SPREAD_FULL_MS);
  return { code: 'creation-spread', side: 'honest', strength, detail: `the accounts were created over ${Math.round((hi - lo) / DAY_MS)} days` };
}

/** One IP most members use, all of them logging in from the one country they declared. */
function stableOffice(members: readonly GroupMember[]): RingEvidenceItem {
  const holders = new Map<string, number>();
  for (const m of members) for (const ip of m.identifiers.ip ?? []) holders.set(ip, (holders.get(ip) ?? 0) + 1);
  const widest = Math.max(0, ...holders.values());
  const countries = new Set(members.map((m) => m.profile.country));
  const home = members.filter((m) => m.profile.foreign_login_share === 0).length;
  const strength = countries.size === 1 && widest >= 2 ? Math.min(widest, home) / members.length : 0;
  return {
    code: 'stable-office',
    side: 'honest',
    strength,
    detail: `${widest} of ${members.length} members share one IP, ${home} never log in outside ${[...countries].join('/')}`,
  };
}

/** Strength of each item, weighed: coordination adds, honest signs subtract. */
function effect(item: RingEvidenceItem): number {
  return (item.side === 'coordination' ? 1 : -1) * WEIGHTS[item.code] * item.strength;
}

/** The ring score of a candidate group of two or more members, and what it rests on. */
export function scoreCandidateGroup(members: readonly GroupMember[], contextInput: z.input<typeof RingScoreContextSchema>): RingVerdict {
  if (members.length < 2) throw new RangeError(`a candidate group has at least two members; got ${members.length}`);
  const context = RingScoreContextSchema.parse(contextInput);
  // a fixed member order, so the verdict does not depend on the order members arrived in
  const ordered = [...members].sort((a, b) => (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0));
  const pairs = memberPairs(ordered.length);
  const activity = activityPairs(ordered, pairs);
  const items: RingEvidenceItem[] = [
    createdTogether(ordered),
    {
      code: 'active-together',
      side: 'coordination',
      strength: activity.measured === 0 ? 0 : activity.together / activity.measured,
      detail: `${activity.together} of ${activity.measured} member pairs active in the same hours far beyond chance`,
    },
    sharedTemplate(ordered, pairs),
    sameBidLevel(ordered, context),
    ...[unusualMembers(ordered, context)].filter((item) => item !== null),
    newSharedBank(ordered),
    deviceRotation(ordered),
    foreignLoginCountry(ordered),
    longLived(ordered, context),
    creationSpread(ordered),
    {
      code: 'independent-histories',
      side: 'honest',
      strength: activity.measured === 0 ? 0 : activity.independent / activity.measured,
      detail: `${activity.independent} of ${activity.measured} member pairs active in hours of their own`,
    },
    stableOffice(ordered),
  ];
  const z_ = BIAS + items.reduce((sum, item) => sum + effect(item), 0);
  const ringScore = 100 / (1 + Math.exp(-z_));
  const listed = items.filter((item) => item.strength >= LISTED_STRENGTH);
  return {
    ring_score: Number(ringScore.toFixed(2)),
    rests_on: listed.filter((i) => i.side === 'coordination').map((i) => i.code as CoordinationEvidence),
    honest_signs: listed.filter((i) => i.side === 'honest').map((i) => i.code as HonestSign),
    evidence: items
      .filter((item) => item.strength > 0)
      .map((item) => ({ ...item, strength: Number(item.strength.toFixed(3)) }))
      .sort((a, b) => Math.abs(effect(b)) - Math.abs(effect(a)) || a.code.localeCompare(b.code)),
  };
}

/** Why a group below the ring threshold is not a ring, in one sentence for analysts. */
export function notRingReason(verdict: RingVerdict, ringAbove: number): string {
  const honest = verdict.evidence.filter((e) => e.side === 'honest' && e.strength >= LISTED_STRENGTH).map((e) => e.detail);
  const coordination = verdict.rests_on.length > 0 ? `coordination (${verdict.rests_on.join(', ')}) ` : 'no strong coordination evidence, ';
  return `ring score ${verdict.ring_score.toFixed(1)} is below ${ringAbove}: ${coordination}${honest.length > 0 ? `against signs of an honest group: ${honest.join('; ')}` : 'and shared identifiers alone do not make a ring'}`;
}

/** The ring-level reasons of a verdict: the coordination it rests on, then the honest signs weighed against it. */
export function ringReasons(verdict: RingVerdict): string[] {
  return verdict.evidence.filter((e) => e.strength >= LISTED_STRENGTH).map((e) => `${e.side === 'honest' ? 'against: ' : ''}${e.detail}`);
}
