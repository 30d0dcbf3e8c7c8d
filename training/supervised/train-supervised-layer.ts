// Training's supervised stage: analyst labels → the accounts' layer inputs and review propensities → a fitted layer (or none).
import type { ProgressEvent } from '../../data/progress-event.js';
import { createSeededRandom } from '../../data/seeded-random.js';
import type { AccountFeatures } from '../features/account-features.js';
import { assessUnsupervised, type ScoringParts } from '../scoring/risk-score.js';
import { LAYER_INPUT_NAMES } from './layer-inputs.js';
import { propensityWeights } from './label-weights.js';
import {
  type FittedSupervisedLayer,
  fitSupervisedLayer,
  restoreSupervisedLayer,
  type SupervisedLayerState,
  type SupervisedParams,
} from './supervised-layer.js';

/** An analyst's label of one account: 1 fraud, 0 honest, with the fraud kind when known. */
export interface AnalystLabel {
  readonly label: 0 | 1;
  readonly kind: string;
}

export interface SupervisedStageResult {
  /**
   * null when the labels cannot support a layer (too few, one class only, or no FLAG threshold whose precision's
   * lower bound reaches the target): the model stays unsupervised
   */
  readonly layer: FittedSupervisedLayer | null;
  /** the layer fitted, used or not (its thresholds say why it was not) */
  readonly fitted: SupervisedLayerState | null;
  /** why there is no layer, or null when there is one */
  readonly unusedBecause: string | null;
  /** the labelled accounts (never measured on) */
  readonly labelled: ReadonlySet<string>;
  /** per band of the unsupervised rank: [upper rank, accounts, labelled], for the model card */
  readonly bands: readonly (readonly [number, number, number])[];
}

/**
 * Scores every account without the layer (its unsupervised risk sets the review propensities), keeps the layer
 * inputs of the labelled accounts, and fits the layer to them. `labels` must name accounts of `accountIds` only.
 */
export function trainSupervisedLayer(
  parts: ScoringParts,
  data: { readonly accountIds: readonly string[]; readonly features: readonly AccountFeatures[] },
  labels: ReadonlyMap<string, AnalystLabel>,
  params: SupervisedParams,
  seed: number,
  onProgress?: (event: ProgressEvent) => void,
): SupervisedStageResult {
  const unsupervised: ScoringParts = { ...parts, supervised: null };
  const risk = new Float64Array(data.accountIds.length);
  const labelledRows: number[] = [];
  const inputs: Float64Array[] = [];
  // the accounts nobody labelled the layer fits as honest and counts against its thresholds: all, or a seeded sample
  const unlabelledRows = [...data.accountIds.keys()].filter((i) => !labels.has(data.accountIds[i] as string));
  const sampled = new Set(createSeededRandom(seed).fork('unlabelled').shuffle(unlabelledRows.slice()).slice(0, params.max_unlabelled));
  const unlabelled: Float64Array[] = [];
  data.accountIds.forEach((id, i) => {
    if (i % 2000 === 0) onProgress?.({ stage: 'supervised layer: inputs', done: i, total: data.accountIds.length, unit: 'accounts' });
    const { assessment, layerInputs } = assessUnsupervised(unsupervised, id, data.features[i] as AccountFeatures);
    risk[i] = assessment.risk_score;
    if (labels.has(id)) {
      labelledRows.push(i);
      inputs.push(layerInputs());
    } else if (sampled.has(i)) unlabelled.push(layerInputs());
  });
  const { weights, populationWeights, bands } = propensityWeights(risk, Uint32Array.from(labelledRows), params.max_weight);
  const labelOf = (i: number) => labels.get(data.accountIds[i] as string) as AnalystLabel;
  const state = fitSupervisedLayer(
    {
      inputs,
      labels: Uint8Array.from(labelledRows, (i) => labelOf(i).label),
      kinds: labelledRows.map((i) => labelOf(i).kind),
      weights,
      populationWeights,
      unlabelled: { inputs: unlabelled, total: unlabelledRows.length },
    },
    LAYER_INPUT_NAMES,
    params,
    seed,
  );
  const labelled = new Set(labels.keys());
  if (!state) {
    const because = `too few labels of each class (at least ${params.min_labels} labels, 2 of each class)`;
    return { layer: null, fitted: null, unusedBecause: because, labelled, bands };
  }
  if (!state.flag.reached) {
    const { flag } = state;
    const because = `no FLAG threshold reaches the target precision ${flag.target_precision} with ${Math.round(flag.confidence * 100)}% confidence (the highest lower bound is ${flag.lower_bound.toFixed(3)}, ${flag.labelled_above} labelled accounts above it)`;
    return { layer: null, fitted: state, unusedBecause: because, labelled, bands };
  }
  return { layer: restoreSupervisedLayer(state), fitted: state, unusedBecause: null, labelled, bands };
}
