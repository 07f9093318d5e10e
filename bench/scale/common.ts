import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { exactSearch, MetricKind } from 'usearch';
import { TopK } from '../../src/gallery/vector-index/top-k.js';
import type { Neighbor } from '../../src/gallery/vector-index/vector-index.js';

export const MB = 1024 * 1024;

/** `--name value` / `--name=value` flags into a map (npm run passes them after `--`). */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) out.set(arg.slice(2, eq), arg.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) out.set(arg.slice(2), 'true');
      else {
        out.set(arg.slice(2), next);
        i++;
      }
    }
  }
  return out;
}

export function numberArg(args: Map<string, string>, name: string, fallback: number): number {
  const raw = args.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${raw}`);
  return value;
}

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * CPU time of this process in ms (user + system). On a shared machine wall-clock latency includes time
 * spent waiting for a core; CPU time per query is the cost of the search itself.
 */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function latencySummary(ms: number[]): {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
} {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    mean: round(ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export function memory(): { rssMB: number; maxRssMB: number; heapUsedMB: number; externalMB: number } {
  const m = process.memoryUsage();
  return {
    rssMB: Math.round(m.rss / MB),
    maxRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / MB),
    heapUsedMB: Math.round(m.heapUsed / MB),
    externalMB: Math.round(m.external / MB),
  };
}

/** A full GC if it can be had (so RSS figures are not inflated by garbage). */
export function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // not available: figures stay a little pessimistic
  }
}

export function machine(): { node: string; platform: string; loadavg: number[] } {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, loadavg: loadavg() };
}

export function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Exact top-`depth` per query over data streamed in chunks: feed each chunk once, read `result()` at the
 * end. Uses usearch's SIMD exactSearch (inner product of unit vectors), in query batches small enough to
 * keep its rows × queries distance matrix under ~128 MB.
 */
export class GroundTruth {
  private readonly tops: TopK[];

  constructor(
    private readonly queries: Float32Array,
    private readonly dimensions: number,
    readonly depth: number,
    private readonly threads: number,
  ) {
    const n = queries.length / dimensions;
    this.tops = Array.from({ length: n }, () => new TopK(depth));
  }

  /** `chunk` must start at byte offset 0 of its buffer (usearch's exactSearch ignores byteOffset). */
  feed(chunk: Float32Array, firstLabel: number): void {
    const d = this.dimensions;
    const rows = chunk.length / d;
    if (rows === 0) return;
    const k = Math.min(this.depth, rows);
    const perBatch = Math.max(1, Math.floor((128 * MB) / (16 * rows)));
    const n = this.tops.length;
    for (let from = 0; from < n; from += perBatch) {
      const to = Math.min(n, from + perBatch);
      const batch = this.queries.slice(from * d, to * d);
      const result = exactSearch(chunk, batch, d, k, MetricKind.IP, this.threads) as {
        keys: BigUint64Array;
        distances: Float32Array;
      };
      const stride = to - from === 1 ? result.keys.length : k;
      for (let q = from; q < to; q++) {
        const top = this.tops[q] as TopK;
        for (let i = 0; i < k; i++) {
          const at = (q - from) * stride + i;
          top.push(1 - (result.distances[at] as number), firstLabel + Number(result.keys[at]));
        }
      }
    }
  }

  result(): Neighbor[][] {
    return this.tops.map((top) => {
      const out: Neighbor[] = [];
      for (let i = 0; i < top.size; i++)
        out.push({ label: top.ids[i] as number, similarity: top.scores[i] as number });
      return out;
    });
  }
}

/** Mean fraction of the true top-k found; labels in `removed` are dropped from the truth first. */
export function recallAtK(
  truth: readonly Neighbor[][],
  found: readonly Neighbor[][],
  k: number,
  removed?: ReadonlySet<number>,
): number {
  let hits = 0;
  let total = 0;
  truth.forEach((list, q) => {
    const want = (removed ? list.filter((n) => !removed.has(n.label)) : list).slice(0, k);
    const got = new Set((found[q] ?? []).slice(0, k).map((n) => n.label));
    for (const n of want) if (got.has(n.label)) hits++;
    total += want.length;
  });
  return total === 0 ? Number.NaN : hits / total;
}
