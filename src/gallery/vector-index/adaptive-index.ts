import { tmpdir } from 'node:os';
import { FaceLedgerError } from '../../core/errors.js';
import { ExactIndex } from './exact-index.js';
import { HnswIndex, type HnswOptions } from './hnsw-index.js';
import { checkDimensions, clampThreads } from './input-checks.js';
import type { IndexKind, Neighbor, VectorIndex } from './vector-index.js';

/**
 * Where a gallery switches from the exact scan to HNSW. Measured with bench/scale/threshold.ts (128-d
 * clustered vectors, 2 threads, a second process competing for the CPU, so ± 30%): the exact scan
 * (usearch SIMD) costs p50 ≈ 0.33 ms at 16k vectors, 0.9 ms at 32k and 1.9 ms at 50k, growing linearly;
 * HNSW (M 16, f16) at the smallest ef reaching recall@10 ≥ 0.99 costs p50 ≈ 0.2–0.35 ms from 16k to 100k,
 * nearly flat. The curves cross between 16k and 32k; 20,000 is where HNSW starts to win at equal
 * recall, and also where the exact scan stays far under a millisecond, so nothing is lost below it by
 * keeping the simpler, exact, cheap-to-update index. Building HNSW at the switch takes ~2–4 s on 2 cores.
 */
export const DEFAULT_THRESHOLD = 20_000;

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
