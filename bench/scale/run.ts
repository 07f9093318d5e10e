/**
 * Scale benchmark of the per-gallery HNSW index (usearch) on synthetic clustered 128-d unit vectors.
 *
 *   npm run bench:scale -- --n 1000000 [--quantization f32|f16|i8] [--metric ip|cos] [--connectivity 16] [--threads 2]
 *                          [--expansion-add 128] [--expansion-search 128] [--queries 1000] [--gt-queries N]
 *                          [--curve 16,32,64,128,256,512] [--seed 42] [--noise 0.06] [--chunk 100000]
 *                          [--dir /tmp] [--out bench/results/scale-<n>.json]
 *
 * Measures: build time (usearch add on all threads, vectors generated and added in chunks so at most one
 * chunk is held in JS), RSS, bytes on disk, single-query latency p50/p99 at top-10, recall@10 against
 * exact brute force computed in the same run over the same chunks (on a query subset when n is large),
 * 1% deletes interleaved with queries (checking no removed label comes back), and a recall/latency curve
 * over expansion_search (the saved index reopened with each ef). Prints a one-line JSON summary on stdout
 * and writes the full JSON to bench/results/scale-<n>.json. Progress goes to stderr.
 *
 * The exact-vs-HNSW crossover that sets the AdaptiveIndex threshold is measured by threshold.ts
 * (`npm run build && node dist/bench/scale/threshold.js`).
 *
 * Timings depend on the machine and on whatever else is running: the load average at start and end is
 * recorded in the JSON so a noisy run can be recognised.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ExactIndex } from '../../src/gallery/vector-index/exact-index.js';
import {
  HNSW_DEFAULTS,
  HnswIndex,
  type HnswMetric,
  type HnswQuantization,
} from '../../src/gallery/vector-index/hnsw-index.js';
import { ClusteredVectors, seededRandom } from '../../src/gallery/vector-index/synthetic.js';
import type { Neighbor } from '../../src/gallery/vector-index/vector-index.js';
import {
  collectGarbage,
  cpuNow,
  GroundTruth,
  latencySummary,
  log,
  MB,
  machine,
  memory,
  now,
  numberArg,
  parseArgs,
  recallAtK,
} from './common.js';

const D = 128;
const K = 10;
/** Ground truth keeps this many per query, so that after 1% deletes ≥ 10 survive. */
const GT_DEPTH = 32;

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const n = numberArg(args, 'n', 100_000);
  const quantization = (args.get('quantization') ?? HNSW_DEFAULTS.quantization) as HnswQuantization;
  const connectivity = numberArg(args, 'connectivity', HNSW_DEFAULTS.connectivity);
  const metric = (args.get('metric') ?? (quantization === 'i8' ? 'cos' : HNSW_DEFAULTS.metric)) as HnswMetric;
  const expansionAdd = numberArg(args, 'expansion-add', HNSW_DEFAULTS.expansionAdd);
  const expansionSearch = numberArg(args, 'expansion-search', HNSW_DEFAULTS.expansionSearch);
  const threads = numberArg(args, 'threads', availableParallelism());
  const queriesN = numberArg(args, 'queries', 1000);
  const gtN = Math.min(queriesN, numberArg(args, 'gt-queries', n > 2_000_000 ? 200 : 1000));
  const chunkRows = numberArg(args, 'chunk', 100_000);
  const seed = numberArg(args, 'seed', 42);
  const noise = numberArg(args, 'noise', 0.06);
  const deleteFraction = numberArg(args, 'delete-fraction', 0.01);
  const curve = (args.get('curve') ?? '16,32,64,128,256,512').split(',').map(Number);
  const out = resolve(args.get('out') ?? join('bench', 'results', `scale-${n}.json`));
  const workDir = mkdtempSync(join(args.get('dir') ?? tmpdir(), 'faceledger-scale-'));
  const indexPath = join(workDir, 'gallery.index');

  const params = {
    n,
    dimensions: D,
    metric,
    quantization,
    connectivity,
    expansionAdd,
    expansionSearch,
    threads,
    queries: queriesN,
    gtQueries: gtN,
    chunkRows,
    seed,
    noise,
    deleteFraction,
  };
  log(`scale bench ${JSON.stringify(params)}`);
  const startMachine = machine();
  const t0 = now();

  // ---- build, with ground truth computed over the same chunks --------------------------------------------
  const data = new ClusteredVectors({ count: n, seed, noise, dimensions: D });
  const queries = data.queries(queriesN);
  const gtQueries = queries.slice(0, gtN * D);
  const truthAcc = new GroundTruth(gtQueries, D, GT_DEPTH, threads);
  const index = new HnswIndex({
    dimensions: D,
    metric,
    quantization,
    connectivity,
    expansionAdd,
    expansionSearch,
    threads,
  });
  let genMs = 0;
  let addMs = 0;
  let truthMs = 0;
  let peakRss = 0;
  for (let from = 0; from < n; from += chunkRows) {
    const to = Math.min(n, from + chunkRows);
    let t = now();
    const chunk = data.chunk(from, to);
    const labels = Array.from({ length: to - from }, (_, i) => data.label(from + i));
    genMs += now() - t;
    t = now();
    index.add(labels, chunk);
    addMs += now() - t;
    t = now();
    truthAcc.feed(chunk, data.label(from));
    truthMs += now() - t;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const done = to / n;
    log(
      `built ${to}/${n} (${(done * 100).toFixed(0)}%), add ${(addMs / 1000).toFixed(1)} s, rss ${Math.round(process.memoryUsage().rss / MB)} MB`,
    );
  }
  const truth = truthAcc.result();
  collectGarbage();
  const build = {
    addSeconds: round(addMs / 1000),
    vectorsPerSecond: Math.round(n / (addMs / 1000)),
    generateSeconds: round(genMs / 1000),
    groundTruthSeconds: round(truthMs / 1000),
    wallSeconds: round((now() - t0) / 1000),
  };
  const memoryAfterBuild = { ...memory(), peakRssDuringBuildMB: Math.round(peakRss / MB) };
  log(`build ${JSON.stringify(build)} memory ${JSON.stringify(memoryAfterBuild)}`);

  // ---- save -------------------------------------------------------------------------------------------------
  let t = now();
  index.save(indexPath);
  const disk = { bytes: statSync(indexPath).size, saveSeconds: round((now() - t) / 1000) };
  log(`saved ${(disk.bytes / MB).toFixed(0)} MB in ${disk.saveSeconds} s`);

  // ---- search latency and recall at the configured ef ------------------------------------------------------
  const search = measure(index, queries, gtN, truth, data);
  log(`search ef=${expansionSearch}: ${JSON.stringify(search)}`);

  // ---- deletes (1%) interleaved with queries ---------------------------------------------------------------
  const deletes = deleteWhileQuerying(index, data, queries, gtN, truth, deleteFraction);
  log(`deletes: ${JSON.stringify({ ...deletes.summary })}`);

  // ---- save again (with tombstones), then the ef curve on reopened copies --------------------------------
  t = now();
  index.save(indexPath);
  const saveAfterDeletesSeconds = round((now() - t) / 1000);
  const tombstones = index.tombstones();
  index.close();
  collectGarbage();
  const curvePoints: Array<Record<string, number>> = [];
  let loadSeconds = 0;
  for (const ef of curve) {
    t = now();
    const copy = HnswIndex.open(indexPath, { expansionSearch: ef, threads, verify: ef === curve[0] });
    const openMs = now() - t;
    if (ef === curve[0]) loadSeconds = round(openMs / 1000);
    const point = measure(copy, queries, gtN, truth, data, deletes.removed);
    curvePoints.push({
      ef,
      ...point.latencyMs,
      cpuP50: point.cpuMs.p50,
      cpuP99: point.cpuMs.p99,
      recallAt10: point.recallAt10,
      matchRecall: point.matchRecall,
    });
    log(`curve ef=${ef}: ${JSON.stringify(point)}`);
    copy.close();
  }
  collectGarbage();

  // ---- memory-mapped (view) at the configured ef --------------------------------------------------------------
  const rssBeforeView = process.memoryUsage().rss;
  t = now();
  const viewed = HnswIndex.open(indexPath, { mode: 'view', expansionSearch, threads, verify: false });
  const viewOpenSeconds = round((now() - t) / 1000);
  const view = {
    openSeconds: viewOpenSeconds,
    ...measure(viewed, queries, gtN, truth, data, deletes.removed),
    rssGrowthMB: Math.round((process.memoryUsage().rss - rssBeforeView) / MB),
  };
  viewed.close();
  log(`view: ${JSON.stringify(view)}`);

  // ---- the exact scan at this size, for the exact-vs-HNSW comparison (after the memory figures) -------------
  let exactScan: {
    queries: number;
    latencyMs: ReturnType<typeof latencySummary>;
    cpuMs: ReturnType<typeof latencySummary>;
  } | null = null;
  if (n <= numberArg(args, 'exact-up-to', 2_000_000)) {
    const exact = new ExactIndex({ dimensions: D, threads, capacity: n });
    for (let from = 0; from < n; from += chunkRows) {
      const to = Math.min(n, from + chunkRows);
      exact.add(
        Array.from({ length: to - from }, (_, i) => data.label(from + i)),
        data.chunk(from, to),
      );
    }
    const sample = Math.min(queriesN, 200);
    const ms: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < sample; i++) {
      const q = queries.subarray(i * D, (i + 1) * D);
      const c = cpuNow();
      const t = now();
      exact.search(q, K);
      ms.push(now() - t);
      cpu.push(cpuNow() - c);
    }
    exactScan = { queries: sample, latencyMs: latencySummary(ms), cpuMs: latencySummary(cpu) };
    exact.close();
    log(`exact scan: ${JSON.stringify(exactScan)}`);
  }

  const best = curvePoints.find((p) => (p.recallAt10 ?? 0) >= 0.99);
  const result = {
    params,
    machine: { ...startMachine, cpus: availableParallelism(), loadavgAtEnd: machine().loadavg },
    build,
    memory: { afterBuild: memoryAfterBuild, end: memory() },
    disk: { ...disk, saveAfterDeletesSeconds, tombstonesAfterDeletes: tombstones, loadSeconds },
    search,
    deletes: deletes.summary,
    curve: curvePoints,
    view,
    exactScan,
    smallestEfWithRecall099: best
      ? { ef: best.ef, p50: best.p50, p99: best.p99, recallAt10: best.recallAt10 }
      : null,
    wallSeconds: round((now() - t0) / 1000),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  rmSync(workDir, { recursive: true, force: true });

  const summary = {
    n,
    metric,
    quantization,
    M: connectivity,
    efAdd: expansionAdd,
    ef: expansionSearch,
    threads,
    buildS: build.addSeconds,
    rssMB: memoryAfterBuild.rssMB,
    maxRssMB: result.memory.end.maxRssMB,
    diskMB: Math.round(disk.bytes / MB),
    p50: search.latencyMs.p50,
    p99: search.latencyMs.p99,
    cpuP50: search.cpuMs.p50,
    cpuP99: search.cpuMs.p99,
    recall10: search.recallAt10,
    matchRecall: search.matchRecall,
    deleteViolations: deletes.summary.violations,
    recall10AfterDeletes: deletes.summary.recallAt10After,
    exactScanP50: exactScan?.latencyMs.p50 ?? null,
    curve: curvePoints.map((p) => [p.ef, p.recallAt10, p.p50, p.p99, p.cpuP99]),
    loadavg: result.machine.loadavgAtEnd.map((x) => round(x)),
    out,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Single queries, one at a time; recall@10 over the first `gtN` queries (the ones with ground truth).
 * Reports wall-clock latency and CPU time per query (on a shared machine the first includes waiting for a
 * core; the second is the cost of the search itself).
 */
function measure(
  index: HnswIndex,
  queries: Float32Array,
  gtN: number,
  truth: Neighbor[][],
  data: ClusteredVectors,
  removed?: ReadonlySet<number>,
): {
  latencyMs: ReturnType<typeof latencySummary>;
  cpuMs: ReturnType<typeof latencySummary>;
  recallAt10: number;
  matchRecall: number;
  queries: number;
} {
  const n = queries.length / D;
  // Warm-up (page cache, branch predictors): 50 queries not counted.
  for (let i = 0; i < Math.min(50, n); i++) index.search(queries.subarray(i * D, (i + 1) * D), K);
  const ms: number[] = [];
  const cpu: number[] = [];
  const found: Neighbor[][] = [];
  let matches = 0;
  let matchesFound = 0;
  for (let i = 0; i < n; i++) {
    const q = queries.subarray(i * D, (i + 1) * D);
    const c = cpuNow();
    const t = now();
    const got = index.search(q, K);
    ms.push(now() - t);
    cpu.push(cpuNow() - c);
    if (i < gtN) found.push(got);
    const labels = new Set(got.map((hit) => hit.label));
    for (const label of data.clusterLabels(data.queryCluster(i))) {
      if (removed?.has(label)) continue;
      matches++;
      if (labels.has(label)) matchesFound++;
    }
  }
  return {
    latencyMs: latencySummary(ms),
    cpuMs: latencySummary(cpu),
    recallAt10: round4(recallAtK(truth, found, K, removed)),
    matchRecall: round4(matchesFound / Math.max(1, matches)),
    queries: n,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function deleteWhileQuerying(
  index: HnswIndex,
  data: ClusteredVectors,
  queries: Float32Array,
  gtN: number,
  truth: Neighbor[][],
  fraction: number,
) {
  const n = data.count;
  const target = Math.floor(n * fraction);
  const random = seededRandom(7);
  const removed = new Set<number>();
  while (removed.size < target) removed.add(data.label(Math.floor(random() * n)));
  const order = [...removed];
  const rounds = 20;
  const perRound = Math.ceil(order.length / rounds);
  const qn = queries.length / D;
  const deletedSoFar = new Set<number>();
  let violations = 0;
  let removeMs = 0;
  const ms: number[] = [];
  let q = 0;
  for (let r = 0; r < rounds; r++) {
    const batch = order.slice(r * perRound, (r + 1) * perRound);
    const t = now();
    const count = index.remove(batch);
    removeMs += now() - t;
    if (count !== batch.length) throw new Error(`remove returned ${count} for ${batch.length} labels`);
    for (const label of batch) deletedSoFar.add(label);
    for (let i = 0; i < Math.ceil(qn / rounds); i++, q = (q + 1) % qn) {
      const tq = now();
      const got = index.search(queries.subarray(q * D, (q + 1) * D), K);
      ms.push(now() - tq);
      for (const hit of got) if (deletedSoFar.has(hit.label)) violations++;
    }
  }
  // The hardest check: search with the removed vectors themselves (each would be its own top hit).
  const probes = order.slice(0, 200);
  let selfViolations = 0;
  for (const label of probes) {
    const v = data.chunk(label - 1, label);
    if (index.search(v, K).some((hit) => removed.has(hit.label))) selfViolations++;
  }
  const found: Neighbor[][] = [];
  for (let i = 0; i < gtN; i++) found.push(index.search(queries.subarray(i * D, (i + 1) * D), K));
  return {
    removed,
    summary: {
      removed: removed.size,
      sizeAfter: index.size(),
      tombstones: index.tombstones(),
      removeSecondsTotal: round(removeMs / 1000),
      queriesDuringDeletes: ms.length,
      latencyMsDuringDeletes: latencySummary(ms),
      violations: violations + selfViolations,
      selfProbeQueries: probes.length,
      recallAt10After: round4(recallAtK(truth, found, K, removed)),
    },
  };
}

main();
