import { tmpdir } from 'node:os';
import { FaceLedgerError } from '../../core/errors.js';
import { ExactIndex } from './exact-index.js';
import { HnswIndex, type HnswOptions } from './hnsw-index.js';
import { checkDimensions, clampThreads } from './input-checks.js';
import type { IndexKind, Neighbor, VectorIndex } from './vector-index.js';

/**
 * Where a gallery switches from the exact scan to HNSW: 100,000 faces.
 *
 * Measured (bench/scale/threshold.ts and run.ts; synthetic clustered 128-d vectors, clusters of 5; 2-core VM,
 * often shared, so compared on CPU time per query; HNSW = M 32, f16, inner product):
 *
 *   faces                      10k    20k    40k    80k   100k   160k   320k     1M
 *   exact scan, ms/query      0.26   0.39   1.0    2.3    2.9    4.5    9.3     30
 *   HNSW at recall@10 ≥ 0.99  0.26   0.55   1.6    3.6    3.4    8.9   13.7   > 27
 *     (smallest such ef)        96    128    256    384    512    768   1024  >1536
 *   HNSW at ef 128 (default)     -   0.55   0.75   1.6    1.0      -      -    2.3
 *
 * At equal recall@10 ≥ 0.99 HNSW is never faster than the exact scan below ~1M on this data: half of each
 * query's top-10 is a tail of unrelated vectors separated by tiny margins, which HNSW can only rank by
 * visiting most of the graph. At ef 128 it still finds every face of the query's own cluster (the same
 * person: ≥ 0.997 of them up to 1M) at 1–2.5 ms, while recall@10 of the tail drops (0.94 at 100k, 0.76 at
 * 1M). So the exact index is kept while it is cheap — at 100k its p99 is ~3.3 ms, inside the 5 ms budget
 * the scale targets set — and HNSW takes over where the linear scan would leave that budget.
 *
 * Converting costs one HNSW build of the whole gallery (~45 s for 100k on 2 quiet cores, 3–5× that on a
 * busy machine), done synchronously inside the `add` that crosses the threshold.
 */
export const DEFAULT_THRESHOLD = 100_000;

/** Switch back to exact only below threshold × this, so a gallery hovering at the threshold never flaps. */
export const DEFAULT_DOWNGRADE_RATIO = 0.5;

export interface AdaptiveOptions {
  dimensions: number;
  /** Size at which the exact index is converted to HNSW. */
  threshold?: number;
  /** An HNSW index is converted back to exact when its size falls below threshold × downgradeRatio. */
  downgradeRatio?: number;
  hnsw?: Partial<Omit<HnswOptions, 'dimensions'>>;
  threads?: number;
  /** Where HNSW → exact conversion writes its temporary export (default: the OS temp folder). */
  tempDir?: string;
}

/**
 * What a gallery uses: an ExactIndex while small, an HnswIndex from `threshold` on, converted once
 * when the size crosses it. Hysteresis: the way back to exact is only taken below threshold ×
 * downgradeRatio, so adds and removes around the threshold never convert back and forth.
 */
export class AdaptiveIndex implements VectorIndex {
  readonly dimensions: number;
  readonly threshold: number;
  /** Below this size an HNSW index converts back to exact. */
  readonly lowWater: number;
  private readonly hnswOptions: Partial<Omit<HnswOptions, 'dimensions'>>;
  private readonly threads: number;
  private readonly tempDir: string;
  private inner: ExactIndex | HnswIndex;
  private conversions = 0;

  constructor(options: AdaptiveOptions, inner?: ExactIndex | HnswIndex) {
    checkDimensions(options.dimensions);
    this.dimensions = options.dimensions;
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    const ratio = options.downgradeRatio ?? DEFAULT_DOWNGRADE_RATIO;
    if (!Number.isFinite(this.threshold) || this.threshold < 1)
      throw new FaceLedgerError('BAD_INPUT', `threshold must be ≥ 1, got ${this.threshold}`);
    if (!(ratio >= 0 && ratio < 1))
      throw new FaceLedgerError('BAD_INPUT', `downgradeRatio must be in [0, 1), got ${ratio}`);
    this.lowWater = Math.floor(this.threshold * ratio);
    this.threads = clampThreads(options.threads ?? options.hnsw?.threads);
    this.hnswOptions = { ...options.hnsw, threads: this.threads };
    this.tempDir = options.tempDir ?? tmpdir();
    if (inner && inner.dimensions !== this.dimensions)
      throw new FaceLedgerError(
        'INTERNAL',
        `index holds ${inner.dimensions}-d vectors, expected ${this.dimensions}-d`,
      );
    this.inner = inner ?? new ExactIndex({ dimensions: this.dimensions, threads: this.threads });
  }

  get kind(): IndexKind {
    return this.inner.kind;
  }

  /** How many times this instance converted between kinds (for tests and logs). */
  get conversionCount(): number {
    return this.conversions;
  }

  /** The index currently in use (read-only access for diagnostics and benchmarks). */
  get current(): ExactIndex | HnswIndex {
    return this.inner;
  }

  size(): number {
    return this.inner.size();
  }

  has(label: number): boolean {
    return this.inner.has(label);
  }

  labels(): number[] {
    return this.inner.labels();
  }

  add(labels: readonly number[], vectors: Float32Array): void {
    if (this.inner instanceof ExactIndex) {
      let fresh = 0;
      const seen = new Set<number>();
      for (const label of labels)
        if (!seen.has(label)) {
          seen.add(label);
          if (!this.inner.has(label)) fresh++;
        }
      // Convert before adding, so a big batch goes straight into HNSW instead of being held twice.
      if (this.inner.size() + fresh >= this.threshold) this.toHnsw();
    }
    this.inner.add(labels, vectors);
  }

  remove(labels: readonly number[]): number {
    const removed = this.inner.remove(labels);
    this.rebalance();
    return removed;
  }

  search(query: Float32Array, k: number): Neighbor[] {
    return this.inner.search(query, k);
  }

  searchBatch(queries: Float32Array, k: number): Neighbor[][] {
    return this.inner.searchBatch(queries, k);
  }

  save(path: string): void {
    this.inner.save(path);
  }

  close(): void {
    this.inner.close();
  }

  /**
   * Converts if the size is outside the band of the current kind: exact at or above the threshold goes
   * to HNSW; writable HNSW below the low-water mark goes to exact. Called after removes and on open.
   */
  rebalance(): void {
    if (this.inner instanceof ExactIndex) {
      if (this.inner.size() >= this.threshold) this.toHnsw();
    } else if (!this.inner.readOnly && this.inner.size() < this.lowWater) {
      this.toExact();
    }
  }

  private toHnsw(): void {
    const exact = this.inner as ExactIndex;
    const hnsw = new HnswIndex({ ...this.hnswOptions, dimensions: this.dimensions });
    try {
      for (const chunk of exact.entries()) hnsw.add(chunk.labels, chunk.vectors);
    } catch (err) {
      hnsw.close();
      throw err;
    }
    this.inner = hnsw;
    exact.close();
    this.conversions++;
  }

  private toExact(): void {
    const hnsw = this.inner as HnswIndex;
    const exact = new ExactIndex({
      dimensions: this.dimensions,
      threads: this.threads,
      capacity: hnsw.size(),
    });
    for (const chunk of hnsw.entries(65_536, this.tempDir)) exact.add(chunk.labels, chunk.vectors);
    this.inner = exact;
    hnsw.close();
    this.conversions++;
  }
}
