import type { FaceNode, Neighbor } from './types.js';

/**
 * The caller's neighbour lists as a CSR graph over node indices: unknown labels, self, duplicates,
 * non-finite similarities and edges below the threshold dropped, each list cut to its k most similar
 * entries and stored sorted by target index (binary search for the reverse edge).
 */
export interface KnnGraph {
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly sims: Float64Array;
  /** Position of the edge i→j, or -1. */
  edge(i: number, j: number): number;
  /** Number of neighbours kept for i. */
  degree(i: number): number;
}

export function buildKnnGraph(
  nodes: readonly FaceNode[],
  indexOf: ReadonlyMap<number, number>,
  neighbors: (label: number) => readonly Neighbor[],
  threshold: number,
  k: number,
): KnnGraph {
  const n = nodes.length;
  const offsets = new Int32Array(n + 1);
  let targets = new Int32Array(Math.max(16, Math.min(n * k, 1 << 20)));
  let sims = new Float64Array(targets.length);
  let used = 0;
  const kept: { j: number; s: number }[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    kept.length = 0;
    for (const nb of neighbors((nodes[i] as FaceNode).label)) {
      const j = indexOf.get(nb.label);
      // `!(s >= t)` also drops NaN.
      if (j === undefined || j === i || !(nb.similarity >= threshold) || !Number.isFinite(nb.similarity))
        continue;
      kept.push({ j, s: nb.similarity });
    }
    kept.sort((x, y) => y.s - x.s || x.j - y.j);
    seen.clear();
    let count = 0;
    for (const e of kept) {
      if (count === k) break;
      if (seen.has(e.j)) continue; // a duplicate keeps its best similarity (it came first)
      seen.add(e.j);
      kept[count++] = e;
    }
    kept.length = count;
    kept.sort((x, y) => x.j - y.j);
    if (used + count > targets.length) {
      const grown = Math.max(targets.length * 2, used + count);
      const t = new Int32Array(grown);
      t.set(targets);
      targets = t;
      const s = new Float64Array(grown);
      s.set(sims);
      sims = s;
    }
    for (const e of kept) {
      targets[used] = e.j;
      sims[used] = e.s;
      used++;
    }
    offsets[i + 1] = used;
  }
  return {
    offsets,
    targets,
    sims,
    edge(i, j) {
      let lo = offsets[i] as number;
      let hi = (offsets[i + 1] as number) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const t = targets[mid] as number;
        if (t === j) return mid;
        if (t < j) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    },
    degree(i) {
      return (offsets[i + 1] as number) - (offsets[i] as number);
    },
  };
}

/**
 * For each face, the chance `p` that the graph shows a given partner above the threshold.
 *
 * A face with fewer than k neighbours above the threshold was not cut: its list holds every face above
 * the threshold, so p = 1 and an absent pair is known to be below it. A face with a full list (saturated:
 * it sits in a crowd, e.g. one of 500 photos of the same person) lists only k of the R faces above the
 * threshold around it; R is estimated as the number of distinct faces within two hops, so p = k / R.
 * Returned as 1 − p ("hidden" share); O(k²) per saturated face.
 */
export function hiddenShare(graph: KnnGraph, k: number): Float64Array {
  const n = graph.offsets.length - 1;
  const hidden = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const { offsets, targets } = graph;
  for (let i = 0; i < n; i++) {
    if (graph.degree(i) < k) continue;
    let reach = 0;
    stamp[i] = i;
    for (let e = offsets[i] as number, end = offsets[i + 1] as number; e < end; e++) {
      const j = targets[e] as number;
      if (stamp[j] !== i) {
        stamp[j] = i;
        reach++;
      }
      for (let f = offsets[j] as number, fEnd = offsets[j + 1] as number; f < fEnd; f++) {
        const c = targets[f] as number;
        if (stamp[c] !== i) {
          stamp[c] = i;
          reach++;
        }
      }
    }
    hidden[i] = 1 - k / Math.max(reach, k);
  }
  return hidden;
}
