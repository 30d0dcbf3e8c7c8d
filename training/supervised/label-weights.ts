// Inverse-propensity weights of labelled accounts: how to correct for analysts reviewing the top of the ranking.
//
// Reviews are not a random sample: analysts look at what the model ranks highest, plus (at best) a random quality
// sample. A layer fitted to the labels as they come learns "what separates fraud from honest among the top accounts"
// and misjudges everyone else. Selection here depends on the unsupervised rank, so the chance of being reviewed is
// estimated per band of that rank (labelled / all in the band) and each label weighs 1 / that chance: the weighted
// labels then stand for the whole population. Weights are capped, because a label drawn at 1% would otherwise
// outweigh a hundred reviewed top accounts and one reviewer's mistake would move the whole layer.

/** Rank bands (upper rank of each band; the last band runs to the end), finer at the top where reviews concentrate. */
const BAND_ENDS = [25, 50, 100, 200, 300, 400, 600, 800, 1200, 1600, 2400, 3200, 4800, 6400, 9600, 12800];

export interface PropensityWeights {
  /** per labelled account (in the order given): 1 / estimated review probability, capped at `maxWeight` */
  readonly weights: Float64Array;
  /** the same uncapped: the number of accounts each label stands for */
  readonly populationWeights: Float64Array;
  /** per band: [upper rank, accounts, labelled] for the model card */
  readonly bands: readonly (readonly [number, number, number])[];
}

/**
 * `riskOfAll`: the unsupervised risk of every account; `labelledRows`: indices of the labelled accounts in it.
 * Bands scale with the population: a band's end is BAND_ENDS × accounts / 20,000 (the size they were chosen at).
 */
export function propensityWeights(riskOfAll: Float64Array, labelledRows: Uint32Array, maxWeight: number): PropensityWeights {
  const n = riskOfAll.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => (riskOfAll[b] as number) - (riskOfAll[a] as number) || a - b);
  const rankOf = new Uint32Array(n);
  order.forEach((row, rank) => (rankOf[row] = rank));
  const scale = n / 20_000;
  const ends = [...new Set([...BAND_ENDS.map((e) => Math.max(1, Math.round(e * scale))).filter((e) => e < n), n])];
  const bandOf = (rank: number) => ends.findIndex((end) => rank < end);
  const labelled = new Uint32Array(ends.length);
  for (const row of labelledRows) labelled[bandOf(rankOf[row] as number)]! += 1;
  const sizes = ends.map((end, b) => end - (b === 0 ? 0 : (ends[b - 1] as number)));
  const populationWeights = Float64Array.from(labelledRows, (row) => {
    const band = bandOf(rankOf[row] as number);
    return (sizes[band] as number) / (labelled[band] as number);
  });
  const weights = populationWeights.map((w) => Math.min(maxWeight, w));
  return { weights, populationWeights, bands: ends.map((end, b) => [end, sizes[b] as number, labelled[b] as number] as const) };
}
