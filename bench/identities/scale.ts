/**
 * How clustering time and memory grow with the gallery: synthetic k-NN lists (no embeddings), identities
 * of 1–200 faces (heavy-tailed), each face listing k neighbours — same-identity faces first, then random
 * impostors, some of them above the threshold. Prints seconds and heap per size; not a quality test.
 *
 *   node dist/bench/identities/scale.js [--sizes 25000,50000,100000,200000] [--k 32]
 */
import { parseArgs } from 'node:util';
import {
  clusterFaces,
  DEFAULT_CLUSTER_OPTIONS,
  type FaceNode,
  type Neighbor,
} from '../../src/gallery/identities/index.js';

const args = parseArgs({
  options: {
    sizes: { type: 'string', default: '25000,50000,100000,200000' },
    k: { type: 'string', default: String(DEFAULT_CLUSTER_OPTIONS.k) },
  },
}).values;
const k = Number(args.k);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function synthetic(n: number, seed: number) {
  const random = rng(seed);
  const identity = new Int32Array(n);
  const starts: number[] = [];
  for (let i = 0, id = 0; i < n; id++) {
    // Pareto-ish sizes: most identities 1–5 faces, a few in the hundreds.
    const size = Math.min(n - i, Math.max(1, Math.floor(1 / (random() ** 1.6 + 0.005))));
    starts.push(i);
    for (let f = 0; f < size; f++) identity[i++] = id;
  }
  starts.push(n);
  const lists: Neighbor[][] = [];
  for (let i = 0; i < n; i++) {
    const id = identity[i] as number;
    const from = starts[id] as number;
    const to = starts[id + 1] as number;
    const list: Neighbor[] = [];
    for (let tries = 0; list.length < Math.min(k, to - from - 1) && tries < 4 * k; tries++) {
      const j = from + Math.floor(random() * (to - from));
      if (j !== i) list.push({ label: j, similarity: 0.5 + 0.35 * random() });
    }
    while (list.length < k) list.push({ label: Math.floor(random() * n), similarity: 0.05 + 0.4 * random() });
    list.sort((a, b) => b.similarity - a.similarity);
    lists.push(list);
  }
  const nodes: FaceNode[] = Array.from({ length: n }, (_, i) => ({
    label: i,
    imageId: `img-${i}`,
    subjectId: null,
  }));
  return { nodes, lists };
}

process.stderr.write(`k = ${k}\n        n   seconds   µs/face   heap MB   clusters\n`);
for (const n of String(args.sizes).split(',').map(Number)) {
  const { nodes, lists } = synthetic(n, n);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const clusters = clusterFaces(nodes, (label) => lists[label] as Neighbor[], { k });
  const seconds = (performance.now() - start) / 1000;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  process.stderr.write(
    `${String(n).padStart(9)} ${seconds.toFixed(2).padStart(9)} ${((seconds * 1e6) / n).toFixed(1).padStart(9)} ` +
      `${heapMb.toFixed(0).padStart(9)} ${String(clusters.length).padStart(10)}\n`,
  );
}
