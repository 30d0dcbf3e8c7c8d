// Ring precision and recall against true rings: a predicted ring matches a true one at Jaccard >= 0.5.

export interface RingMatchMetrics {
  readonly predictedRings: number;
  readonly trueRings: number;
  /** predicted rings matching some true ring / predicted rings */
  readonly precision: number;
  /** true rings matched by some predicted ring / true rings */
  readonly recall: number;
  /** honest accounts placed in a predicted ring / honest accounts */
  readonly honestInRingsShare: number;
}

export const RING_MATCH_JACCARD = 0.5;

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

export function matchRings(
  predicted: readonly (readonly string[])[],
  truth: readonly (readonly string[])[],
  honestAccounts: ReadonlySet<string>,
): RingMatchMetrics {
  const predictedSets = predicted.map((r) => new Set(r));
  const trueSets = truth.map((r) => new Set(r));
  const ringOfTrueMember = new Map<string, number>();
  trueSets.forEach((ring, i) => ring.forEach((member) => ringOfTrueMember.set(member, i)));
  const matchedTrue = new Set<number>();
  let matchedPredicted = 0;
  let honestInRings = 0;
  for (const ring of predictedSets) {
    const candidates = new Set<number>();
    for (const member of ring) {
      const t = ringOfTrueMember.get(member);
      if (t !== undefined) candidates.add(t);
      if (honestAccounts.has(member)) honestInRings++;
    }
    let isMatch = false;
    for (const t of candidates) {
      if (jaccard(ring, trueSets[t] as Set<string>) >= RING_MATCH_JACCARD) {
        matchedTrue.add(t);
        isMatch = true;
      }
    }
    if (isMatch) matchedPredicted++;
  }
  return {
    predictedRings: predicted.length,
    trueRings: truth.length,
    precision: predicted.length === 0 ? 0 : matchedPredicted / predicted.length,
    recall: truth.length === 0 ? 1 : matchedTrue.size / truth.length,
    honestInRingsShare: honestAccounts.size === 0 ? 0 : honestInRings / honestAccounts.size,
  };
}
