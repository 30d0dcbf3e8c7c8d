// What the recorded decisions mean for the next score: who is confirmed fraud, which groups are benign, what the
// block and allow lists hold. Later decisions about the same account or list entry replace earlier ones.
import type { StoredDecision } from './decision-store.js';

export interface DecisionView {
  /** accounts confirmed fraud (an account decision, or membership of a confirmed fraud ring), with that decision */
  readonly confirmedFraud: ReadonlyMap<string, StoredDecision>;
  /** accounts of groups judged benign (agency, household...), with that decision */
  readonly benign: ReadonlyMap<string, StoredDecision>;
  readonly blockedAccounts: ReadonlyMap<string, StoredDecision>;
  readonly allowedAccounts: ReadonlyMap<string, StoredDecision>;
  /** `<kind>:<keyed hash>` of block-listed identifiers */
  readonly blockedIdentifiers: ReadonlyMap<string, StoredDecision>;
  /** true when no decision can change a score */
  readonly empty: boolean;
}

export const identifierKey = (kind: string, hash: string) => `${kind}:${hash}`;

/** One line naming a decision: which one, who, when and why. */
export function describeDecision(stored: StoredDecision): string {
  const d = stored.decision;
  const note = d.note ? `: ${d.note}` : '';
  return `decision ${stored.id.slice(0, 8)} by ${d.reviewer} on ${d.decided_at.slice(0, 10)}${note}`;
}

/** The view of `decisions` (in the order recorded; decided_at orders them, the log breaks ties). */
export function decisionView(decisions: readonly StoredDecision[]): DecisionView {
  const ordered = decisions
    .map((stored, i) => ({ stored, i, at: Date.parse(stored.decision.decided_at) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((e) => e.stored);
  const verdict = new Map<string, { status: 'fraud' | 'honest' | 'benign'; by: StoredDecision }>();
  const lists = new Map<string, { list: 'block' | 'allow'; by: StoredDecision }>();
  for (const stored of ordered) {
    const d = stored.decision;
    if (d.type === 'account') verdict.set(d.account_id, { status: d.label === 'fraud' ? 'fraud' : 'honest', by: stored });
    else if (d.type === 'group')
      for (const id of d.account_ids) verdict.set(id, { status: d.verdict === 'fraud_ring' ? 'fraud' : 'benign', by: stored });
    else lists.set(identifierKey(d.entry_kind, d.value), { list: d.list, by: stored });
  }
  const withStatus = (status: 'fraud' | 'benign') =>
    new Map([...verdict].filter(([, v]) => v.status === status).map(([id, v]) => [id, v.by] as const));
  const listed = (list: 'block' | 'allow', accounts: boolean) =>
    new Map(
      [...lists]
        .filter(([key, v]) => v.list === list && key.startsWith('account:') === accounts)
        .map(([key, v]) => [accounts ? key.slice('account:'.length) : key, v.by] as const),
    );
  const view = {
    confirmedFraud: withStatus('fraud'),
    benign: withStatus('benign'),
    blockedAccounts: listed('block', true),
    allowedAccounts: listed('allow', true),
    blockedIdentifiers: listed('block', false),
  };
  const empty = Object.values(view).every((m) => m.size === 0);
  return { ...view, empty };
}
