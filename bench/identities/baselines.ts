/** Reference clusterings over the same k-NN lists, for the benchmark's comparison rows. */
import type { Neighbor } from '../../src/gallery/identities/index.js';

type Lists = (label: number) => readonly Neighbor[];

/** Single linkage: connected components of the k-NN graph above the threshold. Labels are 0..n-1. */
export function singleLink(n: number, neighbors: Lists, threshold: number, k: number): number[][] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x] as number] as number;
      x = parent[x] as number;
    }
    return x;
  };
  for (let i = 0; i < n; i++) {
    for (const nb of neighbors(i).slice(0, k))
      if (nb.similarity >= threshold) parent[find(i)] = find(nb.label);
  }
  return groups(n, find);
}

/**
 * Chinese whispers (Biemann 2006) on the same graph, weighted by similarity: every face in turn takes the
 * label with the largest summed edge weight among its neighbours, in a seeded random order, until nothing
 * changes (at most 50 rounds). Labels are 0..n-1.
 */
export function chineseWhispers(
  n: number,
  neighbors: Lists,
  threshold: number,
  k: number,
  seed = 1,
): number[][] {
  const adjacency: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (const nb of neighbors(i).slice(0, k)) {
      if (nb.similarity < threshold || nb.label === i) continue;
      const ai = adjacency[i] as Map<number, number>;
      const aj = adjacency[nb.label] as Map<number, number>;
      ai.set(nb.label, Math.max(nb.similarity, ai.get(nb.label) ?? 0));
      aj.set(i, Math.max(nb.similarity, aj.get(i) ?? 0));
    }
  }
  const label = Int32Array.from({ length: n }, (_, i) => i);
  const order = Array.from({ length: n }, (_, i) => i);
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const votes = new Map<number, number>();
  for (let round = 0; round < 50; round++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let changed = 0;
    for (const i of order) {
      votes.clear();
      for (const [j, s] of adjacency[i] as Map<number, number>) {
        const l = label[j] as number;
        votes.set(l, (votes.get(l) ?? 0) + s);
      }
      let best = label[i] as number;
      let bestWeight = -1;
      for (const [l, w] of votes) {
        if (w > bestWeight || (w === bestWeight && l < best)) {
          best = l;
          bestWeight = w;
        }
      }
      if (bestWeight > 0 && best !== label[i]) {
        label[i] = best;
        changed++;
      }
    }
    if (changed === 0) break;
  }
  return groups(n, (i) => label[i] as number);
}

function groups(n: number, key: (i: number) => number): number[][] {
  const byKey = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const members = byKey.get(key(i));
    if (members) members.push(i);
    else byKey.set(key(i), [i]);
  }
  return [...byKey.values()];
}
