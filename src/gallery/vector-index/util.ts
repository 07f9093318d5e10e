import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as zlib from 'node:zlib';
import { FaceLedgerError } from '../../core/errors.js';
import type { Neighbor } from './vector-index.js';

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

// ---- top-k ------------------------------------------------------------------------------------------------

/** Keeps the k best (highest) scores seen, as parallel sorted arrays; O(k) insert, fine for k ≤ a few hundred. */
export class TopK {
  readonly scores: Float64Array;
  readonly ids: Float64Array;
  size = 0;
  /** The score a candidate must beat to enter (−∞ until k candidates are held). */
  floor = Number.NEGATIVE_INFINITY;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.ids = new Float64Array(k);
  }

  reset(): void {
    this.size = 0;
    this.floor = Number.NEGATIVE_INFINITY;
  }

  push(score: number, id: number): void {
    const k = this.k;
    if (k === 0) return;
    if (this.size === k && score <= this.floor) return;
    let i = this.size < k ? this.size++ : k - 1;
    while (i > 0 && (this.scores[i - 1] as number) < score) {
      this.scores[i] = this.scores[i - 1] as number;
      this.ids[i] = this.ids[i - 1] as number;
      i--;
    }
    this.scores[i] = score;
    this.ids[i] = id;
    if (this.size === k) this.floor = this.scores[k - 1] as number;
  }
}

/** usearch reports cos / ip distances as 1 − similarity. */
export function similarityOf(distance: number): number {
  return 1 - distance;
}

export function sortNeighbors(neighbors: Neighbor[]): Neighbor[] {
  return neighbors.sort((a, b) => b.similarity - a.similarity || a.label - b.label);
}

// ---- checksums --------------------------------------------------------------------------------------------

const nativeCrc32: ((data: Uint8Array, value?: number) => number) | undefined = (
  zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }
).crc32;

let crcTable: Uint32Array | undefined;

function softCrc32(data: Uint8Array, previous: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++)
    crc = (crcTable[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32 (zlib's), chainable through `previous`. Native from Node 20.15, a table fallback before. */
export function crc32(data: Uint8Array, previous = 0): number {
  return nativeCrc32 ? nativeCrc32(data, previous) >>> 0 : softCrc32(data, previous);
}

const CHUNK = 8 << 20;

/** CRC-32 of bytes [start, end) of an open file, read in 8 MB chunks. */
export function fileCrc32(fd: number, start: number, end: number): number {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, end - start)));
  let crc = 0;
  let position = start;
  while (position < end) {
    const want = Math.min(buffer.length, end - position);
    const got = readSync(fd, buffer, 0, want, position);
    if (got <= 0) throw new FaceLedgerError('INTERNAL', 'index file ended early while checksumming');
    crc = crc32(buffer.subarray(0, got), crc);
    position += got;
  }
  return crc;
}

/** Reads exactly `length` bytes at `position`, or throws a clear truncation error. */
export function readExactly(fd: number, length: number, position: number, what: string): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buffer, done, length - done, position + done);
    if (got <= 0) throw new FaceLedgerError('INTERNAL', `index file is truncated (while reading ${what})`);
    done += got;
  }
  return buffer;
}

// ---- atomic files -----------------------------------------------------------------------------------------

export function tempPathFor(path: string): string {
  const suffix = `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

export function fsyncPath(path: string, flags = 'r'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  try {
    fsyncPath(dir);
  } catch {
    // Some file systems (and platforms) cannot fsync a directory; the rename is still atomic there.
  }
}

/** Renames a fully written and fsynced temporary file over `path`, then makes the rename durable. */
export function commitTemp(temp: string, path: string): void {
  renameSync(temp, path);
  fsyncDir(dirname(path));
}

/** Writes `chunks` to `path` atomically (temp file in the same folder, fsync, rename, fsync folder). */
export function atomicWriteFile(path: string, chunks: readonly Uint8Array[]): void {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      for (const chunk of chunks) {
        let done = 0;
        while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    commitTemp(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
