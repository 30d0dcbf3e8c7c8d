// The supervised layer applied to one unsupervised assessment: new risk and action, the layer's probability and its reason; pure.
import { actionForScore, type RiskPolicy } from '../scoring/risk-policy.js';
import type { Reason, RiskAssessment } from '../scoring/risk-assessment.js';
import { distanceToLabelled, type FittedSupervisedLayer, supervisedRisk } from './supervised-layer.js';
import { roundToDecimals } from '../scoring/round-decimals.js';

/**
 * The layer's verdict on an account whose layer inputs are `inputs`. By default the layer only raises a score: an
 * account keeps at least its unsupervised risk, and the layer adds FLAG or BLOCK where the labels vouch for it (its
 * thresholds' lower bounds). Labels reviewed from the top of the ranking plus a small random sample say little about
 * the accounts below the top, and on the development world a layer allowed to lower scores also lowered the
 * unreviewed rings it had seen plenty of (see bench/RESULTS.md, issue 20). With `may_lower`, only an account unlike
 * every labelled one (farther than the novelty radius) keeps its unsupervised risk: a fraud kind no analyst has
 * labelled yet must not be scored down by a layer that never saw it.
 */
export function withSupervisedLayer(
  layer: FittedSupervisedLayer,
  inputs: Float64Array,
  assessment: RiskAssessment,
  policy: RiskPolicy,
): RiskAssessment {
  const { state } = layer;
  const probability = layer.probability(inputs);
  const learnt = supervisedRisk(state, probability, policy);
  const isNovel = distanceToLabelled(state, layer.select(inputs)) > state.novelty_radius;
  const mayLower = state.params['may_lower'] === true && !isNovel;
  const risk = mayLower ? learnt : Math.max(learnt, assessment.risk_score);
  const raised = learnt > assessment.risk_score;
  const moved = Math.abs(risk - assessment.risk_score) / Math.max(1, risk, assessment.risk_score);
  const share = Math.min(0.9, Math.max(0.1, moved));
  const labels = state.labels.fraud + state.labels.honest;
  const detail = isNovel
    ? `unlike the ${labels} accounts analysts labelled: the unsupervised score stands (learnt probability of fraud ${probability.toFixed(2)})`
    : !mayLower && !raised
      ? `learnt from ${labels} analyst decisions: probability of fraud ${probability.toFixed(2)}, no higher than the unsupervised score, which stands`
      : `learnt from ${labels} analyst decisions: probability of fraud ${probability.toFixed(2)} (flag at ${state.flag.probability.toFixed(2)}, ${state.block.reached ? `block at ${state.block.probability.toFixed(2)}` : 'never blocks: too few labels to block with the target precision'})`;
  const reason: Reason = {
    code: isNovel ? 'learned-novel-account' : 'learned-from-decisions',
    kind: 'learned',
    name: 'supervised_probability',
    value: roundToDecimals(probability, 3),
    typical: roundToDecimals(state.flag.probability, 3),
    unit: 'probability',
    contribution: roundToDecimals(share, 4),
    detail,
  };
  const reasons = [...assessment.reasons.map((r) => ({ ...r, contribution: roundToDecimals(r.contribution * (1 - share), 4) })), reason].sort(
    (a, b) => b.contribution - a.contribution || a.code.localeCompare(b.code),
  );
  // analyst decisions are a kind of evidence of their own where they set the score (not where the unsupervised one stands)
  const evidence = mayLower || (raised && !isNovel) ? [...assessment.evidence, 'decisions' as const] : assessment.evidence;
  return {
    ...assessment,
    risk_score: roundToDecimals(risk, 2),
    action: actionForScore(risk, policy, evidence),
    evidence,
    components: { ...assessment.components, supervised: roundToDecimals(probability * 100, 2) },
    reasons,
  };
}
