/**
 * Group faces into identities: average-linkage agglomeration over a sparse k-nearest-neighbour graph.
 * (Method, reasons and complexity: see the README-style comment in ./index.ts.)
 */
import { PairMaxHeap } from './max-heap.js';

export interface FaceNode {
  label: number;
  imageId: string;
  subjectId: string | null;
}

export interface Neighbor {
  label: number;
  similarity: number;
}

export interface ClusterOptions {
  /** Edges below this similarity are ignored; merging stops when the best average linkage falls below it. */
  linkThreshold: number;
  /** Neighbours considered per face (longer lists are cut to their k most similar entries). */
  k: number;
  /** Experimental knobs (internal). */
  knnAware: boolean;
  satAware: boolean;
  regionAware: boolean;
  missingSimilarity: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = Object.freeze({
  linkThreshold: 0.4,
  k: 32,
  knnAware: true,
  satAware: false,
  regionAware: false,
  missingSimilarity: 0,
});

/** Cross-cluster evidence: the summed similarity and the number of observed face pairs. Shared by both ends. */
interface Link {
  sum: number;
  count: number;
}

export function clusterFaces(
  nodes: readonly FaceNode[],
  neighbors: (label: number) => readonly Neighbor[],
  options: Partial<ClusterOptions> = {},
): number[][] {
  const opts = resolveOptions(options);
  const n = nodes.length;
  if (n === 0) return [];

  const indexOf = new Map<number, number>();
  nodes.forEach((node, i) => {
    if (indexOf.has(node.label)) throw new RangeError(`duplicate face label ${node.label}`);
    indexOf.set(node.label, i);
  });

  const threshold = opts.linkThreshold;
  const k = opts.k;
  const out = neighbourLists(nodes, indexOf, neighbors, threshold, k);

  // Union-find over node indices; a cluster's state lives at its root.
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const size = new Int32Array(n).fill(1);
  const sat = new Int32Array(n);
  for (let i = 0; i < n; i++)
    sat[i] = (out.offsets[i + 1] as number) - (out.offsets[i] as number) >= k ? 1 : 0;
  // Unobservability mass per cluster: sum over members of (1 - p), p = chance a same-region partner is listed.
  const hidden = new Float64Array(n);
  {
    const stamp = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      if (!sat[i]) continue;
      let reach = 0;
      stamp[i] = i;
      for (let e = out.offsets[i] as number, end = out.offsets[i + 1] as number; e < end; e++) {
        const j = out.targets[e] as number;
        if (stamp[j] !== i) {
          stamp[j] = i;
          reach++;
        }
        for (let f = out.offsets[j] as number, fend = out.offsets[j + 1] as number; f < fend; f++) {
          const c = out.targets[f] as number;
          if (stamp[c] !== i) {
            stamp[c] = i;
            reach++;
          }
        }
      }
      hidden[i] = 1 - Math.min(1, k / Math.max(reach, k));
    }
  }
  const subject: (string | null)[] = nodes.map((node) => node.subjectId);
  const images: (Set<string> | string | undefined)[] = nodes.map((node) => node.imageId);
  const links: (Map<number, Link> | undefined)[] = new Array(n);

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
    sat[root] = (sat[root] as number) + (sat[i] as number);
    hidden[root] = (hidden[root] as number) + (hidden[i] as number);
    images[root] = unionImages(images[root], images[i]);
    images[i] = undefined;
  }

  // Cluster adjacency from the undirected graph (an edge is kept if either face lists the other).
  const linkOf = (a: number, b: number): Link => {
    let la = links[a];
    if (!la) {
      la = new Map();
      links[a] = la;
    }
    let link = la.get(b);
    if (!link) {
      link = { sum: 0, count: 0 };
      la.set(b, link);
      let lb = links[b];
      if (!lb) {
        lb = new Map();
        links[b] = lb;
      }
      lb.set(a, link);
    }
    return link;
  };
  for (let i = 0; i < n; i++) {
    for (let e = out.offsets[i] as number, end = out.offsets[i + 1] as number; e < end; e++) {
      const j = out.targets[e] as number;
      let s = out.sims[e] as number;
      const back = out.find(j, i);
      if (back >= 0) {
        if (j < i) continue; // counted from j's side
        s = Math.max(s, out.sims[back] as number);
      }
      const a = find(i);
      const b = find(j);
      if (a === b) continue;
      const link = linkOf(a, b);
      link.sum += s;
      link.count += 1;
    }
  }

  const mu = opts.missingSimilarity;
  const linkage = (link: Link, a: number, b: number): number => {
    const sa = size[a] as number;
    const sb = size[b] as number;
    const pairs = sa * sb;
    const m = sa + sb - 1;
    let observable: number;
    if (opts.regionAware) {
      observable = pairs - (hidden[a] as number) * (hidden[b] as number);
    } else if (opts.satAware) {
      const ss = (sat[a] as number) * (sat[b] as number);
      observable = pairs - ss + ss * Math.min(1, k / m);
    } else observable = !opts.knnAware || m <= k ? pairs : (pairs * k) / m;
    return mu + (link.sum - mu * link.count) / Math.max(observable, link.count);
  };
  const subjectsAgree = (a: number, b: number): boolean => {
    const sa = subject[a];
    const sb = subject[b];
    return sa === null || sb === null || sa === sb;
  };

  const heap = new PairMaxHeap();
  for (let a = 0; a < n; a++) {
    const la = links[a];
    if (!la) continue;
    for (const [b, link] of la) {
      if (b < a || !subjectsAgree(a, b)) continue;
      const w = linkage(link, a, b);
      if (w >= threshold) heap.push(w, a, b);
    }
  }

  const top: [number, number, number] = [0, 0, 0];
  while (heap.pop(top)) {
    const a = find(top[1]);
    const b = find(top[2]);
    if (a === b) continue;
    const link = links[a]?.get(b);
    if (!link) continue;
    const w = linkage(link, a, b);
    if (w !== top[0]) {
      // Stale entry (a cluster grew since): its key bounded the current value from above; requeue.
      if (w >= threshold) heap.push(w, Math.min(a, b), Math.max(a, b));
      continue;
    }
    // Both conflicts are permanent: subjects only get set, image sets only grow.
    if (!subjectsAgree(a, b) || imagesOverlap(images[a], images[b])) continue;

    const la = links[a] as Map<number, Link>;
    const lb = links[b] as Map<number, Link>;
    const [big, small, bigLinks, smallLinks] =
      lb.size > la.size || (lb.size === la.size && b < a) ? [b, a, lb, la] : [a, b, la, lb];
    parent[small] = big;
    size[big] = (size[big] as number) + (size[small] as number);
    sat[big] = (sat[big] as number) + (sat[small] as number);
    hidden[big] = (hidden[big] as number) + (hidden[small] as number);
    subject[big] ??= subject[small] ?? null;
    images[big] = unionImages(images[big], images[small]);
    images[small] = undefined;
    links[small] = undefined;
    bigLinks.delete(small);
    smallLinks.delete(big);
    for (const [x, l] of smallLinks) {
      const xLinks = links[x] as Map<number, Link>;
      xLinks.delete(small);
      const shared = bigLinks.get(x);
      if (shared) {
        // The only way a linkage can rise: evidence from both halves adds up. Queue it afresh.
        shared.sum += l.sum;
        shared.count += l.count;
        if (subjectsAgree(big, x)) {
          const wx = linkage(shared, big, x);
          if (wx >= threshold) heap.push(wx, Math.min(big, x), Math.max(big, x));
        }
      } else {
        // Linkage to x can only have dropped (bigger cluster, same evidence): the queued (small, x)
        // entry is an upper bound and is re-evaluated when popped.
        bigLinks.set(x, l);
        xLinks.set(big, l);
      }
    }
  }

  return collect(nodes, find);
}

function resolveOptions(options: Partial<ClusterOptions>): ClusterOptions {
  const opts: ClusterOptions = { ...DEFAULT_CLUSTER_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (opts as unknown as Record<string, unknown>)[key] = value;
  }
  if (!Number.isFinite(opts.linkThreshold) || opts.linkThreshold <= 0 || opts.linkThreshold > 1) {
    throw new RangeError(`linkThreshold must be in (0, 1], got ${opts.linkThreshold}`);
  }
  if (!Number.isInteger(opts.k) || opts.k < 1)
    throw new RangeError(`k must be a positive integer, got ${opts.k}`);
  return opts;
}

interface NeighbourLists {
  offsets: Int32Array;
  targets: Int32Array;
  sims: Float64Array;
  /** Position of edge i→j, or -1. */
  find(i: number, j: number): number;
}

/**
 * Each face's neighbours as node indices: unknown labels, self, duplicates and edges below the threshold
 * dropped, cut to the k most similar, then stored sorted by target (CSR) for binary search.
 */
function neighbourLists(
  nodes: readonly FaceNode[],
  indexOf: ReadonlyMap<number, number>,
  neighbors: (label: number) => readonly Neighbor[],
  threshold: number,
  k: number,
): NeighbourLists {
  const n = nodes.length;
  const offsets = new Int32Array(n + 1);
  let targets = new Int32Array(Math.min(n * k, 1 << 20));
  let sims = new Float64Array(targets.length);
  let used = 0;
  const js: number[] = [];
  const ss: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    js.length = 0;
    ss.length = 0;
    for (const nb of neighbors((nodes[i] as FaceNode).label)) {
      const j = indexOf.get(nb.label);
      if (j === undefined || j === i || !(nb.similarity >= threshold)) continue;
      js.push(j);
      ss.push(nb.similarity);
    }
    order.length = 0;
    for (let e = 0; e < js.length; e++) order.push(e);
    order.sort((x, y) => (ss[y] as number) - (ss[x] as number) || (js[x] as number) - (js[y] as number));
    const kept = new Map<number, number>();
    for (const e of order) {
      if (kept.size === k) break;
      const j = js[e] as number;
      if (!kept.has(j)) kept.set(j, ss[e] as number);
    }
    if (used + kept.size > targets.length) {
      const grown = Math.max(targets.length * 2, used + kept.size);
      const t = new Int32Array(grown);
      t.set(targets);
      targets = t;
      const s = new Float64Array(grown);
      s.set(sims);
      sims = s;
    }
    for (const j of [...kept.keys()].sort((x, y) => x - y)) {
      targets[used] = j;
      sims[used] = kept.get(j) as number;
      used++;
    }
    offsets[i + 1] = used;
  }
  return {
    offsets,
    targets,
    sims,
    find(i, j) {
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
  };
}

function unionImages(a: Set<string> | string | undefined, b: Set<string> | string | undefined): Set<string> {
  const sa = typeof a === 'string' ? new Set([a]) : (a ?? new Set<string>());
  if (b === undefined) return sa;
  if (typeof b === 'string') return sa.add(b);
  const [large, small] = sa.size >= b.size ? [sa, b] : [b, sa];
  for (const x of small) large.add(x);
  return large;
}

function imagesOverlap(a: Set<string> | string | undefined, b: Set<string> | string | undefined): boolean {
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
    const r = find(i);
    let members = byRoot.get(r);
    if (!members) {
      members = [];
      byRoot.set(r, members);
    }
    members.push(node.label);
  });
  const clusters = [...byRoot.values()];
  for (const c of clusters) c.sort((x, y) => x - y);
  clusters.sort((x, y) => y.length - x.length || (x[0] as number) - (y[0] as number));
  return clusters;
}
