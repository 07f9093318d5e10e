/**
 * Group faces into identities: average-linkage agglomeration over the sparse k-NN graph, corrected for
 * the pairs a k-NN graph cannot show, under must-link (manifest subject ids) and cannot-link (same image).
 *
 * Why average linkage. Two clusters merge only when the average similarity over *all* their cross pairs
 * clears the threshold, a pair absent from the graph counting as 0. A few bridging edges (a blurred face
 * that looks like two people, a chain of intermediate faces) are a vanishing share of |A|·|B| pairs, so
 * they cannot join two identities. Single linkage (connected components above the threshold) chains: on
 * LFW at 0.40 its pairwise precision is 1.4%, one giant cluster. Chinese whispers resists bridges but
 * floods through the impostor edges near the threshold (pairwise precision 89% at 0.40, 100% here) and
 * is only competitive at 0.50, with a sharper dependence on the threshold and on the visiting order.
 * Rank-order / shared-neighbour methods still join components transitively. Average linkage has one
 * parameter with a meaning — the similarity an average cross pair must reach — which we set at a measured
 * false-match operating point; it is deterministic. (Numbers: bench/identities/run.ts.)
 *
 * The sparse correction. In a k-NN graph each face of an identity with more than k faces shows only k of
 * its partners, so textbook average linkage (absent = 0) cuts big identities into pieces of about k faces
 * (LFW, k = 32, 0.40: George W. Bush's 530 photos in 100 clusters). The denominator is therefore not
 * |A|·|B| but the number of cross pairs the graph could have shown were A and B one person — the smaller of
 *   - |A|·|B| · k / (|A| + |B| − 1): each face lists k of its |A| + |B| − 1 partners, and
 *   - Σ over cross pairs of 1 − (1 − p_a)(1 − p_b), where p = 1 for a face with fewer than k neighbours
 *     above the threshold (its list is complete: an absent pair is known to be dissimilar) and
 *     p = k / (faces within two hops) for a face with a full list (it sits in a crowd and shows only k).
 * linkage(A, B) = Σ cross-edge similarity / max(showable pairs, cross edges). For clusters of at most k + 1
 * faces with complete lists this is exactly textbook average linkage; bridges stay negligible (a few edges
 * against hundreds of showable pairs). Limit: identities beyond roughly 10–15 × k faces may still come out
 * as several pure clusters (LFW: Bush in one cluster at k = 16 and 32 up to 0.45, 19 pieces at 0.50 with
 * k = 32, 76 pieces at k = 8) — raise k for galleries with such identities.
 *
 * Must-link: faces sharing a subject id start as one cluster, even against the embeddings (the manifest is
 * authoritative; if it gives one subject to two faces of one image, both stay — fix that upstream).
 * Clusters holding two different subject ids never merge. Cannot-link: clusters never merge if that would
 * put two faces of one image together.
 *
 * Cost, with E ≤ n·k edges: cleaning the lists O(n·k·log k) (plus sorting what the caller returns); the
 * crowd estimate O(k²) per face with a full list; agglomeration O(E·log E) — a heap of candidate merges
 * with lazy re-evaluation (a linkage only falls as a cluster grows, except where both merged clusters
 * touched a third: that pair is queued afresh), adjacency maps merged smaller into larger. In all
 * O(n·k·(k + log n)) time and O(n·k) memory, never an n² matrix. The cannot-link check costs the smaller
 * cluster's image count per candidate merge. Measured (bench/identities/scale.ts, k = 32, every face with
 * a full list, 2 busy cores): 50 µs per face at 25k faces, 143 µs at 400k (memory-bound, not more work).
 */
import { buildKnnGraph, hiddenShare } from './knn-graph.js';
import { MaxHeap } from './max-heap.js';
import type { ClusterOptions, FaceNode, Neighbor } from './types.js';

export const DEFAULT_CLUSTER_OPTIONS: Readonly<ClusterOptions> = Object.freeze({
  linkThreshold: 0.4,
  k: 32,
  sparseCorrection: true,
});

/** An image set, kept as a bare string while the cluster has one face (most clusters, most of the time). */
type Images = Set<string> | string | undefined;

/**
 * Returns clusters as arrays of labels: every input label exactly once, singletons included; labels
 * ascending within a cluster, clusters largest first (ties: smallest label first). Deterministic.
 * Neighbours with labels not among `nodes` are ignored (e.g. faces of other batches or suppressed faces).
 */
export function clusterFaces(
  nodes: readonly FaceNode[],
  neighbors: (label: number) => readonly Neighbor[],
  options: Partial<ClusterOptions> = {},
): number[][] {
  const { linkThreshold: threshold, k, sparseCorrection } = resolveOptions(options);
  const n = nodes.length;
  if (n === 0) return [];

  const indexOf = new Map<number, number>();
  nodes.forEach((node, i) => {
    if (indexOf.has(node.label)) throw new RangeError(`duplicate face label ${node.label}`);
    indexOf.set(node.label, i);
  });
  const graph = buildKnnGraph(nodes, indexOf, neighbors, threshold, k);

  // Cluster state lives at the union-find root of its faces.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[x] !== root) {
      const next = parent[x] as number;
      parent[x] = root;
      x = next;
    }
    return root;
  };
  const size = new Int32Array(n).fill(1);
  const hidden = sparseCorrection ? hiddenShare(graph, k) : new Float64Array(n);
  const subject: (string | null)[] = nodes.map((node) => node.subjectId ?? null);
  const images: Images[] = nodes.map((node) => node.imageId);

  // Must-link: faces sharing a subject id start as one cluster.
  const subjectRoot = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = subject[i];
    if (s === null || s === undefined) continue;
    const root = subjectRoot.get(s);
    if (root === undefined) {
      subjectRoot.set(s, i);
      continue;
    }
    parent[i] = root;
    size[root] = (size[root] as number) + 1;
    hidden[root] = (hidden[root] as number) + (hidden[i] as number);
    images[root] = unionImages(images[root], images[i]);
    images[i] = undefined;
  }

  // Cluster adjacency from the undirected graph (a pair is an edge if either face lists the other). One
  // link per pair of adjacent clusters, in typed arrays: its two roots, summed similarity, edge count,
  // and the key of its one live heap entry (NaN if none), so that older entries for it are skipped.
  // Each cluster maps adjacent root → link id.
  const maxLinks = graph.offsets[n] as number;
  const linkA = new Int32Array(maxLinks);
  const linkB = new Int32Array(maxLinks);
  const linkSum = new Float64Array(maxLinks);
  const linkCount = new Int32Array(maxLinks);
  const linkKey = new Float64Array(maxLinks).fill(Number.NaN);
  const linkAlive = new Uint8Array(maxLinks);
  const adjacency: (Map<number, number> | undefined)[] = new Array(n);
  const adjacent = (a: number): Map<number, number> => {
    let map = adjacency[a];
    if (!map) {
      map = new Map();
      adjacency[a] = map;
    }
    return map;
  };
  let links = 0;
  for (let i = 0; i < n; i++) {
    for (let e = graph.offsets[i] as number, end = graph.offsets[i + 1] as number; e < end; e++) {
      const j = graph.targets[e] as number;
      let s = graph.sims[e] as number;
      const back = graph.edge(j, i);
      if (back >= 0) {
        if (j < i) continue; // the pair was counted from j's list
        s = Math.max(s, graph.sims[back] as number);
      }
      const a = find(i);
      const b = find(j);
      if (a === b) continue;
      const fromA = adjacent(a);
      let id = fromA.get(b);
      if (id === undefined) {
        id = links++;
        linkA[id] = a;
        linkB[id] = b;
        linkAlive[id] = 1;
        fromA.set(b, id);
        adjacent(b).set(a, id);
      }
      linkSum[id] = (linkSum[id] as number) + s;
      linkCount[id] = (linkCount[id] as number) + 1;
    }
  }

  const linkage = (id: number): number => {
    const a = linkA[id] as number;
    const b = linkB[id] as number;
    const sa = size[a] as number;
    const sb = size[b] as number;
    const pairs = sa * sb;
    let observable = pairs;
    if (sparseCorrection) {
      observable -= (hidden[a] as number) * (hidden[b] as number);
      const partners = sa + sb - 1;
      if (partners > k) observable = Math.min(observable, (pairs * k) / partners);
    }
    return (linkSum[id] as number) / Math.max(observable, linkCount[id] as number);
  };
  const subjectsAgree = (a: number, b: number): boolean => {
    const sa = subject[a];
    const sb = subject[b];
    return sa === null || sb === null || sa === sb;
  };
  const heap = new MaxHeap();
  const queue = (id: number) => {
    const w = linkage(id);
    if (w >= threshold && subjectsAgree(linkA[id] as number, linkB[id] as number)) {
      linkKey[id] = w;
      heap.push(w, id);
    } else linkKey[id] = Number.NaN;
  };

  for (let id = 0; id < links; id++) queue(id);

  while (heap.size > 0) {
    const key = heap.peekKey();
    const id = heap.pop();
    if (!linkAlive[id] || key !== linkKey[id]) continue; // superseded by a later entry for the same pair
    if (linkage(id) !== key) {
      // A cluster grew since this was queued, so the key bounds the current value from above: requeue.
      queue(id);
      continue;
    }
    const a = linkA[id] as number;
    const b = linkB[id] as number;
    // Both conflicts are permanent (subjects only get set, image sets only grow): drop the candidate.
    if (!subjectsAgree(a, b) || imagesOverlap(images[a], images[b])) {
      linkKey[id] = Number.NaN;
      continue;
    }

    // Merge the cluster with fewer neighbours into the one with more.
    const la = adjacency[a] as Map<number, number>;
    const lb = adjacency[b] as Map<number, number>;
    const [big, small, bigLinks, smallLinks] =
      lb.size > la.size || (lb.size === la.size && b < a) ? [b, a, lb, la] : [a, b, la, lb];
    parent[small] = big;
    size[big] = (size[big] as number) + (size[small] as number);
    hidden[big] = (hidden[big] as number) + (hidden[small] as number);
    subject[big] ??= subject[small] ?? null;
    images[big] = unionImages(images[big], images[small]);
    images[small] = undefined;
    adjacency[small] = undefined;
    linkAlive[id] = 0;
    bigLinks.delete(small);
    smallLinks.delete(big);
    for (const [x, l] of smallLinks) {
      const xLinks = adjacency[x] as Map<number, number>;
      xLinks.delete(small);
      const shared = bigLinks.get(x);
      if (shared !== undefined) {
        // Evidence from both halves adds up: the one way a linkage can rise. Queue it afresh.
        linkSum[shared] = (linkSum[shared] as number) + (linkSum[l] as number);
        linkCount[shared] = (linkCount[shared] as number) + (linkCount[l] as number);
        linkAlive[l] = 0;
        queue(shared);
      } else {
        // Same evidence, bigger cluster: the linkage can only have fallen, and the queued entry is
        // re-evaluated when it comes up.
        if (linkA[l] === small) linkA[l] = big;
        else linkB[l] = big;
        bigLinks.set(x, l);
        xLinks.set(big, l);
      }
    }
  }

  return collect(nodes, find);
}

function resolveOptions(options: Partial<ClusterOptions>): ClusterOptions {
  const opts: ClusterOptions = {
    linkThreshold: options.linkThreshold ?? DEFAULT_CLUSTER_OPTIONS.linkThreshold,
    k: options.k ?? DEFAULT_CLUSTER_OPTIONS.k,
    sparseCorrection: options.sparseCorrection ?? DEFAULT_CLUSTER_OPTIONS.sparseCorrection,
  };
  if (!(opts.linkThreshold > 0 && opts.linkThreshold <= 1)) {
    throw new RangeError(`linkThreshold must be in (0, 1], got ${opts.linkThreshold}`);
  }
  if (!Number.isInteger(opts.k) || opts.k < 1)
    throw new RangeError(`k must be a positive integer, got ${opts.k}`);
  return opts;
}

function unionImages(a: Images, b: Images): Images {
  if (b === undefined) return a;
  if (a === undefined) return b;
  if (typeof a === 'string') return typeof b === 'string' ? new Set([a, b]) : b.add(a);
  if (typeof b === 'string') return a.add(b);
  const [large, small] = a.size >= b.size ? [a, b] : [b, a];
  for (const x of small) large.add(x);
  return large;
}

function imagesOverlap(a: Images, b: Images): boolean {
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'string') return typeof b === 'string' ? a === b : b.has(a);
  if (typeof b === 'string') return a.has(b);
  const [large, small] = a.size >= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

/** Clusters as sorted label arrays, largest first, ties by smallest label. */
function collect(nodes: readonly FaceNode[], find: (x: number) => number): number[][] {
  const byRoot = new Map<number, number[]>();
  nodes.forEach((node, i) => {
    const root = find(i);
    const members = byRoot.get(root);
    if (members) members.push(node.label);
    else byRoot.set(root, [node.label]);
  });
  const clusters = [...byRoot.values()];
  for (const c of clusters) c.sort((x, y) => x - y);
  clusters.sort((x, y) => y.length - x.length || (x[0] as number) - (y[0] as number));
  return clusters;
}
