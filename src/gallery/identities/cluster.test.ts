import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterFaces, DEFAULT_CLUSTER_OPTIONS, type FaceNode, type Neighbor } from './index.js';
import { buildKnnGraph, hiddenShare } from './knn-graph.js';

// ---- synthetic embeddings -------------------------------------------------------------------------------

const DIM = 128;

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

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalize(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function randomUnit(random: () => number): number[] {
  return normalize(Array.from({ length: DIM }, () => gaussian(random)));
}

/** A face of the identity at `centre`: cosine to another such face ≈ 1 / (1 + spread²). */
function jitter(centre: readonly number[], spread: number, random: () => number): number[] {
  return normalize(centre.map((x) => x + (spread * gaussian(random)) / Math.sqrt(DIM)));
}

function mix(a: readonly number[], b: readonly number[], t: number): number[] {
  return normalize(a.map((x, i) => (1 - t) * x + t * (b[i] as number)));
}

const dot = (a: readonly number[], b: readonly number[]) =>
  a.reduce((s, x, i) => s + x * (b[i] as number), 0);

/** The caller's ANN index, done exactly: every face's `k` most similar other faces, best first. */
function bruteForce(embeddings: ReadonlyMap<number, readonly number[]>, k = 64) {
  const lists = new Map<number, Neighbor[]>();
  for (const [a, ea] of embeddings) {
    const all: Neighbor[] = [];
    for (const [b, eb] of embeddings) if (a !== b) all.push({ label: b, similarity: dot(ea, eb) });
    all.sort((x, y) => y.similarity - x.similarity);
    lists.set(a, all.slice(0, k));
  }
  return (label: number): readonly Neighbor[] => lists.get(label) ?? [];
}

interface Synthetic {
  nodes: FaceNode[];
  truth: Map<number, string>;
  embeddings: Map<number, number[]>;
}

/** `sizes[i]` faces of identity i, each from its own image; cosine within an identity ≈ 0.6. */
function synthetic(sizes: readonly number[], seed: number, spread = 0.8): Synthetic {
  const random = rng(seed);
  const nodes: FaceNode[] = [];
  const truth = new Map<number, string>();
  const embeddings = new Map<number, number[]>();
  sizes.forEach((size, id) => {
    const centre = randomUnit(random);
    for (let f = 0; f < size; f++) {
      const label = nodes.length;
      nodes.push({ label, imageId: `img-${label}`, subjectId: null });
      truth.set(label, `person-${id}`);
      embeddings.set(label, jitter(centre, spread, random));
    }
  });
  return { nodes, truth, embeddings };
}

function pairwise(clusters: number[][], truth: ReadonlyMap<number, string>) {
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const classSize = new Map<string, number>();
  for (const t of truth.values()) classSize.set(t, (classSize.get(t) ?? 0) + 1);
  let agree = 0;
  let predicted = 0;
  for (const c of clusters) {
    predicted += pairs(c.length);
    const cells = new Map<string, number>();
    for (const l of c) cells.set(truth.get(l) as string, (cells.get(truth.get(l) as string) ?? 0) + 1);
    for (const m of cells.values()) agree += pairs(m);
  }
  const actual = [...classSize.values()].reduce((s, n) => s + pairs(n), 0);
  return { precision: predicted ? agree / predicted : 1, recall: actual ? agree / actual : 1 };
}

function clusterOf(clusters: number[][], label: number): number[] {
  const c = clusters.find((x) => x.includes(label));
  assert.ok(c, `label ${label} is in no cluster`);
  return c;
}

function assertPartition(clusters: number[][], labels: readonly number[]) {
  const seen = clusters.flat();
  assert.equal(seen.length, labels.length, 'every label exactly once');
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [...labels].sort((a, b) => a - b),
  );
  for (const c of clusters) assert.ok(c.length > 0);
}

/** Reference single linkage: connected components over the same k-NN edges above the threshold. */
function singleLink(
  labels: readonly number[],
  neighbors: (l: number) => readonly Neighbor[],
  t: number,
  k: number,
) {
  const parent = new Map(labels.map((l) => [l, l]));
  const find = (x: number): number => {
    while (parent.get(x) !== x) x = parent.get(x) as number;
    return x;
  };
  for (const l of labels) {
    for (const nb of neighbors(l).slice(0, k)) if (nb.similarity >= t) parent.set(find(l), find(nb.label));
  }
  return (a: number, b: number) => find(a) === find(b);
}

// ---- tests ----------------------------------------------------------------------------------------------

describe('clusterFaces', () => {
  it('returns nothing for no faces', () => {
    assert.deepEqual(
      clusterFaces([], () => []),
      [],
    );
  });

  it('recovers known identities with high pairwise precision and recall', () => {
    // 40 identities of 1–60 faces (several larger than k) and 60 single-face distractors.
    const random = rng(7);
    const sizes = [
      ...Array.from({ length: 40 }, () => 1 + Math.floor(random() * 25)),
      60,
      45,
      ...Array(60).fill(1),
    ];
    const data = synthetic(sizes, 11);
    const k = 16;
    const clusters = clusterFaces(data.nodes, bruteForce(data.embeddings), { k });
    assertPartition(
      clusters,
      data.nodes.map((n) => n.label),
    );
    const { precision, recall } = pairwise(clusters, data.truth);
    assert.ok(precision >= 0.99, `pairwise precision ${precision}`);
    assert.ok(recall >= 0.95, `pairwise recall ${recall}`);
  });

  it('keeps an identity of about 12·k faces together (the sparse correction)', () => {
    const data = synthetic([150, 5, 5], 3);
    const neighbors = bruteForce(data.embeddings);
    const plain = clusterFaces(data.nodes, neighbors, { k: 12, sparseCorrection: false });
    assert.ok((plain[0] as number[]).length < 20, 'textbook average linkage splits it');
    const clusters = clusterFaces(data.nodes, neighbors, { k: 12 });
    const largest = clusters[0] as number[];
    assert.ok(largest.length >= 140, `largest cluster has ${largest.length} of 150`);
    assert.ok(largest.every((l) => data.truth.get(l) === 'person-0'));
  });

  it('does not chain two groups joined by a path of intermediate faces', () => {
    const random = rng(5);
    const a = randomUnit(random);
    const b = randomUnit(random);
    const embeddings = new Map<number, number[]>();
    const nodes: FaceNode[] = [];
    const add = (e: number[]) => {
      const label = nodes.length;
      nodes.push({ label, imageId: `img-${label}`, subjectId: null });
      embeddings.set(label, e);
      return label;
    };
    const groupA = Array.from({ length: 25 }, () => add(jitter(a, 0.5, random)));
    const groupB = Array.from({ length: 25 }, () => add(jitter(b, 0.5, random)));
    // A path from A to B: 11 faces, neighbours on it ~0.9 alike, the ends ~0.75 like their group.
    for (let i = 1; i <= 11; i++) add(jitter(mix(a, b, i / 12), 0.2, random));
    const neighbors = bruteForce(embeddings, 20);
    const t = DEFAULT_CLUSTER_OPTIONS.linkThreshold;

    const linked = singleLink(
      nodes.map((n) => n.label),
      neighbors,
      t,
      20,
    );
    assert.ok(
      linked(groupA[0] as number, groupB[0] as number),
      'the trap works: single linkage merges A and B',
    );

    const clusters = clusterFaces(nodes, neighbors, { k: 20 });
    assertPartition(
      clusters,
      nodes.map((n) => n.label),
    );
    const ca = clusterOf(clusters, groupA[0] as number);
    const cb = clusterOf(clusters, groupB[0] as number);
    assert.notEqual(ca, cb, 'A and B stay apart');
    assert.ok(
      groupA.every((l) => ca.includes(l)) && groupB.every((l) => cb.includes(l)),
      'each group stays whole',
    );
  });

  it('does not merge two large identities over a few bridging faces', () => {
    const random = rng(9);
    const a = randomUnit(random);
    const b = randomUnit(random);
    const embeddings = new Map<number, number[]>();
    const nodes: FaceNode[] = [];
    const add = (e: number[]) => {
      const label = nodes.length;
      nodes.push({ label, imageId: `img-${label}`, subjectId: null });
      embeddings.set(label, e);
      return label;
    };
    const groupA = Array.from({ length: 60 }, () => add(jitter(a, 0.8, random)));
    const groupB = Array.from({ length: 60 }, () => add(jitter(b, 0.8, random)));
    // Faces halfway between: each ~0.55 like both identities, far above the threshold.
    for (let i = 0; i < 4; i++) add(jitter(mix(a, b, 0.5), 0.3, random));
    const neighbors = bruteForce(embeddings, 12);

    const clusters = clusterFaces(nodes, neighbors, { k: 12 });
    const ca = clusterOf(clusters, groupA[0] as number);
    const cb = clusterOf(clusters, groupB[0] as number);
    assert.notEqual(ca, cb, 'A and B stay apart');
    // An outlier of one identity may side with the bridging faces (it is closer to them on average); the
    // identities themselves stay whole and apart. (Held over 100 seeds when written.)
    assert.ok(groupB.filter((l) => ca.includes(l)).length <= 2, 'at most a stray face of B with A');
    assert.ok(ca.filter((l) => groupA.includes(l)).length >= 55, 'A mostly whole');
    assert.ok(cb.filter((l) => groupB.includes(l)).length >= 55, 'B mostly whole');
  });

  it('puts faces sharing a subject id in one cluster, and never merges two subject ids', () => {
    const data = synthetic([6, 6, 6], 21);
    const nodes = data.nodes.map((n) => ({ ...n }));
    // Must-link across different-looking faces: face 0 (person 0) and face 6 (person 1) are one subject.
    (nodes[0] as FaceNode).subjectId = 'subject-x';
    (nodes[6] as FaceNode).subjectId = 'subject-x';
    // Person 2 is split by the manifest into two subjects: those must stay apart.
    for (const l of [12, 13, 14]) (nodes[l] as FaceNode).subjectId = 'subject-y';
    for (const l of [15, 16]) (nodes[l] as FaceNode).subjectId = 'subject-z';

    const clusters = clusterFaces(nodes, bruteForce(data.embeddings));
    assertPartition(
      clusters,
      nodes.map((n) => n.label),
    );
    assert.ok(clusterOf(clusters, 0).includes(6), 'must-link holds against the embeddings');
    const y = clusterOf(clusters, 12);
    assert.ok([13, 14].every((l) => y.includes(l)));
    assert.ok(![15, 16].some((l) => y.includes(l)), 'two subject ids never share a cluster');
    assert.ok(clusterOf(clusters, 15).includes(16));
    // Unlabelled face 17 of person 2 joins one of the two subjects, not both (they are apart anyway).
    for (const c of clusters) {
      const subjects = new Set(c.map((l) => (nodes[l] as FaceNode).subjectId).filter((s) => s !== null));
      assert.ok(subjects.size <= 1, `cluster ${c} mixes subjects ${[...subjects]}`);
    }
  });

  it('lets unlabelled faces join the cluster of their subject', () => {
    const data = synthetic([6, 6], 23);
    const nodes = data.nodes.map((n) => ({ ...n }));
    (nodes[0] as FaceNode).subjectId = 'alice';
    (nodes[3] as FaceNode).subjectId = 'alice';
    const clusters = clusterFaces(nodes, bruteForce(data.embeddings));
    assert.deepEqual(clusterOf(clusters, 0), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(clusterOf(clusters, 6), [6, 7, 8, 9, 10, 11]);
  });

  it('never puts two faces of one image in the same cluster', () => {
    const data = synthetic([8, 8], 31, 0.4);
    const nodes = data.nodes.map((n) => ({ ...n }));
    // Faces 0 and 1 (same person, very alike) were detected in the same photo; so were 8, 9 and 10.
    (nodes[1] as FaceNode).imageId = (nodes[0] as FaceNode).imageId;
    (nodes[9] as FaceNode).imageId = (nodes[8] as FaceNode).imageId;
    (nodes[10] as FaceNode).imageId = (nodes[8] as FaceNode).imageId;

    const clusters = clusterFaces(nodes, bruteForce(data.embeddings));
    assertPartition(
      clusters,
      nodes.map((n) => n.label),
    );
    for (const c of clusters) {
      const imageIds = c.map((l) => (nodes[l] as FaceNode).imageId);
      assert.equal(new Set(imageIds).size, imageIds.length, `cluster ${c} holds two faces of one image`);
    }
    assert.ok(!clusterOf(clusters, 0).includes(1));
    // The rest of each identity still clusters with one of the conflicting faces.
    assert.ok(clusterOf(clusters, 2).length >= 6);
  });

  it('lists every label exactly once whatever the neighbour lists hold', () => {
    const data = synthetic([5, 5, 1, 1], 41);
    const relabel = (l: number) => l * 1000 - 7; // sparse, negative and large labels
    const nodes = data.nodes.map((n) => ({ ...n, label: relabel(n.label) }));
    const inner = bruteForce(data.embeddings);
    const noisy = (label: number): Neighbor[] => {
      const list = inner((label + 7) / 1000).map((nb) => ({ ...nb, label: relabel(nb.label) }));
      return [
        { label, similarity: 1 }, // itself
        { label: 123456789, similarity: 0.99 }, // not a face of this batch (e.g. suppressed)
        { label: relabel(0), similarity: Number.NaN },
        ...list.reverse(), // unsorted
        ...list.slice(0, 2), // duplicates
      ];
    };
    const clusters = clusterFaces(nodes, noisy);
    assertPartition(
      clusters,
      nodes.map((n) => n.label),
    );
    assert.deepEqual(
      clusterFaces(nodes, () => []),
      nodes.map((n) => [n.label]).sort((a, b) => (a[0] as number) - (b[0] as number)),
      'no edges: all singletons',
    );
  });

  it('gives the same partition whatever the input order', () => {
    const data = synthetic([10, 7, 7, 3, 1, 1, 1], 51);
    const neighbors = bruteForce(data.embeddings);
    const canonical = (cs: number[][]) => cs.map((c) => c.join(',')).sort();
    const first = clusterFaces(data.nodes, neighbors, { k: 8 });
    const shuffled = [...data.nodes].reverse();
    assert.deepEqual(canonical(clusterFaces(shuffled, neighbors, { k: 8 })), canonical(first));
    assert.deepEqual(clusterFaces(data.nodes, neighbors, { k: 8 }), first);
  });

  it('merges in the same order as a brute-force agglomeration (the lazy heap loses nothing)', () => {
    // The reference recomputes every cluster pair's linkage after every merge, O(n^4), from the same
    // cleaned graph and crowd estimate; with subjects and shared images thrown in.
    const reference = (
      nodes: FaceNode[],
      neighbors: (l: number) => readonly Neighbor[],
      t: number,
      k: number,
    ) => {
      const n = nodes.length;
      const graph = buildKnnGraph(nodes, new Map(nodes.map((x, i) => [x.label, i])), neighbors, t, k);
      const hidden = hiddenShare(graph, k);
      const sim = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        for (let e = graph.offsets[i] as number; e < (graph.offsets[i + 1] as number); e++) {
          const j = graph.targets[e] as number;
          const key = Math.min(i, j) * n + Math.max(i, j);
          sim.set(key, Math.max(sim.get(key) ?? -1, graph.sims[e] as number));
        }
      }
      const clusters: number[][] = [];
      const bySubject = new Map<string, number[]>();
      for (let i = 0; i < n; i++) {
        const s = (nodes[i] as FaceNode).subjectId;
        const group = s === null ? undefined : bySubject.get(s);
        if (group) group.push(i);
        else {
          clusters.push([i]);
          if (s !== null) bySubject.set(s, clusters[clusters.length - 1] as number[]);
        }
      }
      const linkage = (a: number[], b: number[]) => {
        let sum = 0;
        let count = 0;
        for (const x of a)
          for (const y of b) {
            const v = sim.get(Math.min(x, y) * n + Math.max(x, y));
            if (v === undefined) continue;
            sum += v;
            count++;
          }
        const pairs = a.length * b.length;
        const h = (c: number[]) => c.reduce((acc, x) => acc + (hidden[x] as number), 0);
        let showable = pairs - h(a) * h(b);
        if (a.length + b.length - 1 > k)
          showable = Math.min(showable, (pairs * k) / (a.length + b.length - 1));
        return count ? sum / Math.max(showable, count) : -1;
      };
      const allowed = (a: number[], b: number[]) => {
        const subjects = new Set(
          [...a, ...b].map((x) => (nodes[x] as FaceNode).subjectId).filter((s) => s !== null),
        );
        const images = new Set(a.map((x) => (nodes[x] as FaceNode).imageId));
        return subjects.size <= 1 && !b.some((x) => images.has((nodes[x] as FaceNode).imageId));
      };
      for (;;) {
        let best: [number, number, number] = [-1, -1, -1];
        for (let x = 0; x < clusters.length; x++) {
          for (let y = x + 1; y < clusters.length; y++) {
            const [cx, cy] = [clusters[x] as number[], clusters[y] as number[]];
            const w = allowed(cx, cy) ? linkage(cx, cy) : -1;
            if (w > best[0]) best = [w, x, y];
          }
        }
        if (best[0] < t) break;
        (clusters[best[1]] as number[]).push(...(clusters[best[2]] as number[]));
        clusters.splice(best[2], 1);
      }
      return clusters
        .map((c) =>
          c
            .map((x) => (nodes[x] as FaceNode).label)
            .sort((x, y) => x - y)
            .join(','),
        )
        .sort();
    };

    for (let trial = 0; trial < 60; trial++) {
      const random = rng(1000 + trial);
      const n = 10 + Math.floor(random() * 30);
      const k = 2 + Math.floor(random() * 8);
      const t = 0.3 + 0.2 * random();
      const group = Array.from({ length: n }, () => Math.floor(random() * Math.max(2, n / 5)));
      const sims = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) {
          const s = group[a] === group[b] ? 0.45 + 0.4 * random() : 0.1 + 0.4 * random();
          (sims[a] as number[])[b] = s;
          (sims[b] as number[])[a] = s;
        }
      }
      const nodes: FaceNode[] = Array.from({ length: n }, (_, i) => ({
        label: 3 * i + 1,
        imageId: `img-${Math.floor(random() * n * 0.9)}`,
        subjectId: random() < 0.1 ? `s${Math.floor(random() * 3)}` : null,
      }));
      const neighbors = (label: number): Neighbor[] => {
        const i = (label - 1) / 3;
        return Array.from({ length: n }, (_, j) => ({
          label: 3 * j + 1,
          similarity: (sims[i] as number[])[j] as number,
        }))
          .filter((nb) => nb.label !== label)
          .sort((x, y) => y.similarity - x.similarity)
          .slice(0, k + 2);
      };
      const got = clusterFaces(nodes, neighbors, { k, linkThreshold: t })
        .map((c) => c.join(','))
        .sort();
      assert.deepEqual(got, reference(nodes, neighbors, t, k), `trial ${trial}`);
    }
  });

  it('rejects duplicate labels and bad options', () => {
    const nodes: FaceNode[] = [
      { label: 1, imageId: 'a', subjectId: null },
      { label: 1, imageId: 'b', subjectId: null },
    ];
    assert.throws(() => clusterFaces(nodes, () => []), RangeError);
    const one = [nodes[0] as FaceNode];
    assert.throws(() => clusterFaces(one, () => [], { k: 0 }), RangeError);
    assert.throws(() => clusterFaces(one, () => [], { k: 2.5 }), RangeError);
    assert.throws(() => clusterFaces(one, () => [], { linkThreshold: Number.NaN }), RangeError);
    assert.throws(() => clusterFaces(one, () => [], { linkThreshold: 1.5 }), RangeError);
  });
});
