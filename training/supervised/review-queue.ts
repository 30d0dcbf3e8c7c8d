// The accounts whose review would teach the model most: uncertain (near the FLAG line) and unlike the accounts already labelled.
import type { AccountFeatures } from '../features/account-features.js';
import { assessUnsupervised, type ScoringParts } from '../scoring/risk-score.js';
import { distanceToLabelled } from './supervised-layer.js';

export interface ReviewCandidate {
  readonly account_id: string;
  /** how much a label would teach, 0-1: uncertainty × novelty */
  readonly teach_value: number;
  /** 1 on the FLAG line, falling to 0 at certainty either way */
  readonly uncertainty: number;
  /** distance to the nearest labelled account in units of the layer's novelty radius, capped at 1 (1 without a layer) */
  readonly novelty: number;
  /** probability of fraud from the layer, else the unsupervised risk / 100 */
  readonly probability: number;
  readonly risk_score: number;
}

/**
 * Ranks every account by teach value and returns the `n` highest. Accounts already labelled (at distance 0 from a
 * labelled account) are left out. Without a layer, uncertainty is measured on the unsupervised risk against the
 * policy's FLAG line and every account is equally novel.
 */
export function reviewQueue(
  parts: ScoringParts,
  data: { readonly accountIds: readonly string[]; readonly features: readonly AccountFeatures[] },
  n: number,
): ReviewCandidate[] {
  const layer = parts.supervised ?? null;
  const flagLine = layer ? layer.state.flag.probability : parts.config.policy.flag_above / 100;
  const candidates: ReviewCandidate[] = [];
  data.accountIds.forEach((id, i) => {
    const { assessment, layerInputs } = assessUnsupervised(parts, id, data.features[i] as AccountFeatures);
    const inputs = layer ? layerInputs() : null;
    const probability = layer && inputs ? layer.probability(inputs) : assessment.risk_score / 100;
    const distance = layer && inputs ? distanceToLabelled(layer.state, layer.select(inputs)) : Infinity;
    if (distance === 0) return;
    const uncertainty = Math.max(0, 1 - Math.abs(probability - flagLine) / Math.max(flagLine, 1 - flagLine));
    const novelty = layer ? Math.min(1, distance / Math.max(1e-9, layer.state.novelty_radius)) : 1;
    candidates.push({ account_id: id, teach_value: uncertainty * novelty, uncertainty, novelty, probability, risk_score: assessment.risk_score });
  });
  return candidates.sort((a, b) => b.teach_value - a.teach_value || a.account_id.localeCompare(b.account_id)).slice(0, n);
}

/** The queue's columns, as `ringfence review-queue` prints them and the report's review-queue.csv holds them. */
export const REVIEW_QUEUE_COLUMNS = ['account_id', 'teach_value', 'uncertainty', 'novelty', 'probability', 'risk_score'] as const;

/** One candidate's cells in REVIEW_QUEUE_COLUMNS order, numbers to 4 decimals. */
export function reviewQueueCells(candidate: ReviewCandidate): (string | number)[] {
  return REVIEW_QUEUE_COLUMNS.map((k) => (typeof candidate[k] === 'number' ? Number((candidate[k] as number).toFixed(4)) : candidate[k]));
}
