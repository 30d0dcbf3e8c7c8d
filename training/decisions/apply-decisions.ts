// Analyst decisions applied to one assessment at scoring time, with no retraining; pure.
//
// - an allow-listed account is MONITOR, a block-listed or confirmed-fraud account BLOCK_ACCOUNT, with the decision as reason;
// - an account linked (by the identity graph's own rule: a bank hash, a device, or enough IPs) to a confirmed-fraud
//   account, or using a block-listed identifier, gains decision evidence and a reason naming the decision;
// - ring evidence that rests only on members of groups judged benign is dropped: their shared identifiers are no
//   longer evidence of a ring.
import type { AccountLinks } from '../identity/identity-index.js';
import type { IdentifierKind, Reason, RiskAssessment } from '../scoring/risk-assessment.js';
import { actionForScore, type RiskPolicy } from '../scoring/risk-policy.js';
import { combineEvidence } from '../scoring/rules.js';
import type { StoredDecision } from './decision-store.js';
import { type DecisionView, describeDecision, identifierKey } from './decision-view.js';
import { roundToDecimals } from '../scoring/round-decimals.js';

/** How strongly one link to a confirmed-fraud account speaks, by what is shared (as the identity config weighs links). */
const LINK_TO_FRAUD: Record<IdentifierKind, number> = { bank: 0.9, device: 0.8, ip: 0.5 };
/** A block-listed identifier: an analyst named this very identifier. */
const BLOCKED_IDENTIFIER = 0.9;
const MAX_DECISION_REASONS = 3;

export interface DecisionContext {
  readonly view: DecisionView;
  /** the account's links in the state it was scored against */
  readonly links: AccountLinks;
  /** its keyed identifier hashes */
  readonly identifiers: Record<IdentifierKind, readonly string[]>;
  readonly policy: RiskPolicy;
  /** the ring (id) of a known account, if any */
  ringOfAccount(accountId: string): string | undefined;
  /** the same account scored without ring evidence */
  withoutRingEvidence(): RiskAssessment;
}

interface DecisionEvidence {
  readonly strength: number;
  readonly reason: Omit<Reason, 'contribution'>;
}

function decisionReason(code: string, name: string, value: string | number, detail: string): Omit<Reason, 'contribution'> {
  return { code, kind: 'decision', name, value, typical: null, unit: null, detail };
}

/** `assessment` with `extra` reasons put first, carrying `share` of the evidence; the others keep the rest. */
function withReasonsFirst(assessment: RiskAssessment, extra: readonly Omit<Reason, 'contribution'>[], share: number): Reason[] {
  const each = extra.length ? share / extra.length : 0;
  return [
    ...extra.map((r) => ({ ...r, contribution: roundToDecimals(each, 4) })),
    ...assessment.reasons.map((r) => ({ ...r, contribution: roundToDecimals(r.contribution * (1 - share), 4) })),
  ];
}

const withDecisionsKind = (kinds: RiskAssessment['evidence']) => (kinds.includes('decisions') ? kinds : [...kinds, 'decisions' as const]);

/** The account's own decision, if any: allow list first (the analyst cleared it), then block list, then confirmed fraud. */
function ownDecision(assessment: RiskAssessment, view: DecisionView): RiskAssessment | null {
  const id = assessment.account_id;
  const allowed = view.allowedAccounts.get(id);
  if (allowed) {
    const reason = decisionReason('decision-allow-list', 'allow_list', id, `allow-listed: ${describeDecision(allowed)}`);
    return { ...assessment, action: 'MONITOR', reasons: withReasonsFirst(assessment, [reason], 1) };
  }
  const blocked = view.blockedAccounts.get(id);
  const fraud = view.confirmedFraud.get(id);
  const decided = blocked ?? fraud;
  if (!decided) return null;
  const reason = blocked
    ? decisionReason('decision-block-list', 'block_list', id, `block-listed: ${describeDecision(blocked)}`)
    : decisionReason('decision-confirmed-fraud', 'confirmed_fraud', id, `confirmed fraud: ${describeDecision(decided)}`);
  return {
    ...assessment,
    risk_score: 100,
    action: 'BLOCK_ACCOUNT',
    evidence: withDecisionsKind(assessment.evidence),
    reasons: withReasonsFirst(assessment, [reason], 1 - assessment.risk_score / 100),
  };
}

/** Ring evidence resting only on members of benign groups is dropped (the account is rescored without it). */
function withoutBenignRings(assessment: RiskAssessment, context: DecisionContext): RiskAssessment {
  const { view, links } = context;
  if (view.benign.size === 0 || !assessment.evidence.includes('ring')) return assessment;
  const ringLinked = [...links.linked.keys()].filter((other) => context.ringOfAccount(other) !== undefined);
  if (ringLinked.length === 0 || !ringLinked.every((other) => view.benign.has(other))) return assessment;
  const decisions = [...new Set(ringLinked.map((other) => view.benign.get(other) as StoredDecision))];
  const rescored = context.withoutRingEvidence();
  const reasons = decisions
    .slice(0, MAX_DECISION_REASONS)
    .map((d) =>
      decisionReason(
        'decision-benign-group',
        'benign_group',
        d.decision.type === 'group' ? d.decision.group_id : d.id,
        `the identifiers it shares are those of a group judged benign${d.decision.type === 'group' && d.decision.kind ? ` (${d.decision.kind})` : ''}, no ring evidence: ${describeDecision(d)}`,
      ),
    );
  // the dropped ring evidence is what these reasons explain: they carry no share of the remaining score
  return { ...rescored, reasons: [...rescored.reasons, ...reasons.map((r) => ({ ...r, contribution: 0 }))] };
}

/** Evidence from confirmed-fraud accounts the account links to and from block-listed identifiers it uses. */
function fraudLinkEvidence(context: DecisionContext): DecisionEvidence[] {
  const { view, links, identifiers } = context;
  const found: DecisionEvidence[] = [];
  for (const [other, kinds] of links.linked) {
    const decided = view.confirmedFraud.get(other) ?? view.blockedAccounts.get(other);
    if (!decided) continue;
    const via = [...kinds].sort((a, b) => LINK_TO_FRAUD[b] - LINK_TO_FRAUD[a]);
    const strength = LINK_TO_FRAUD[via[0] as IdentifierKind];
    const detail = `shares ${via.join(' and ')} with account ${other}, confirmed fraud: ${describeDecision(decided)}`;
    found.push({ strength, reason: decisionReason('decision-linked-to-fraud', `shared_${via[0]}`, other, detail) });
  }
  for (const kind of Object.keys(identifiers) as IdentifierKind[]) {
    for (const hash of identifiers[kind]) {
      const decided = view.blockedIdentifiers.get(identifierKey(kind, hash));
      if (!decided) continue;
      const detail = `uses a block-listed ${kind} (${hash.slice(0, 10)}…): ${describeDecision(decided)}`;
      found.push({
        strength: BLOCKED_IDENTIFIER,
        reason: decisionReason('decision-blocked-identifier', `blocked_${kind}`, hash.slice(0, 10), detail),
      });
    }
  }
  return found.sort((a, b) => b.strength - a.strength);
}

/** `assessment` with the decisions that bear on it applied (unchanged when none does). */
export function applyDecisions(assessment: RiskAssessment, context: DecisionContext): RiskAssessment {
  if (context.view.empty) return assessment;
  const own = ownDecision(assessment, context.view);
  if (own) return own;
  const base = withoutBenignRings(assessment, context);
  const evidence = fraudLinkEvidence(context);
  if (evidence.length === 0) return base;
  const strength = combineEvidence(evidence.map((e) => e.strength));
  const risk = 100 * combineEvidence([base.risk_score / 100, strength]);
  const kinds = withDecisionsKind(base.evidence);
  const share = risk > 0 ? (risk - base.risk_score) / risk : 0;
  return {
    ...base,
    risk_score: roundToDecimals(risk, 2),
    action: actionForScore(risk, context.policy, kinds),
    evidence: kinds,
    reasons: withReasonsFirst(
      base,
      evidence.slice(0, MAX_DECISION_REASONS).map((e) => e.reason),
      share,
    ),
  };
}
