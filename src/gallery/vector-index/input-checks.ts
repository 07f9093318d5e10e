import { availableParallelism } from 'node:os';
import { FaceLedgerError } from '../../core/errors.js';

/** Argument checks and normalisation shared by the index kinds: bad input fails loudly at the index boundary. */
// ---- validation ------------------------------------------------------------------------------------------

export function checkLabels(labels: readonly number[]): void {
  for (const label of labels) {
    if (!Number.isSafeInteger(label) || label <= 0)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `index labels must be positive integers below 2^53, got ${label}`,
      );
  }
}

export function checkDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions > 65_536)
    throw new FaceLedgerError('BAD_INPUT', `index dimensions must be a positive integer, got ${dimensions}`);
}

export function checkRows(vectors: Float32Array, rows: number, dimensions: number, what: string): void {
  if (!(vectors instanceof Float32Array))
    throw new FaceLedgerError('BAD_INPUT', `${what} must be a Float32Array`);
  if (vectors.length !== rows * dimensions)
    throw new FaceLedgerError(
      'BAD_INPUT',
      `${what}: expected ${rows} × ${dimensions} = ${rows * dimensions} floats, got ${vectors.length}`,
    );
}

export function checkK(k: number): number {
  if (!Number.isFinite(k) || k < 0)
    throw new FaceLedgerError('BAD_INPUT', `k must be a non-negative number, got ${k}`);
  return Math.floor(k);
}

/**
 * Copies row `row` of `src` into `dst` at `dstOffset`, scaled to unit length. Throws BAD_INPUT for a zero,
 * infinite or NaN vector (which has no direction, and would poison every similarity).
 */
export function normalizeRowInto(
  src: Float32Array,
  row: number,
  dst: Float32Array,
  dstOffset: number,
  dimensions: number,
): void {
  const from = row * dimensions;
  let sum = 0;
  for (let j = 0; j < dimensions; j++) {
    const x = src[from + j] as number;
    sum += x * x;
  }
  if (!(sum > 0) || !Number.isFinite(sum))
    throw new FaceLedgerError('BAD_INPUT', `vector ${row} is zero or not finite and has no direction`);
  const inv = 1 / Math.sqrt(sum);
  for (let j = 0; j < dimensions; j++) dst[dstOffset + j] = (src[from + j] as number) * inv;
}

/** A unit-length copy of `rows` row-major vectors (always a fresh buffer at byte offset 0). */
export function normalizedCopy(vectors: Float32Array, rows: number, dimensions: number): Float32Array {
  const out = new Float32Array(rows * dimensions);
  for (let i = 0; i < rows; i++) normalizeRowInto(vectors, i, out, i * dimensions, dimensions);
  return out;
}

/**
 * Collapses repeated labels within one batch, keeping the last occurrence (the documented "last wins").
 * Returns the input unchanged when there are no repeats (the common case).
 */
export function lastWins(
  labels: readonly number[],
  vectors: Float32Array,
  dimensions: number,
): { labels: readonly number[]; vectors: Float32Array } {
  const seen = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) seen.set(labels[i] as number, i);
  if (seen.size === labels.length) return { labels, vectors };
  const keep = [...seen.values()].sort((a, b) => a - b);
  const out = new Float32Array(keep.length * dimensions);
  keep.forEach((row, i) => {
    out.set(vectors.subarray(row * dimensions, (row + 1) * dimensions), i * dimensions);
  });
  return { labels: keep.map((row) => labels[row] as number), vectors: out };
}

// ---- threads ----------------------------------------------------------------------------------------------

/**
 * Threads usearch may use. Clamped to the CPUs this process may run on: usearch sizes its per-thread
 * search contexts from the thread count given to `add` (and from the hardware count on load/view), and
 * asking it for more concurrent threads than it has contexts is undefined behaviour in 2.21.
 */
export function clampThreads(threads: number | undefined): number {
  const cpus = Math.max(1, availableParallelism());
  if (threads === undefined || !Number.isFinite(threads) || threads <= 0) return cpus;
  return Math.max(1, Math.min(Math.floor(threads), cpus));
}
