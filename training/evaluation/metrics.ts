// ROC-AUC, average precision (PR-AUC), precision@k, and curve points, computed as scikit-learn does (ties grouped).

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number>): { positives: number; negatives: number } {
  if (scores.length !== labels.length) throw new RangeError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label !== 0 && label !== 1) throw new RangeError(`label ${i} is ${label}; labels must be 0 or 1`);
    positives += label;
  }
  return { positives, negatives: labels.length - positives };
}

/** Indices by score, highest first. */
function orderByScore(scores: ArrayLike<number>): Uint32Array {
  return Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
}

/** ROC-AUC = probability a random positive outscores a random negative (ties count half). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { positives, negatives } = checkInputs(scores, labels);
  if (positives === 0 || negatives === 0) throw new RangeError('ROC-AUC needs both classes');
  const order = orderByScore(scores);
  let truePositives = 0;
  let area = 0;
  let i = 0;
  while (i < order.length) {
    const value = scores[order[i] as number] as number;
    let tp = 0;
    let fp = 0;
    while (i < order.length && scores[order[i] as number] === value) {
      if (labels[order[i] as number] === 1) tp++;
      else fp++;
      i++;
    }
    area += fp * (truePositives + tp / 2);
    truePositives += tp;
  }
  return area / (positives * negatives);
}

/** Average precision: Σ (R_n − R_{n−1}) P_n over distinct score thresholds (scikit-learn's definition). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { positives } = checkInputs(scores, labels);
  if (positives === 0) throw new RangeError('average precision needs at least one positive');
  const order = orderByScore(scores);
  let truePositives = 0;
  let seen = 0;
  let ap = 0;
  let previousRecall = 0;
  let i = 0;
  while (i < order.length) {
    const value = scores[order[i] as number] as number;
    while (i < order.length && scores[order[i] as number] === value) {
      if (labels[order[i] as number] === 1) truePositives++;
      seen++;
      i++;
    }
    const recall = truePositives / positives;
    ap += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
  }
  return ap;
}

/** Precision among the k highest scores. */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  checkInputs(scores, labels);
  const order = orderByScore(scores);
  const depth = Math.min(k, order.length);
  let hits = 0;
  for (let i = 0; i < depth; i++) hits += labels[order[i] as number] as number;
  return depth === 0 ? 0 : hits / depth;
}

export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** ROC (x = FPR, y = TPR) and PR (x = recall, y = precision) curves, thinned to at most `maxPoints` each. */
export function rocAndPrCurves(scores: ArrayLike<number>, labels: ArrayLike<number>, maxPoints = 200): { roc: CurvePoint[]; pr: CurvePoint[] } {
  const { positives, negatives } = checkInputs(scores, labels);
  const order = orderByScore(scores);
  const roc: CurvePoint[] = [{ x: 0, y: 0 }];
  const pr: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < order.length) {
    const value = scores[order[i] as number] as number;
    while (i < order.length && scores[order[i] as number] === value) {
      if (labels[order[i] as number] === 1) tp++;
      else fp++;
      i++;
    }
    roc.push({ x: negatives ? fp / negatives : 0, y: positives ? tp / positives : 0 });
    pr.push({ x: positives ? tp / positives : 0, y: tp / (tp + fp) });
  }
  const thin = (points: CurvePoint[]) =>
    points.length <= maxPoints ? points : points.filter((_, k) => k % Math.ceil(points.length / maxPoints) === 0 || k === points.length - 1);
  return { roc: thin(roc), pr: thin(pr) };
}
