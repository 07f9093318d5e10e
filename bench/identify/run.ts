/**
 * Open-set 1:N identification on LFW (`npm run bench:identify`): enrol one photo of each of half the
 * people who have ≥ 2 photos, plus every single-photo person as a distractor; mated probes are the
 * other photos of enrolled people, non-mated probes every photo of the held-out half. Everything runs
 * through the product's own services: manifest ingest, then SearchService per probe.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FaceLedgerApp } from '../../src/services/app.js';
import { GalleryService } from '../../src/services/gallery-service.js';
import { type SearchResult, SearchService } from '../../src/services/search-service.js';
import { percentile } from '../lfw/metrics.js';
import { lfwImagePath } from '../lfw/protocol.js';

const args = parseArgs({
  options: {
    lfw: { type: 'string', default: resolve('../shared/datasets/lfw') },
    'latency-sample': { type: 'string', default: '300' },
    out: { type: 'string', default: 'bench/results/identify.json' },
  },
}).values;
const root = args.lfw as string;
const log = (m: string) => process.stderr.write(`${m}\n`);

// Deterministic split: alternate people (in lfw-names order) between enrolled and held out.
const people = readFileSync(join(root, 'lfw-names.txt'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.trim().split(/\s+/))
  .map(([name, n]) => ({ name: name as string, count: Number(n) }));
const multi = people.filter((p) => p.count >= 2);
const enrolled = multi.filter((_, i) => i % 2 === 0);
const heldOut = multi.filter((_, i) => i % 2 === 1);
const singles = people.filter((p) => p.count === 1);

const dataDir = mkdtempSync(join(tmpdir(), 'fl-identify-'));
const manifest = join(dataDir, 'manifest.csv');
const rows = ['path,subject_id'];
for (const p of [...enrolled, ...singles]) rows.push(`${lfwImagePath(root, p.name, 1)},${p.name}`);
mkdirSync(dataDir, { recursive: true });
writeFileSync(manifest, `${rows.join('\n')}\n`);

const mated = enrolled.flatMap((p) =>
  Array.from({ length: p.count - 1 }, (_, i) => ({
    path: lfwImagePath(root, p.name, i + 2),
    person: p.name,
  })),
);
const nonMated = heldOut.flatMap((p) =>
  Array.from({ length: p.count }, (_, i) => ({ path: lfwImagePath(root, p.name, i + 1), person: p.name })),
);

const app = FaceLedgerApp.open({ dataDir, workers: availableParallelism() });
try {
  const galleries = new GalleryService(app);
  galleries.create({ name: 'identify', legalBasis: 'benchmark', createdBy: 'bench' });
  await app.pool();
  log(`ingesting ${rows.length - 1} gallery photos…`);
  const t0 = performance.now();
  const job = await galleries.ingest({ gallery: 'identify', source: manifest, createdBy: 'bench' });
  const ingestSeconds = (performance.now() - t0) / 1000;

  const search = new SearchService(app);
  const run = async (probes: { path: string; person: string }[]) => {
    const out: { person: string; result: SearchResult | null }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const p = probes[next++] as { path: string; person: string };
        const result = await search
          .search({ probe: { path: p.path }, galleries: ['identify'], top: 10 })
          .catch(() => null);
        out.push({ person: p.person, result });
      }
    };
    await Promise.all(Array.from({ length: availableParallelism() * 2 }, worker));
    return out;
  };
  log(`searching ${mated.length} mated and ${nonMated.length} non-mated probes…`);
  const t1 = performance.now();
  const matedResults = await run(mated);
  const nonMatedResults = await run(nonMated);
  const searchSeconds = (performance.now() - t1) / 1000;

  // The protocol's gallery is one labelled face per person; bystanders also enrolled from those photos
  // carry no subject id and are left out of the ranking (they may even be the probe's own person).
  const subjects = (r: { result: SearchResult | null }) =>
    r.result?.candidates.filter((c) => c.subjectId !== null) ?? [];
  const rankOf = (r: { person: string; result: SearchResult | null }) => {
    const i = subjects(r).findIndex((c) => c.subjectId === r.person);
    return i < 0 ? Number.POSITIVE_INFINITY : i + 1;
  };
  const topScore = (r: { result: SearchResult | null }) =>
    subjects(r)[0]?.similarity ?? Number.NEGATIVE_INFINITY;
  const rank1 = matedResults.filter((r) => rankOf(r) === 1).length / mated.length;
  const rank10 = matedResults.filter((r) => rankOf(r) <= 10).length / mated.length;
  // Open-set: a threshold T at a false-positive identification rate over non-mated top-1 scores,
  // and the share of mated probes whose mate is not at rank 1 with a score ≥ T.
  const nonMatedTop = nonMatedResults.map(topScore).sort((a, b) => b - a);
  const fnirAt = (fpir: number) => {
    const allowed = Math.floor(fpir * nonMatedTop.length);
    const t = (nonMatedTop[allowed] ?? Number.NEGATIVE_INFINITY) + 1e-6;
    const hits = matedResults.filter((r) => rankOf(r) === 1 && topScore(r) >= t).length;
    return { threshold: Math.round(t * 1e4) / 1e4, fnir: Math.round((1 - hits / mated.length) * 1e4) / 1e4 };
  };
  const possible = matedResults[0]?.result?.thresholds.possible ?? 0;
  const falseMatchesAtPossible = nonMatedTop.filter((s) => s >= possible).length / nonMatedTop.length;

  log(`end-to-end latency on ${args['latency-sample']} single searches…`);
  const latencies: number[] = [];
  for (const p of mated.slice(0, Number(args['latency-sample']))) {
    const t = performance.now();
    await search.search({ probe: { path: p.path }, galleries: ['identify'], top: 10 }).catch(() => null);
    latencies.push(performance.now() - t);
  }

  const report = {
    date: new Date().toISOString(),
    machine: { cores: availableParallelism(), node: process.version },
    gallery: {
      photos: rows.length - 1,
      enrolledPeople: enrolled.length,
      distractors: singles.length,
      faces: job.facesEnrolled,
    },
    probes: {
      mated: mated.length,
      nonMated: nonMated.length,
      failed: [...matedResults, ...nonMatedResults].filter((r) => !r.result).length,
    },
    rank1: Math.round(rank1 * 1e4) / 1e4,
    rank10: Math.round(rank10 * 1e4) / 1e4,
    fnirAtFpir1e2: fnirAt(0.01),
    fnirAtFpir1e3: fnirAt(0.001),
    nonMatedAbovePossibleThreshold: Math.round(falseMatchesAtPossible * 1e4) / 1e4,
    ingest: {
      imagesPerSecond: Math.round(((rows.length - 1) / ingestSeconds) * 10) / 10,
      facesPerSecond: Math.round((job.facesEnrolled / ingestSeconds) * 10) / 10,
      filtered: job.facesFiltered,
      noFace: job.noFace,
    },
    searchThroughputPerSecond: Math.round(((mated.length + nonMated.length) / searchSeconds) * 10) / 10,
    endToEndSearchMs: {
      p50: Math.round(percentile(latencies, 0.5) * 10) / 10,
      p99: Math.round(percentile(latencies, 0.99) * 10) / 10,
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(args.out as string, `${JSON.stringify(report, null, 2)}\n`);
  log(JSON.stringify(report, null, 2));
  process.stdout.write(
    `${JSON.stringify({ bench: 'identify', rank1: report.rank1, rank10: report.rank10, fnirAtFpir1e2: report.fnirAtFpir1e2.fnir, ingestImagesPerSecond: report.ingest.imagesPerSecond, searchP50Ms: report.endToEndSearchMs.p50, searchP99Ms: report.endToEndSearchMs.p99 })}\n`,
  );
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
