/**
 * Identity clustering on real embeddings (LFW): people with ≥ 4 images plus as many single-image people as
 * distractors, clustered without subject ids; pairwise and BCubed precision / recall / F per threshold.
 * Prints a table and writes bench/results/identities.json.
 *
 *   node dist/bench/identities/run.js folders [--lfw DIR] > /tmp/id-folders.txt
 *   node dist/src/cli/main.js embed --json --files-from /tmp/id-folders.txt > /tmp/lfw-emb.jsonl
 *   node dist/bench/identities/run.js [--embeddings /tmp/lfw-emb.jsonl] [--thresholds 0.30,0.35,…] [--k 32]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  clusterFaces,
  DEFAULT_CLUSTER_OPTIONS,
  type FaceNode,
  type Neighbor,
} from '../../src/gallery/identities/index.js';
import { type ClusterScores, scoreClustering } from './metrics.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lfw: { type: 'string', default: resolve('../shared/datasets/lfw') },
    embeddings: { type: 'string', default: '/tmp/lfw-emb.jsonl' },
    thresholds: { type: 'string', default: '0.30,0.3336,0.35,0.40,0.4032,0.45,0.50' },
    k: { type: 'string', default: String(DEFAULT_CLUSTER_OPTIONS.k) },
    'ablation-k': { type: 'string', default: '8,16,64,128' },
    out: { type: 'string', default: 'bench/results/identities.json' },
  },
});

const MIN_IMAGES = 4;
const IMAGE_CENTRE = 125; // LFW frames are 250×250, centred on the subject
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Every `step`-th name of `names`, `count` of them, so the choice spreads over the alphabet. */
function spread<T>(names: readonly T[], count: number): T[] {
  const step = Math.max(1, Math.floor(names.length / Math.max(count, 1)));
  const out: T[] = [];
  for (let i = 0; i < names.length && out.length < count; i += step) out.push(names[i] as T);
  return out;
}

if (positionals[0] === 'folders') {
  const root = args.lfw as string;
  const rows = readFileSync(join(root, 'lfw-names.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((r) => r.length === 2)
    .map(([name, count]) => ({ name: name as string, count: Number(count) }));
  const people = rows.filter((r) => r.count >= MIN_IMAGES).map((r) => r.name);
  const distractors = spread(
    rows.filter((r) => r.count === 1).map((r) => r.name),
    people.length,
  );
  for (const name of [...people, ...distractors]) process.stdout.write(`${join(root, 'lfw', name)}\n`);
  process.exit(0);
}

// ---- read embeddings: per file the face nearest the image centre -------------------------------------
interface Face {
  file: string;
  person: string;
  embedding: Float32Array;
}
const bestPerFile = new Map<string, { d: number; embedding: number[] }>();
const filesPerPerson = new Map<string, Set<string>>();
let errorLines = 0;
for (const line of readFileSync(args.embeddings as string, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const row = JSON.parse(line) as { file: string; box?: number[]; embedding?: number[]; error?: unknown };
  const person = basename(dirname(row.file));
  let files = filesPerPerson.get(person);
  if (!files) {
    files = new Set();
    filesPerPerson.set(person, files);
  }
  files.add(row.file);
  if (row.error || !row.box || !row.embedding) {
    errorLines++;
    continue;
  }
  const [x = 0, y = 0, w = 0, h = 0] = row.box;
  const d = Math.hypot(x + w / 2 - IMAGE_CENTRE, y + h / 2 - IMAGE_CENTRE);
  const prev = bestPerFile.get(row.file);
  if (!prev || d < prev.d) bestPerFile.set(row.file, { d, embedding: row.embedding });
}

const identities = [...filesPerPerson].filter(([, f]) => f.size >= MIN_IMAGES).map(([p]) => p);
const singles = [...filesPerPerson]
  .filter(([, f]) => f.size === 1)
  .map(([p]) => p)
  .sort();
const distractors = spread(singles, identities.length);
const chosen = new Set([...identities, ...distractors]);
const faces: Face[] = [];
for (const [file, { embedding }] of [...bestPerFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
  const person = basename(dirname(file));
  if (chosen.has(person)) faces.push({ file, person, embedding: Float32Array.from(embedding) });
}
const n = faces.length;
log(
  `${identities.length} people with ≥ ${MIN_IMAGES} images, ${distractors.length} distractors: ${n} faces ` +
    `(${errorLines} files without a face skipped)`,
);

// ---- exact k-NN lists (brute force, enough for the largest k asked) -----------------------------------
const ks = [Number(args.k), ...String(args['ablation-k']).split(',').map(Number)].filter((x) => x > 0);
const kMax = Math.max(...ks);
const dim = faces[0]?.embedding.length ?? 0;
const flat = new Float32Array(n * dim);
faces.forEach((f, i) => flat.set(f.embedding, i * dim));
const knn: Neighbor[][] = [];
const t0 = performance.now();
const topSim = new Float64Array(kMax);
const topIdx = new Int32Array(kMax);
for (let i = 0; i < n; i++) {
  // Keep the kMax best in a sorted array: a new candidate only costs anything when it beats the last.
  let filled = 0;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let s = 0;
    for (let d = 0, a = i * dim, b = j * dim; d < dim; d++)
      s += (flat[a + d] as number) * (flat[b + d] as number);
    if (filled === kMax && s <= (topSim[kMax - 1] as number)) continue;
    let p = filled < kMax ? filled++ : kMax - 1;
    while (p > 0 && (topSim[p - 1] as number) < s) {
      topSim[p] = topSim[p - 1] as number;
      topIdx[p] = topIdx[p - 1] as number;
      p--;
    }
    topSim[p] = s;
    topIdx[p] = j;
  }
  const list: Neighbor[] = [];
  for (let e = 0; e < filled; e++) list.push({ label: topIdx[e] as number, similarity: topSim[e] as number });
  knn.push(list);
}
log(`brute-force ${kMax}-NN over ${n} faces: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const nodes: FaceNode[] = faces.map((f, i) => ({ label: i, imageId: f.file, subjectId: null }));
const truth = (label: number) => (faces[label] as Face).person;
const neighbours = (k: number) => (label: number) => (knn[label] as Neighbor[]).slice(0, k);

/** Baseline: connected components of the k-NN graph above the threshold (single linkage). */
function singleLink(threshold: number, k: number): number[][] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x] as number] as number;
      x = parent[x] as number;
    }
    return x;
  };
  for (let i = 0; i < n; i++) {
    for (const nb of neighbours(k)(i)) if (nb.similarity >= threshold) parent[find(i)] = find(nb.label);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const members = groups.get(find(i));
    if (members) members.push(i);
    else groups.set(find(i), [i]);
  }
  return [...groups.values()];
}

interface Row {
  method: string;
  k: number;
  linkThreshold: number;
  seconds: number;
  scores: ClusterScores;
}
const rows: Row[] = [];
const thresholds = String(args.thresholds).split(',').map(Number);
const run = (method: string, k: number, t: number, f: () => number[][]) => {
  const start = performance.now();
  const clusters = f();
  const seconds = (performance.now() - start) / 1000;
  const scores = scoreClustering(clusters, truth);
  rows.push({ method, k, linkThreshold: t, seconds, scores });
};
const kMain = Number(args.k);
for (const t of thresholds) {
  run('average-linkage (k-NN aware)', kMain, t, () =>
    clusterFaces(nodes, neighbours(kMain), { linkThreshold: t, k: kMain }),
  );
}
for (const t of thresholds) {
  run('plain average-linkage', kMain, t, () =>
    clusterFaces(nodes, neighbours(kMain), { linkThreshold: t, k: kMain, sparseCorrection: false }),
  );
  run('single-link', kMain, t, () => singleLink(t, kMain));
}
for (const k of ks.slice(1)) {
  for (const t of [0.35, 0.4, 0.45]) {
    run('average-linkage (k-NN aware)', k, t, () =>
      clusterFaces(nodes, neighbours(k), { linkThreshold: t, k }),
    );
  }
}

const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
log('');
log('method                         k   thresh   pw-P   pw-R  pw-F1   bc-P   bc-R   bc-F  clusters  secs');
for (const r of rows) {
  const { pairwise: p, bcubed: b } = r.scores;
  log(
    `${r.method.padEnd(29)} ${String(r.k).padStart(3)}  ${r.linkThreshold.toFixed(4)} ${pct(p.precision)} ${pct(p.recall)} ` +
      `${pct(p.f1)} ${pct(b.precision)} ${pct(b.recall)} ${pct(b.f)} ${String(r.scores.clusters).padStart(9)} ${r.seconds.toFixed(2).padStart(5)}`,
  );
}

const report = {
  date: new Date().toISOString(),
  data: {
    embeddings: args.embeddings,
    protocol:
      `LFW deep-funneled: people with ≥ ${MIN_IMAGES} images + an equal number of single-image distractors; ` +
      'per file the detected face nearest the image centre; exact k-NN lists; no subject ids',
    people: identities.length,
    distractors: distractors.length,
    faces: n,
    filesWithoutFace: errorLines,
  },
  defaults: DEFAULT_CLUSTER_OPTIONS,
  rows,
};
mkdirSync(dirname(args.out as string), { recursive: true });
writeFileSync(args.out as string, `${JSON.stringify(report, null, 2)}\n`);
log(`\nwrote ${args.out}`);
