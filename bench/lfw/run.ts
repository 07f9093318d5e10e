/**
 * LFW benchmark: the standard View 2 protocol on every deep-funneled frame, our pipeline and a peer
 * side by side on the same pairs. Prints a table, a one-line summary, and writes bench/results/lfw.json.
 *
 *   npm run bench:lfw -- [--peer-folds 10] [--no-peer] [--no-flip] [--no-upscale] [--single-core-sample 1000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DETECTOR_OPTIONS } from '../../src/vision/detect.js';
import { cosineSimilarity } from '../../src/vision/embed.js';
import { percentile, rocAuc, type ScoredPair, tarAtFar, tenFoldAccuracy, thresholdAtFmr } from './metrics.js';
import { embedWithOurs, type OurResult } from './ours.js';
import { type LfwPair, readAllImages, readPairs } from './protocol.js';

const args = parseArgs({
  options: {
    lfw: { type: 'string', default: resolve('../shared/datasets/lfw') },
    'peer-folds': { type: 'string', default: '10' },
    'no-peer': { type: 'boolean', default: false },
    'no-flip': { type: 'boolean', default: false },
    'no-upscale': { type: 'boolean', default: false },
    'single-core-sample': { type: 'string', default: '1000' },
    'peer-speed-sample': { type: 'string', default: '40' },
    out: { type: 'string', default: 'bench/results/lfw.json' },
  },
}).values;

const root = args.lfw as string;
const flip = !args['no-flip'];
const upscale = !args['no-upscale'];
const pipeline = upscale ? { flip } : { flip, detector: { ...DEFAULT_DETECTOR_OPTIONS, minWorkingSize: 0 } };
const cores = availableParallelism();
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const progress = (label: string) => (done: number, total: number) => {
  if (done % 500 === 0 || done === total) log(`  ${label}: ${done}/${total}`);
};

const pairs = readPairs(root);
const all = readAllImages(root);
const allPaths = all.map((x) => x.path);

log(`ours, 1 worker, first ${args['single-core-sample']} images…`);
const single = await embedWithOurs(allPaths.slice(0, Number(args['single-core-sample'])), 1, pipeline);
log(`ours, ${cores} workers, all ${allPaths.length} images…`);
const full = await embedWithOurs(allPaths, cores, pipeline, progress('ours'));
const peakRssMb = process.resourceUsage().maxRSS / 1024;

const ourScore = (r: Map<string, OurResult>) => (a: string, b: string) => {
  const ea = r.get(a)?.embedding;
  const eb = r.get(b)?.embedding;
  return ea && eb ? cosineSimilarity(ea, eb) : null;
};
const ours = verification(pairs, ourScore(full.results));

// Operating points from a far larger impostor set than pairs.txt's 3,000: one image per person, every cross pair.
const firstPerPerson = new Map<string, Float32Array>();
for (const { person, path } of all) {
  const e = full.results.get(path)?.embedding;
  if (e && !firstPerPerson.has(person)) firstPerPerson.set(person, e);
}
const impostorScores = crossScores([...firstPerPerson.values()]);
const FMR_GRID = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 3e-7, 1e-7];
const fmrTable = FMR_GRID.map((fmr) => ({ fmr, threshold: round(thresholdAtFmr(impostorScores, fmr), 4) }));
const fmr1e3 = thresholdAtFmr(impostorScores, 1e-3);
const fmr1e4 = thresholdAtFmr(impostorScores, 1e-4);
const genuine = pairs.filter((p) => p.same).map((p) => ourScore(full.results)(p.a, p.b));
const fnmrAt = (t: number) => genuine.filter((s) => s === null || s < t).length / genuine.length;

const noFaceAll = [...full.results.values()].filter((r) => !r.embedding).length;
const pairImages = new Set(pairs.flatMap((p) => [p.a, p.b]));
const noFacePairs = [...pairImages].filter((p) => !full.results.get(p)?.embedding).length;

const stage = (key: 'decode' | 'detect' | 'align' | 'embed') => {
  const xs = [...full.results.values()].flatMap((r) => (r.timings ? [r.timings[key]] : []));
  return { p50: round(percentile(xs, 0.5), 2), p95: round(percentile(xs, 0.95), 2) };
};

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cores, node: process.version },
  protocol:
    'LFW View 2 (pairs.txt, 10 folds × 600), deep-funneled 250×250 full frames through our own detector',
  ours: {
    name: `FaceLedger (YuNet-n dynamic${upscale ? ', small images enlarged to 480' : ''} + ArcFace-template alignment + MobileFaceNet${flip ? ', flip TTA' : ''})`,
    ...ours,
    noFaceAllLfw: noFaceAll,
    noFacePairImages: noFacePairs,
    imagesPerSecond1Core: round(single.imagesPerSecond, 1),
    imagesPerSecondAllCores: round(full.imagesPerSecond, 1),
    msPerStage: {
      decode: stage('decode'),
      detect: stage('detect'),
      align: stage('align'),
      embed: stage('embed'),
    },
    peakRssMb: round(peakRssMb, 0),
    operatingPoints: {
      impostorPairs: impostorScores.length,
      table: fmrTable,
      fmr1e3: { threshold: round(fmr1e3, 4), fnmrOnPairsTxt: round(fnmrAt(fmr1e3), 4) },
      fmr1e4: { threshold: round(fmr1e4, 4), fnmrOnPairsTxt: round(fnmrAt(fmr1e4), 4) },
    },
  },
};

if (!args['no-peer']) {
  const peer = await import('./peer/faceapi.js');
  const folds = Number(args['peer-folds']);
  const peerPairs = pairs.filter((p) => p.fold < folds);
  const peerImages = [...new Set(peerPairs.flatMap((p) => [p.a, p.b]))];
  const sample = peerImages.slice(0, Number(args['peer-speed-sample']));
  const speedCache = (n: number) => join('bench/cache', `peer-speed-${n}-${Date.now()}.jsonl`);
  log(`peer speed on ${sample.length} uncached images, 1 then ${cores} workers…`);
  const t1 = performance.now();
  await peer.describeWithPeer(sample, { workers: 1, cacheFile: speedCache(1) });
  const peer1 = sample.length / ((performance.now() - t1) / 1000);
  const t2 = performance.now();
  await peer.describeWithPeer(sample, { workers: cores, cacheFile: speedCache(cores) });
  const peerN = sample.length / ((performance.now() - t2) / 1000);
  log(`peer descriptors for ${peerImages.length} images (${folds} folds; cached in bench/cache)…`);
  const described = await peer.describeWithPeer(peerImages, {
    workers: cores,
    cacheFile: 'bench/cache/peer-descriptors.jsonl',
    onProgress: progress('peer'),
  });
  // face-api compares by euclidean distance; its negation is a similarity with the same ranking.
  const peerScore = (a: string, b: string) => {
    const da = described.get(a)?.descriptor;
    const db = described.get(b)?.descriptor;
    return da && db ? -Math.hypot(...da.map((x, i) => x - (db[i] ?? 0))) : null;
  };
  report.sideBySide = {
    folds,
    pairs: peerPairs.length,
    ours: verification(peerPairs, ourScore(full.results)),
    peer: {
      name: peer.PEER_NAME,
      ...verification(peerPairs, peerScore),
      noFacePairImages: peerImages.filter((p) => !described.get(p)?.descriptor).length,
      imagesPerSecond1Core: round(peer1, 2),
      imagesPerSecondAllCores: round(peerN, 2),
    },
  };
}

mkdirSync(dirname(args.out as string), { recursive: true });
writeFileSync(args.out as string, `${JSON.stringify(report, null, 2)}\n`);
printTable(report);

function verification(ps: LfwPair[], score: (a: string, b: string) => number | null) {
  const scored: ScoredPair[] = ps.map((p) => ({ fold: p.fold, same: p.same, score: score(p.a, p.b) }));
  const acc = tenFoldAccuracy(scored);
  return {
    accuracyMean: round(acc.mean, 4),
    accuracyStd: round(acc.std, 4),
    tarAtFar1e3: round(tarAtFar(scored, 1e-3).tar, 4),
    rocAuc: round(rocAuc(scored), 5),
    pairsWithMissingFace: scored.filter((s) => s.score === null).length,
  };
}

function crossScores(embeddings: Float32Array[]): Float32Array {
  const n = embeddings.length;
  const out = new Float32Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const a = embeddings[i] as Float32Array;
    for (let j = i + 1; j < n; j++) out[k++] = cosineSimilarity(a, embeddings[j] as Float32Array);
  }
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function printTable(r: Record<string, unknown>): void {
  const o = r.ours as Record<string, unknown> & { operatingPoints: { fmr1e3: { threshold: number } } };
  const side = r.sideBySide as
    | { folds: number; ours: Record<string, number>; peer: Record<string, number | string> }
    | undefined;
  const rows: string[][] = [
    [
      'system',
      'folds',
      'acc mean±std',
      'TAR@FAR1e-3',
      'AUC',
      'missing-face pairs',
      'img/s 1c',
      `img/s ${cores}c`,
    ],
  ];
  const fmt = (name: string, folds: number, v: Record<string, number | string>, s1: unknown, sN: unknown) => [
    name,
    String(folds),
    `${(Number(v.accuracyMean) * 100).toFixed(2)}±${(Number(v.accuracyStd) * 100).toFixed(2)}%`,
    String(v.tarAtFar1e3),
    String(v.rocAuc),
    String(v.pairsWithMissingFace),
    String(s1),
    String(sN),
  ];
  rows.push(
    fmt('FaceLedger', 10, o as Record<string, number>, o.imagesPerSecond1Core, o.imagesPerSecondAllCores),
  );
  if (side) {
    rows.push(fmt(`FaceLedger (peer folds)`, side.folds, side.ours, '', ''));
    rows.push(
      fmt(
        'face-api (peer)',
        side.folds,
        side.peer,
        side.peer.imagesPerSecond1Core,
        side.peer.imagesPerSecondAllCores,
      ),
    );
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows) log(row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  const summary = {
    bench: 'lfw',
    accuracy: o.accuracyMean,
    tarAtFar1e3: o.tarAtFar1e3,
    noFaceAllLfw: o.noFaceAllLfw,
    imagesPerSecond: o.imagesPerSecondAllCores,
    peakRssMb: o.peakRssMb,
    thresholdFmr1e3: o.operatingPoints.fmr1e3.threshold,
    peerAccuracy: side?.peer.accuracyMean,
    peerImagesPerSecond: side?.peer.imagesPerSecondAllCores,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
