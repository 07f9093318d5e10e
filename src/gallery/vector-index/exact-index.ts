import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { exactSearch, MetricKind } from 'usearch';
import { FaceLedgerError } from '../../core/errors.js';
import { atomicWriteFile, bytesOf, crc32 } from './index-file-io.js';
import {
  checkDimensions,
  checkK,
  checkLabels,
  checkRows,
  clampThreads,
  normalizeRowInto,
} from './input-checks.js';
import { similarityOf, TopK } from './top-k.js';
import type { Neighbor, VectorIndex } from './vector-index.js';

/**
 * File layout (little-endian), 40-byte header then payload:
 *   0  magic "FLVIEXCT"      8  u32 format version (1)   12 u32 dimensions
 *   16 u64 count             24 u32 CRC-32 of the payload 28 u32 reserved (0)
 *   32 u32 CRC-32 of bytes 0..32                          36 u32 reserved (0)
 *   40 count × f64 labels, then count × dimensions × f32 unit vectors.
 */
export const EXACT_MAGIC = 'FLVIEXCT';
const EXACT_VERSION = 1;
const HEADER_BYTES = 40;

/**
 * Below this many vectors the plain-JS scan is used for single queries (no native call, no allocation);
 * from it on, usearch's SIMD `exactSearch`. Measured here (128-d, busy 2-core VM): the JS scan costs
 * ~150–250 ns per vector (V8 does not vectorise), usearch's ~25–35 ns per vector plus ~40 µs per call;
 * they meet between 256 and 512 vectors.
 */
export const NATIVE_SCAN_FROM = 256;

export interface ExactIndexOptions {
  dimensions: number;
  /** Threads for `searchBatch` (default: all CPUs this process may use). */
  threads?: number;
  /** Rows to reserve up front. */
  capacity?: number;
}

/**
 * Brute-force index: unit vectors in one contiguous Float32Array, a Map label → row, swap-remove on
 * delete. Exact by construction; the right choice for small galleries (see AdaptiveIndex).
 */
export class ExactIndex implements VectorIndex {
  readonly kind = 'exact' as const;
  readonly dimensions: number;
  private readonly threads: number;
  private data: Float32Array;
  private rowLabels: Float64Array;
  private count = 0;
  private readonly rows = new Map<number, number>();
  /** Normalised query, always at byte offset 0 of its own buffer (usearch's exactSearch ignores byteOffset). */
  private readonly query: Float32Array;
  private closed = false;

  constructor(options: ExactIndexOptions) {
    checkDimensions(options.dimensions);
    this.dimensions = options.dimensions;
    this.threads = clampThreads(options.threads);
    const capacity = Math.max(16, options.capacity ?? 0);
    this.data = new Float32Array(capacity * this.dimensions);
    this.rowLabels = new Float64Array(capacity);
    this.query = new Float32Array(this.dimensions);
  }

  size(): number {
    this.assertOpen();
    return this.count;
  }

  has(label: number): boolean {
    this.assertOpen();
    return this.rows.has(label);
  }

  labels(): number[] {
    this.assertOpen();
    return Array.from(this.rowLabels.subarray(0, this.count));
  }

  add(labels: readonly number[], vectors: Float32Array): void {
    this.assertOpen();
    checkLabels(labels);
    checkRows(vectors, labels.length, this.dimensions, 'vectors');
    const d = this.dimensions;
    // Validate every row before changing anything, so a bad vector leaves the index as it was.
    const scratch = new Float32Array(d);
    for (let i = 0; i < labels.length; i++) normalizeRowInto(vectors, i, scratch, 0, d);
    this.reserve(this.count + labels.length);
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      let row = this.rows.get(label);
      if (row === undefined) {
        row = this.count++;
        this.rows.set(label, row);
        this.rowLabels[row] = label;
      }
      normalizeRowInto(vectors, i, this.data, row * d, d);
    }
  }

  remove(labels: readonly number[]): number {
    this.assertOpen();
    const d = this.dimensions;
    let removed = 0;
    for (const label of labels) {
      const row = this.rows.get(label);
      if (row === undefined) continue;
      const last = this.count - 1;
      if (row !== last) {
        this.data.copyWithin(row * d, last * d, (last + 1) * d);
        const moved = this.rowLabels[last] as number;
        this.rowLabels[row] = moved;
        this.rows.set(moved, row);
      }
      this.rows.delete(label);
      this.count = last;
      removed++;
    }
    return removed;
  }

  search(query: Float32Array, k: number): Neighbor[] {
    this.assertOpen();
    checkRows(query, 1, this.dimensions, 'query');
    const want = Math.min(checkK(k), this.count);
    if (want === 0) return [];
    normalizeRowInto(query, 0, this.query, 0, this.dimensions);
    if (this.count >= NATIVE_SCAN_FROM) return this.nativeSearch(this.query, 1, want, 1)[0] ?? [];
    return this.scan(this.query, want);
  }

  searchBatch(queries: Float32Array, k: number): Neighbor[][] {
    this.assertOpen();
    const d = this.dimensions;
    if (queries.length % d !== 0)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `queries must hold a multiple of ${d} floats, got ${queries.length}`,
      );
    const n = queries.length / d;
    const want = Math.min(checkK(k), this.count);
    if (n === 0) return [];
    if (want === 0) return Array.from({ length: n }, () => []);
    const normalized = new Float32Array(queries.length);
    for (let i = 0; i < n; i++) normalizeRowInto(queries, i, normalized, i * d, d);
    // usearch's exactSearch keeps a (rows × queries × 16 bytes) distance matrix: bound it to ~64 MB.
    const perCall = Math.max(1, Math.floor((64 << 20) / (16 * this.count)));
    const out: Neighbor[][] = [];
    for (let from = 0; from < n; from += perCall) {
      const to = Math.min(n, from + perCall);
      const slice = from === 0 && to === n ? normalized : normalized.slice(from * d, to * d);
      out.push(...this.nativeSearch(slice, to - from, want, this.threads));
    }
    return out;
  }

  /** Every entry as row-major unit vectors, in chunks (used to convert to another index kind). */
  *entries(chunkRows = 65_536): Generator<{ labels: number[]; vectors: Float32Array }> {
    this.assertOpen();
    const d = this.dimensions;
    for (let from = 0; from < this.count; from += chunkRows) {
      const to = Math.min(this.count, from + chunkRows);
      yield {
        labels: Array.from(this.rowLabels.subarray(from, to)),
        vectors: this.data.subarray(from * d, to * d),
      };
    }
  }

  save(path: string): void {
    this.assertOpen();
    const d = this.dimensions;
    const labels = bytesOf(this.rowLabels.subarray(0, this.count));
    const vectors = bytesOf(this.data.subarray(0, this.count * d));
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(EXACT_MAGIC, 0, 'latin1');
    header.writeUInt32LE(EXACT_VERSION, 8);
    header.writeUInt32LE(d, 12);
    header.writeBigUInt64LE(BigInt(this.count), 16);
    header.writeUInt32LE(crc32(vectors, crc32(labels)), 24);
    header.writeUInt32LE(crc32(header.subarray(0, 32)), 32);
    atomicWriteFile(path, [header, labels, vectors]);
  }

  /** Reads a file written by `save`; throws FaceLedgerError('INTERNAL') naming what is wrong if it is not intact. */
  static read(path: string, options: { dimensions?: number; threads?: number } = {}): ExactIndex {
    return ExactIndex.fromBytes(readFileSync(path), path, options);
  }

  static fromBytes(
    bytes: Uint8Array,
    path: string,
    options: { dimensions?: number; threads?: number } = {},
  ): ExactIndex {
    if (endianness() !== 'LE')
      throw new FaceLedgerError('INTERNAL', 'index files need a little-endian machine');
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const corrupt = (why: string) =>
      new FaceLedgerError('INTERNAL', `exact index file ${path} is corrupt or truncated: ${why}`);
    if (buf.length < HEADER_BYTES) throw corrupt(`${buf.length} bytes, shorter than the header`);
    if (buf.toString('latin1', 0, 8) !== EXACT_MAGIC) throw corrupt('bad magic');
    if (buf.readUInt32LE(32) !== crc32(buf.subarray(0, 32))) throw corrupt('header checksum mismatch');
    const version = buf.readUInt32LE(8);
    if (version !== EXACT_VERSION) throw corrupt(`unsupported format version ${version}`);
    const d = buf.readUInt32LE(12);
    if (options.dimensions !== undefined && d !== options.dimensions)
      throw new FaceLedgerError(
        'INTERNAL',
        `index file ${path} holds ${d}-d vectors, expected ${options.dimensions}-d`,
      );
    const count = Number(buf.readBigUInt64LE(16));
    const expected = HEADER_BYTES + count * 8 + count * d * 4;
    if (buf.length !== expected) throw corrupt(`${buf.length} bytes where the header promises ${expected}`);
    const labelBytes = buf.subarray(HEADER_BYTES, HEADER_BYTES + count * 8);
    const vectorBytes = buf.subarray(HEADER_BYTES + count * 8);
    if (buf.readUInt32LE(24) !== crc32(vectorBytes, crc32(labelBytes)))
      throw corrupt('payload checksum mismatch');

    const index = new ExactIndex({ dimensions: d, threads: options.threads, capacity: count });
    // Copy into aligned typed arrays (a Buffer's byteOffset need not be a multiple of 8).
    const labels = new Float64Array(count);
    new Uint8Array(labels.buffer).set(labelBytes);
    new Uint8Array(index.data.buffer, 0, vectorBytes.length).set(vectorBytes);
    for (let row = 0; row < count; row++) {
      const label = labels[row] as number;
      if (!Number.isSafeInteger(label) || label <= 0 || index.rows.has(label))
        throw corrupt(`bad or repeated label at row ${row}`);
      index.rows.set(label, row);
    }
    index.rowLabels.set(labels);
    index.count = count;
    return index;
  }

  close(): void {
    this.closed = true;
    this.data = new Float32Array(0);
    this.rowLabels = new Float64Array(0);
    this.rows.clear();
    this.count = 0;
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new FaceLedgerError('INTERNAL', 'vector index used after close()');
  }

  private reserve(rows: number): void {
    if (rows <= this.rowLabels.length) return;
    const capacity = Math.max(rows, Math.ceil(this.rowLabels.length * 1.5));
    const data = new Float32Array(capacity * this.dimensions);
    data.set(this.data.subarray(0, this.count * this.dimensions));
    const rowLabels = new Float64Array(capacity);
    rowLabels.set(this.rowLabels.subarray(0, this.count));
    this.data = data;
    this.rowLabels = rowLabels;
  }

  /** Plain-JS scan: dot product unrolled by 8, running top-k. */
  private scan(q: Float32Array, k: number): Neighbor[] {
    const d = this.dimensions;
    const data = this.data;
    const top = new TopK(k);
    const d8 = d - (d % 8);
    for (let row = 0, base = 0; row < this.count; row++, base += d) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j < d8; j += 8) {
        const b = base + j;
        s0 += (data[b] as number) * (q[j] as number) + (data[b + 4] as number) * (q[j + 4] as number);
        s1 += (data[b + 1] as number) * (q[j + 1] as number) + (data[b + 5] as number) * (q[j + 5] as number);
        s2 += (data[b + 2] as number) * (q[j + 2] as number) + (data[b + 6] as number) * (q[j + 6] as number);
        s3 += (data[b + 3] as number) * (q[j + 3] as number) + (data[b + 7] as number) * (q[j + 7] as number);
      }
      for (; j < d; j++) s0 += (data[base + j] as number) * (q[j] as number);
      const score = s0 + s1 + s2 + s3;
      if (score > top.floor) top.push(score, row);
    }
    const out: Neighbor[] = [];
    for (let i = 0; i < top.size; i++)
      out.push({
        label: this.rowLabels[top.ids[i] as number] as number,
        similarity: top.scores[i] as number,
      });
    return out;
  }

  /**
   * usearch's SIMD exact search (inner product of unit vectors). Both arrays must start at byte offset 0
   * of their buffers: the 2.21 binding reads from the ArrayBuffer's start and ignores `byteOffset`.
   */
  private nativeSearch(queries: Float32Array, n: number, k: number, threads: number): Neighbor[][] {
    const dataset = this.data.subarray(0, this.count * this.dimensions);
    const result = exactSearch(dataset, queries, this.dimensions, k, MetricKind.IP, threads) as {
      keys: BigUint64Array;
      distances: Float32Array;
    };
    const out: Neighbor[][] = [];
    const stride = n === 1 ? result.keys.length : k;
    for (let q = 0; q < n; q++) {
      const list: Neighbor[] = [];
      for (let i = 0; i < k && i < stride; i++) {
        const row = Number(result.keys[q * stride + i]);
        list.push({
          label: this.rowLabels[row] as number,
          similarity: similarityOf(result.distances[q * stride + i] as number),
        });
      }
      out.push(list);
    }
    return out;
  }
}
