// What the supervised layer sees of one account: its scaled features, the detectors' robust z scores and the identity, rule and risk parts.
//
// The component scores alone do not carry what separates an honest group from a ring (issue 20's trial: trees on
// the seven components ranked no better than the unsupervised model), so the layer also reads every feature the detectors read
// (the scaled model input; identity links reach it through the identity part).
import { type AnomalyEnsemble, COMBINED, DETECTOR_NAMES, type DetectorName } from '../detectors/anomaly-ensemble.js';
import { DETECTOR_FEATURE_NAMES } from '../features/feature-registry.js';
import { robustZ } from '../scoring/calibration.js';
import type { ComponentScores } from '../scoring/risk-assessment.js';

/** Scaled features and z scores are clipped here: trees need no wider range, and a distance is not ruled by one wild value. */
const CLIP = 8;
const clip = (v: number, high = CLIP) => Math.max(-CLIP, Math.min(high, v));

/** The layer's input names, in order (saved with the layer and checked on load). */
export const LAYER_INPUT_NAMES: readonly string[] = [
  ...DETECTOR_FEATURE_NAMES.map((name) => `feature:${name}`),
  ...[...DETECTOR_NAMES, COMBINED].map((name) => `z:${name}`),
  'part:identity',
  'part:rules',
  'part:risk',
];

/**
 * One account's layer inputs from what unsupervised scoring computed for it: `scaled` model input, raw detector
 * scores (`combined` already a z), its components and unsupervised risk score.
 */
export function supervisedLayerInputs(
  ensemble: Pick<AnomalyEnsemble, 'calibrations'>,
  scaled: Float64Array,
  raw: Readonly<Record<DetectorName | typeof COMBINED, number>>,
  components: ComponentScores,
  riskScore: number,
): Float64Array {
  const out = new Float64Array(LAYER_INPUT_NAMES.length);
  let at = 0;
  for (const value of scaled) out[at++] = clip(value);
  for (const name of DETECTOR_NAMES) out[at++] = clip(robustZ(ensemble.calibrations[name], raw[name]));
  out[at++] = clip(raw[COMBINED], CLIP * 4);
  out[at++] = components.identity / 100;
  out[at++] = components.rules / 100;
  out[at++] = riskScore / 100;
  return out;
}
