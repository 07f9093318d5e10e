/**
 * Where does HNSW search get faster than the exact scan, at equal recall@10 ≥ 0.99? Sets
 * DEFAULT_THRESHOLD in src/gallery/vector-index/adaptive-index.ts.
 *
 *   npm run build && node dist/bench/scale/threshold.js [--sizes 5000,10000,20000,40000,80000]
 *       [--quantization f16] [--connectivity 16] [--queries 500] [--out bench/results/threshold.json]
 *
 * One HNSW index grows through the sizes (built incrementally, as a gallery grows); at each size the
 * exact index (ExactIndex: usearch SIMD scan) and HNSW are queried one query at a time through our
 * wrappers, and HNSW reports the smallest expansion_search whose recall@10 reaches 0.99. Each curve
 * point is [ef, recall@10, match recall (share of the query's cluster-mates found), p50 ms, CPU ms/query].
 * Latencies are compared on CPU time per query, which a busy machine distorts less than wall-clock.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ExactIndex } from '../../src/gallery/vector-index/exact-index.js';
import {
  HNSW_DEFAULTS,
  HnswIndex,
  type HnswMetric,
  type HnswQuantization,
} from '../../src/gallery/vector-index/hnsw-index.js';
import { ClusteredVectors } from '../../src/gallery/vector-index/synthetic.js';
import type { Neighbor, VectorIndex } from '../../src/gallery/vector-index/vector-index.js';
import { cpuNow, latencySummary, log, machine, now, numberArg, parseArgs, recallAtK } from './common.js';

const D = 128;
const K = 10;

function timed(
  index: VectorIndex,
  queries: Float32Array,
): { p50: number; p99: number; cpuP50: number; cpuMean: number; found: Neighbor[][] } {
  const n = queries.length / D;
  for (let i = 0; i < Math.min(50, n); i++) index.search(queries.subarray(i * D, (i + 1) * D), K);
  const ms: number[] = [];
  const cpu: number[] = [];
  const found: Neighbor[][] = [];
  for (let i = 0; i < n; i++) {
    const c = cpuNow();
    const t = now();
    found.push(index.search(queries.subarray(i * D, (i + 1) * D), K));
    ms.push(now() - t);
    cpu.push(cpuNow() - c);
  }
  const s = latencySummary(ms);
  const c = latencySummary(cpu);
  return { p50: s.p50, p99: s.p99, cpuP50: c.p50, cpuMean: c.mean, found };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Share of each query's cluster-mates (its "same person") found in its top-10. */
function matchRecall(mates: number[][], found: Neighbor[][]): number {
  let total = 0;
  let hits = 0;
  mates.forEach((labels, q) => {
    const got = new Set((found[q] ?? []).map((n) => n.label));
    for (const label of labels) {
      total++;
      if (got.has(label)) hits++;
    }
  });
  return hits / Math.max(1, total);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const sizes = (args.get('sizes') ?? '5000,10000,20000,40000,80000').split(',').map(Number);
  const quantization = (args.get('quantization') ?? HNSW_DEFAULTS.quantization) as HnswQuantization;
  const connectivity = numberArg(args, 'connectivity', HNSW_DEFAULTS.connectivity);
  const metric = (args.get('metric') ?? (quantization === 'i8' ? 'cos' : HNSW_DEFAULTS.metric)) as HnswMetric;
  const queriesN = numberArg(args, 'queries', 500);
  const efs = (args.get('efs') ?? '16,24,32,48,64,96,128,192,256,384,512,768,1024').split(',').map(Number);
  const out = resolve(args.get('out') ?? join('bench', 'results', 'threshold.json'));
  const threads = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'faceledger-threshold-'));
  const path = join(dir, 'g.index');
  const max = Math.max(...sizes);
  const data = new ClusteredVectors({ count: max, seed: 42 });
  const exact = new ExactIndex({ dimensions: D, threads });
  const hnsw = new HnswIndex({ dimensions: D, metric, quantization, connectivity, threads });
  const rows: Array<Record<string, unknown>> = [];
  const startMachine = machine();
  let have = 0;
  for (const size of [...sizes].sort((a, b) => a - b)) {
    const chunk = data.chunk(have, size);
    const labels = Array.from({ length: size - have }, (_, i) => data.label(have + i));
    exact.add(labels, chunk);
    const t = now();
    hnsw.add(labels, chunk);
    const buildMs = now() - t;
    have = size;
    // Queries are fresh samples of clusters present at this size (the data generator's vectors do not
    // depend on `count`, only which clusters queries are drawn from does).
    const sized = new ClusteredVectors({ count: size, seed: 42 });
    const queries = sized.queries(queriesN);
    const mates = Array.from({ length: queriesN }, (_, j) => sized.clusterLabels(sized.queryCluster(j)));
    const truth = exact.searchBatch(queries, K);
    const ex = timed(exact, queries);
    hnsw.save(path);
    let chosen: { ef: number; recall: number; p50: number; p99: number; cpuMean: number } | undefined;
    const curve: Array<[number, number, number, number, number]> = [];
    for (const ef of efs) {
      const copy = HnswIndex.open(path, { expansionSearch: ef, threads, verify: false });
      const h = timed(copy, queries);
      copy.close();
      const recall = recallAtK(truth, h.found, K);
      const match = matchRecall(mates, h.found);
      curve.push([ef, round4(recall), round4(match), h.p50, h.cpuMean]);
      if (recall >= 0.99) {
        chosen = { ef, recall, p50: h.p50, p99: h.p99, cpuMean: h.cpuMean };
        break;
      }
    }
    const row = {
      size,
      exactP50: ex.p50,
      exactP99: ex.p99,
      exactCpuMean: ex.cpuMean,
      hnswEf: chosen?.ef ?? null,
      hnswP50: chosen?.p50 ?? null,
      hnswP99: chosen?.p99 ?? null,
      hnswCpuMean: chosen?.cpuMean ?? null,
      hnswRecall: chosen ? Math.round(chosen.recall * 10_000) / 10_000 : null,
      hnswAddSecondsForThisStep: Math.round(buildMs) / 1000,
      curve,
    };
    rows.push(row);
    log(JSON.stringify(row));
  }
  hnsw.close();
  exact.close();
  rmSync(dir, { recursive: true, force: true });
  // Compared on CPU time per query: on a shared machine wall-clock mostly measures the wait for a core.
  const crossover = rows.find(
    (r) => r.hnswCpuMean !== null && (r.hnswCpuMean as number) < (r.exactCpuMean as number),
  );
  const result = {
    params: { metric, quantization, connectivity, queries: queriesN, threads },
    machine: { ...startMachine, loadavgAtEnd: machine().loadavg },
    rows,
    firstSizeWhereHnswIsFaster: crossover?.size ?? null,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ firstSizeWhereHnswIsFaster: result.firstSizeWhereHnswIsFaster, rows: rows.map((r) => [r.size, r.exactP50, r.exactCpuMean, r.hnswEf, r.hnswP50, r.hnswCpuMean]) })}\n`,
  );
}

main();
