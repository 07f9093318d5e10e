/**
 * Identity clustering on real embeddings (LFW): people with ≥ 4 images plus as many single-image people as
 * distractors, clustered without subject ids; pairwise and BCubed precision / recall / F per threshold.
 * Prints a table and writes bench/results/identities.json.
 *
 *   node dist/bench/identities/run.js folders [--lfw DIR] > /tmp/id-folders.txt
 *   node dist/src/cli/main.js embed --json --files-from /tmp/id-folders.txt > /tmp/lfw-emb.jsonl  (7,343 images, ~5 min)
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
import { chineseWhispers, singleLink } from './baselines.js';
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
if (!ks.length) throw new RangeError('--k must be a positive integer');
const kMax = Math.max(...ks);
const dim = faces[0]?.embedding.length ?? 0;
const flat = new Float32Array(n * dim);
for (const [i, f] of faces.entries()) flat.set(f.embedding, i * dim);
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
const personSizes = new Map<string, number>();
for (const f of faces) personSizes.set(f.person, (personSizes.get(f.person) ?? 0) + 1);
const [largest = '', largestSize = 0] = [...personSizes].sort((a, b) => b[1] - a[1])[0] ?? [];

interface Row {
  method: string;
  k: number;
  linkThreshold: number;
  seconds: number;
  scores: ClusterScores;
  /** How many clusters the largest identity's faces end up in (1 = kept together). */
  largestIdentityClusters: number;
}
const rows: Row[] = [];
const run = (method: string, k: number, t: number, cluster: () => number[][]) => {
  const start = performance.now();
  const clusters = cluster();
  const seconds = (performance.now() - start) / 1000;
  rows.push({
    method,
    k,
    linkThreshold: t,
    seconds: Math.round(seconds * 1000) / 1000,
    scores: scoreClustering(clusters, truth),
    largestIdentityClusters: clusters.filter((c) => c.some((l) => truth(l) === largest)).length,
  });
};

const OURS = 'average linkage, sparse-corrected';
const thresholds = String(args.thresholds).split(',').map(Number);
const kMain = ks[0] as number;
for (const t of thresholds) {
  run(OURS, kMain, t, () => clusterFaces(nodes, neighbours(kMain), { linkThreshold: t, k: kMain }));
}
const baselines: [string, (t: number) => number[][]][] = [
  [
    'textbook average linkage',
    (t) => clusterFaces(nodes, neighbours(kMain), { linkThreshold: t, k: kMain, sparseCorrection: false }),
  ],
  ['single linkage', (t) => singleLink(n, neighbours(kMain), t, kMain)],
  ['Chinese whispers', (t) => chineseWhispers(n, neighbours(kMain), t, kMain)],
];
for (const [method, cluster] of baselines)
  for (const t of thresholds) run(method, kMain, t, () => cluster(t));
for (const k of ks.slice(1)) {
  for (const t of [0.35, 0.4, 0.45]) {
    run(OURS, k, t, () => clusterFaces(nodes, neighbours(k), { linkThreshold: t, k }));
  }
}

const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
log(
  `\npairwise (pw) and BCubed (bc) precision / recall / F; "split" = clusters holding ${largest} (${largestSize} faces)`,
);
log(
  'method                              k  thresh   pw-P   pw-R  pw-F1   bc-P   bc-R   bc-F  clusters  split   secs',
);
let previous = '';
for (const r of rows) {
  const { pairwise: p, bcubed: b } = r.scores;
  if (previous && previous !== `${r.method} ${r.k}`) log('');
  previous = `${r.method} ${r.k}`;
  log(
    `${r.method.padEnd(33)} ${String(r.k).padStart(3)}  ${r.linkThreshold.toFixed(4)} ${pct(p.precision)} ` +
      `${pct(p.recall)} ${pct(p.f1)} ${pct(b.precision)} ${pct(b.recall)} ${pct(b.f)} ` +
      `${String(r.scores.clusters).padStart(9)} ${String(r.largestIdentityClusters).padStart(6)} ${r.seconds.toFixed(2).padStart(6)}`,
  );
}

const report = {
  date: new Date().toISOString(),
  data: {
    embeddings: args.embeddings,
    protocol:
      `LFW deep-funneled: people with ≥ ${MIN_IMAGES} images + as many single-image people (every ` +
      'n-th name) as distractors; per file the detected face nearest the image centre; exact k-NN lists ' +
      '(brute force); no subject ids, every face its own image',
    people: identities.length,
    distractors: distractors.length,
    faces: n,
    filesWithoutFace: errorLines,
    largestIdentity: { name: largest, faces: largestSize },
  },
  defaults: DEFAULT_CLUSTER_OPTIONS,
  rows,
};
mkdirSync(dirname(args.out as string), { recursive: true });
writeFileSync(args.out as string, `${JSON.stringify(report, null, 2)}\n`);
log(`\nwrote ${args.out}`);
