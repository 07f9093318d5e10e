/** Clustering quality against known identities: pairwise and BCubed precision / recall / F. */
export interface ClusterScores {
  pairwise: { precision: number; recall: number; f1: number };
  bcubed: { precision: number; recall: number; f: number };
  clusters: number;
  singletons: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;
const harmonic = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

/**
 * `clusters` hold item ids; `truth(id)` is the item's true class. Pairwise counts every same-cluster pair
 * (dominated by big classes); BCubed averages per item (each face counts once).
 */
export function scoreClustering(
  clusters: readonly (readonly number[])[],
  truth: (id: number) => string,
): ClusterScores {
  const classSize = new Map<string, number>();
  for (const c of clusters) for (const id of c) classSize.set(truth(id), (classSize.get(truth(id)) ?? 0) + 1);
  let truePairs = 0;
  for (const s of classSize.values()) truePairs += pairs(s);

  let predictedPairs = 0;
  let agreeing = 0;
  let bPrecision = 0;
  let bRecall = 0;
  let items = 0;
  for (const c of clusters) {
    predictedPairs += pairs(c.length);
    const cells = new Map<string, number>();
    for (const id of c) cells.set(truth(id), (cells.get(truth(id)) ?? 0) + 1);
    for (const [cls, shared] of cells) {
      agreeing += pairs(shared);
      // Each of the `shared` items sees `shared` correct companions (itself included).
      bPrecision += (shared * shared) / c.length;
      bRecall += (shared * shared) / (classSize.get(cls) as number);
    }
    items += c.length;
  }
  const precision = predictedPairs ? agreeing / predictedPairs : 1;
  const recall = truePairs ? agreeing / truePairs : 1;
  const bp = items ? bPrecision / items : 1;
  const br = items ? bRecall / items : 1;
  return {
    pairwise: { precision, recall, f1: harmonic(precision, recall) },
    bcubed: { precision: bp, recall: br, f: harmonic(bp, br) },
    clusters: clusters.length,
    singletons: clusters.filter((c) => c.length === 1).length,
  };
}
