import { closeSync, fstatSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, type Matches, MetricKind, ScalarKind } from 'usearch';
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import { commitTemp, crc32, fileCrc32, readExactly, tempPathFor } from './index-file-io.js';
import {
  checkDimensions,
  checkK,
  checkLabels,
  checkRows,
  clampThreads,
  lastWins,
  normalizedCopy,
  normalizeRowInto,
} from './input-checks.js';
import { keyToLabel, labelsToKeys } from './keys.js';
import { LabelSet } from './label-set.js';
import { similarityOf } from './top-k.js';
import {
  decodeVectors,
  readStoredVectors,
  readUsearchFile,
  readUsearchVersion,
  type UsearchFileInfo,
} from './usearch-file.js';
import type { Neighbor, VectorIndex } from './vector-index.js';

export type HnswMetric = 'cos' | 'ip';
export type HnswQuantization = 'f32' | 'f16' | 'i8';

export interface HnswOptions {
  dimensions: number;
  /** 'cos' (default) or 'ip'; both give cosine similarity since vectors are normalised. 'ip' is not allowed with i8. */
  metric?: HnswMetric;
  /** Storage of the vectors inside the graph: f32 (exact distances), f16 (half the memory), i8 (a quarter). */
  quantization?: HnswQuantization;
  /** M: graph neighbours per node (level 0 keeps 2M). */
  connectivity?: number;
  /** ef_construction. */
  expansionAdd?: number;
  /** ef at query time (raised to k when k is larger). */
  expansionSearch?: number;
  /** Threads for add and searchBatch (default: all CPUs this process may use). */
  threads?: number;
}

export interface HnswOpenOptions
  extends Partial<Omit<HnswOptions, 'metric' | 'quantization' | 'connectivity'>> {
  /** 'load' reads the graph into RAM (writable); 'view' memory-maps the file (read-only, opens instantly). */
  mode?: 'load' | 'view';
  /** Checksum the whole file before handing it to usearch (default true; a corrupt file could crash the native code). */
  verify?: boolean;
}

/**
 * Defaults, from bench/scale (synthetic clustered 128-d vectors, 2 cores):
 * - f16: recall equal to f32 at half the memory; i8 stops near recall@10 0.955 whatever ef (usearch rounds
 *   i8 toward zero after scaling to 127, ~0.005 of error per similarity, more than the margins in a top-10).
 * - inner product, not cos: vectors are normalised here, and usearch's f16 'ip' kernel is ~1.5× faster
 *   than its f16 'cos' one on this CPU (0.28 vs 0.43 ms per query at 50k, ef 64).
 * - M 32: at equal recall it beat M 16 (which needs twice the ef) and M 48; memory ~650 B per face with
 *   f16 (RSS 770 MB at 1M), so a 10M gallery in 6 GB needs M 16 or i8.
 * - ef_search 128: at 1M, p50 ≈ 2.3 ms, p99 ≈ 5 ms, and ≥ 0.997 of each query's own cluster found;
 *   recall@10 against brute force is 0.94 at 100k but 0.76 at 1M (ef 512: 0.996 / 0.90; ef 1536 at 1M:
 *   0.977 for p50 27 ms). Pass `expansionSearch` to `open` to trade latency for recall.
 */
export const HNSW_DEFAULTS = {
  metric: 'ip' as HnswMetric,
  quantization: 'f16' as HnswQuantization,
  connectivity: 32,
  expansionAdd: 128,
  expansionSearch: 128,
};

/**
 * usearch 2.21's JS `load`/`view` re-reserve after reading for ceil2(live) slots, not for every slot in the
 * file; its hash table rounds that up to at least 1.5 × live, so once deleted slots exceed about half the
 * live ones the new slot table is smaller than the old and the copy into it overruns the heap (we saw
 * `malloc(): invalid size` aborts at 90 deleted of 100). So `save` compacts first when deleted slots exceed
 * MAX_TOMBSTONE_RATIO of the live ones, and `open` refuses files past SAFE_TOMBSTONE_RATIO.
 */
export const MAX_TOMBSTONE_RATIO = 0.25;
const SAFE_TOMBSTONE_RATIO = 0.5;

export const HNSW_MAGIC = 'FLVIHNSW';
const TRAILER_BYTES = 16; // u32 meta length, u32 meta CRC-32, 8-byte magic

const MetaSchema = z.object({
  format: z.literal(1),
  kind: z.literal('hnsw'),
  dimensions: z.number().int().positive(),
  metric: z.enum(['cos', 'ip']),
  quantization: z.enum(['f32', 'f16', 'i8']),
  connectivity: z.number().int().positive(),
  expansionAdd: z.number().int().positive(),
  expansionSearch: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  tombstones: z.number().int().nonnegative(),
  blobBytes: z.number().int().positive(),
  blobCrc32: z.number().int().nonnegative(),
  usearch: z.string(),
  /** How labels become usearch keys (keys.ts). */
  keys: z.literal('splitmix64'),
});
type Meta = z.infer<typeof MetaSchema>;

type Settings = Required<HnswOptions>;

/**
 * HNSW index on usearch. Single file on disk: usearch's own blob, then our trailer (JSON metadata with
 * the blob's length and CRC-32, the metadata's length and CRC-32, magic "FLVIHNSW" as the last 8 bytes);
 * usearch ignores trailing bytes, so the same file can be loaded or memory-mapped directly.
 *
 * What the 2.21 JS binding does and how this class copes:
 * - `add` of a key already present fails ("Duplicate keys not allowed"), so re-adding removes first.
 * - keys are looked up in a linear-probing hash table hashed by identity: dense rowids make `remove` O(n),
 *   so labels are scrambled into keys (keys.ts).
 * - `remove` only tombstones the slot (key set to 2^64−1, skipped by search, reused by the next add);
 *   tombstones are counted here and compacted away before they endanger `load` (see MAX_TOMBSTONE_RATIO).
 * - searching an index that never held a vector throws and leaves it unusable (the next `add` hangs):
 *   searches on an empty index return [] without calling usearch.
 * - there is no way to list keys or read vectors back: labels are mirrored in a LabelSet, and vectors
 *   are read from a saved blob when needed (compaction, export).
 * - expansion_search can only be set at construction: `open` takes it as an option.
 * - native memory is only freed when V8 collects the wrapper; `close` frees it at once by loading an
 *   empty index over it.
 */
export class HnswIndex implements VectorIndex {
  readonly kind = 'hnsw' as const;
  readonly dimensions: number;
  readonly settings: Readonly<Settings>;
  private viewed = false;
  private index: Index;
  private readonly present = new LabelSet();
  private deleted = 0;
  private readonly query: Float32Array;
  private closed = false;

  constructor(options: HnswOptions) {
    this.settings = HnswIndex.resolve(options);
    this.dimensions = this.settings.dimensions;
    this.index = HnswIndex.makeNative(this.settings);
    this.query = new Float32Array(this.dimensions);
  }

  /** True when memory-mapped (`mode: 'view'`): add and remove throw. */
  get readOnly(): boolean {
    return this.viewed;
  }

  // ---- VectorIndex ----------------------------------------------------------------------------------------

  size(): number {
    this.assertOpen();
    return this.present.size;
  }

  has(label: number): boolean {
    this.assertOpen();
    return this.present.has(label);
  }

  labels(): number[] {
    this.assertOpen();
    return this.present.toArray();
  }

  /** Deleted slots still in the graph (reused by later adds). */
  tombstones(): number {
    return this.deleted;
  }

  add(labels: readonly number[], vectors: Float32Array): void {
    this.assertWritable();
    checkLabels(labels);
    checkRows(vectors, labels.length, this.dimensions, 'vectors');
    if (labels.length === 0) return;
    const unique = lastWins(labels, vectors, this.dimensions);
    const normalized = normalizedCopy(unique.vectors, unique.labels.length, this.dimensions);
    this.addNormalized(unique.labels, normalized);
  }

  remove(labels: readonly number[]): number {
    this.assertWritable();
    const present = [...new Set(labels.filter((label) => this.present.has(label)))];
    if (present.length === 0) return 0;
    const counts = this.native(() => this.index.remove(labelsToKeys(present))) as number[];
    let removed = 0;
    for (let i = 0; i < present.length; i++) {
      const n = counts[i] ?? 0;
      if (n > 0) {
        this.present.delete(present[i] as number);
        removed++;
      }
      this.deleted += n;
    }
    if (removed !== present.length)
      throw new FaceLedgerError(
        'INTERNAL',
        `HNSW index out of step: ${present.length - removed} labels not found`,
      );
    return removed;
  }

  search(query: Float32Array, k: number): Neighbor[] {
    this.assertOpen();
    checkRows(query, 1, this.dimensions, 'query');
    const want = Math.min(checkK(k), this.present.size);
    if (want === 0) return [];
    normalizeRowInto(query, 0, this.query, 0, this.dimensions);
    const result = this.native(() => this.index.search(this.query, want, 1)) as Matches;
    return this.collect(result.keys, result.distances, 0, result.keys.length);
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
    const want = Math.min(checkK(k), this.present.size);
    if (n === 0) return [];
    if (want === 0) return Array.from({ length: n }, () => []);
    if (n === 1) return [this.search(queries, k)];
    const normalized = normalizedCopy(queries, n, d);
    const result = this.native(() =>
      this.index.search(normalized, want, this.settings.threads),
    ) as unknown as {
      keys: BigUint64Array;
      distances: Float32Array;
      counts: BigUint64Array;
    };
    const out: Neighbor[][] = [];
    for (let q = 0; q < n; q++)
      out.push(this.collect(result.keys, result.distances, q * want, Number(result.counts[q])));
    return out;
  }

  /**
   * Saves atomically to `path` (temp file in the same folder, fsync, rename, fsync folder). Compacts first
   * when tombstones exceed MAX_TOMBSTONE_RATIO of the live entries.
   */
  save(path: string): void {
    this.assertOpen();
    if (!this.readOnly && this.deleted > 0 && this.deleted > MAX_TOMBSTONE_RATIO * this.present.size)
      this.compact();
    const temp = tempPathFor(path);
    try {
      this.native(() => this.index.save(temp));
      const fd = openSync(temp, 'r+');
      try {
        const blobBytes = fstatSync(fd).size;
        const meta: Meta = {
          format: 1,
          kind: 'hnsw',
          dimensions: this.dimensions,
          metric: this.settings.metric,
          quantization: this.settings.quantization,
          connectivity: this.settings.connectivity,
          expansionAdd: this.settings.expansionAdd,
          expansionSearch: this.settings.expansionSearch,
          size: this.present.size,
          tombstones: this.deleted,
          blobBytes,
          blobCrc32: fileCrc32(fd, 0, blobBytes),
          usearch: readUsearchVersion(fd),
          keys: 'splitmix64',
        };
        const json = Buffer.from(JSON.stringify(meta), 'utf8');
        const trailer = Buffer.alloc(TRAILER_BYTES);
        trailer.writeUInt32LE(json.length, 0);
        trailer.writeUInt32LE(crc32(json), 4);
        trailer.write(HNSW_MAGIC, 8, 'latin1');
        const tail = Buffer.concat([json, trailer]);
        let done = 0;
        while (done < tail.length) done += writeSync(fd, tail, done, tail.length - done, blobBytes + done);
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.present.clear();
    releaseNative(this.index);
  }

  // ---- beyond the interface -------------------------------------------------------------------------------

  /**
   * Every live entry with its stored vector decoded to float32 (unit length; i8 comes back approximate),
   * in chunks. The binding cannot read vectors, so the index is saved to a temporary file and read back.
   */
  *entries(chunkRows = 65_536, tempDir = tmpdir()): Generator<{ labels: number[]; vectors: Float32Array }> {
    for (const chunk of this.storedEntries(chunkRows, tempDir)) {
      const vectors = decodeVectors(chunk.raw, chunk.scalar, this.dimensions);
      yield { labels: chunk.labels, vectors: normalizedCopy(vectors, chunk.labels.length, this.dimensions) };
    }
  }

  /**
   * Rebuilds the graph without its tombstones by re-inserting the stored vectors. f32 and f16 come back
   * bit-exact; i8 is re-quantised from its stored values (the binding turns any input into float32 first),
   * which can move a component by one unit.
   */
  compact(tempDir = tmpdir()): void {
    this.assertWritable();
    if (this.deleted === 0) return;
    const fresh = HnswIndex.makeNative(this.settings);
    try {
      for (const chunk of this.storedEntries(65_536, tempDir)) {
        const vectors = decodeVectors(chunk.raw, chunk.scalar, this.dimensions);
        fresh.add(labelsToKeys(chunk.labels), vectors, this.settings.threads);
      }
    } catch (err) {
      releaseNative(fresh);
      throw wrap(err);
    }
    releaseNative(this.index);
    this.index = fresh;
    this.deleted = 0;
  }

  /**
   * Opens a file written by `save`. The layout is always checked before usearch sees the file (a corrupt
   * file could crash the native code); `verify` (default true) also checks the blob's CRC-32. Throws
   * FaceLedgerError('INTERNAL') naming the problem for a corrupt, truncated or mismatched file.
   */
  static open(path: string, options: HnswOpenOptions & { dimensions?: number } = {}): HnswIndex {
    const fd = openSync(path, 'r');
    let meta: Meta;
    let info: UsearchFileInfo;
    try {
      meta = readMeta(fd, path);
      if ((options.verify ?? true) && fileCrc32(fd, 0, meta.blobBytes) !== meta.blobCrc32)
        throw new FaceLedgerError('INTERNAL', `HNSW index file ${path} is corrupt: checksum mismatch`);
      info = readUsearchFile(fd, meta.blobBytes, path);
    } finally {
      closeSync(fd);
    }
    if (info.live !== meta.size || info.dimensions !== meta.dimensions || info.scalar !== meta.quantization)
      throw new FaceLedgerError('INTERNAL', `HNSW index file ${path} does not match its own metadata`);
    if (options.dimensions !== undefined && options.dimensions !== meta.dimensions)
      throw new FaceLedgerError(
        'INTERNAL',
        `index file ${path} holds ${meta.dimensions}-d vectors, expected ${options.dimensions}-d`,
      );
    if (info.removed > SAFE_TOMBSTONE_RATIO * info.live)
      throw new FaceLedgerError(
        'INTERNAL',
        `HNSW index file ${path} has ${info.removed} deleted slots for ${info.live} live ones; usearch 2.21 ` +
          'cannot open that safely — rebuild the index from the database',
      );
    const out = new HnswIndex({
      dimensions: meta.dimensions,
      metric: meta.metric,
      quantization: meta.quantization,
      connectivity: meta.connectivity,
      expansionAdd: options.expansionAdd ?? meta.expansionAdd,
      expansionSearch: options.expansionSearch ?? meta.expansionSearch,
      threads: options.threads,
    });
    for (const key of info.keys) if (key !== 0) out.present.add(key);
    if (out.present.size !== info.live) {
      out.close();
      throw new FaceLedgerError('INTERNAL', `HNSW index file ${path} holds repeated labels`);
    }
    const mode = options.mode ?? 'load';
    try {
      if (mode === 'view') out.index.view(path);
      else out.index.load(path);
    } catch (err) {
      out.close();
      throw new FaceLedgerError('INTERNAL', `usearch could not ${mode} ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (out.index.size() !== info.live || out.index.dimensions() !== meta.dimensions) {
      out.close();
      throw new FaceLedgerError('INTERNAL', `HNSW index file ${path} does not match its own metadata`);
    }
    out.viewed = mode === 'view';
    out.deleted = info.removed;
    return out;
  }

  /** True if the file at `path` ends with the HNSW trailer. */
  static isHnswFile(fd: number, fileBytes: number): boolean {
    if (fileBytes < TRAILER_BYTES) return false;
    return readExactly(fd, 8, fileBytes - 8, 'the trailer').toString('latin1') === HNSW_MAGIC;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private static resolve(options: HnswOptions): Settings {
    checkDimensions(options.dimensions);
    const quantization = options.quantization ?? HNSW_DEFAULTS.quantization;
    const s: Settings = {
      dimensions: options.dimensions,
      // usearch's i8 'ip' is unscaled (below): i8 defaults to 'cos'.
      metric: options.metric ?? (quantization === 'i8' ? 'cos' : HNSW_DEFAULTS.metric),
      quantization,
      connectivity: options.connectivity ?? HNSW_DEFAULTS.connectivity,
      expansionAdd: options.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
      expansionSearch: options.expansionSearch ?? HNSW_DEFAULTS.expansionSearch,
      threads: clampThreads(options.threads),
    };
    if (s.metric !== 'cos' && s.metric !== 'ip')
      throw new FaceLedgerError('BAD_INPUT', `unknown metric ${s.metric}`);
    if (!['f32', 'f16', 'i8'].includes(s.quantization))
      throw new FaceLedgerError('BAD_INPUT', `unknown quantization ${s.quantization}`);
    // usearch's i8 inner product is the raw integer dot product (self-similarity ~15000), not a cosine.
    if (s.quantization === 'i8' && s.metric === 'ip')
      throw new FaceLedgerError(
        'BAD_INPUT',
        "i8 quantization needs metric 'cos' (usearch's i8 'ip' is unscaled)",
      );
    for (const [name, value, min] of [
      ['connectivity', s.connectivity, 2],
      ['expansionAdd', s.expansionAdd, 1],
      ['expansionSearch', s.expansionSearch, 1],
    ] as const)
      if (!Number.isInteger(value) || value < min || value > 4096)
        throw new FaceLedgerError('BAD_INPUT', `${name} must be an integer ≥ ${min}, got ${value}`);
    return s;
  }

  private static makeNative(s: Settings): Index {
    return new Index({
      dimensions: s.dimensions,
      metric: s.metric === 'ip' ? MetricKind.IP : MetricKind.Cos,
      quantization:
        s.quantization === 'f32' ? ScalarKind.F32 : s.quantization === 'f16' ? ScalarKind.F16 : ScalarKind.I8,
      connectivity: s.connectivity,
      expansion_add: s.expansionAdd,
      expansion_search: s.expansionSearch,
      multi: false,
    });
  }

  private addNormalized(labels: readonly number[], normalized: Float32Array): void {
    // usearch refuses keys it already holds: take replaced labels out first (their slots get reused).
    const replaced = labels.filter((label) => this.present.has(label));
    if (replaced.length > 0) this.remove(replaced);
    const keys = labelsToKeys(labels);
    try {
      this.native(() => this.index.add(keys, normalized, this.settings.threads));
    } catch (err) {
      // A failed batch may be partly inserted: re-learn which of its labels made it in.
      const inside = this.index.contains(keys) as boolean[];
      labels.forEach((label, i) => {
        if (inside[i]) this.present.add(label);
      });
      throw err;
    }
    for (const label of labels) this.present.add(label);
    this.deleted = Math.max(0, this.deleted - labels.length);
  }

  private *storedEntries(
    chunkRows: number,
    tempDir: string,
  ): Generator<{ labels: number[]; raw: Buffer; scalar: string }> {
    this.assertOpen();
    const dir = mkdtempSync(join(tempDir, 'faceledger-hnsw-'));
    const file = join(dir, 'export.usearch');
    try {
      this.native(() => this.index.save(file));
      const fd = openSync(file, 'r');
      try {
        const info = readUsearchFile(fd, fstatSync(fd).size, file);
        const bpv = info.bytesPerVector;
        for (let from = 0; from < info.rows; from += chunkRows) {
          const to = Math.min(info.rows, from + chunkRows);
          const raw = readStoredVectors(fd, info, from, to);
          const labels: number[] = [];
          const keep: number[] = [];
          for (let slot = from; slot < to; slot++) {
            const label = info.keys[slot] as number;
            if (label !== 0) {
              labels.push(label);
              keep.push(slot - from);
            }
          }
          if (labels.length === 0) continue;
          const packed = Buffer.allocUnsafe(labels.length * bpv);
          keep.forEach((row, i) => {
            raw.copy(packed, i * bpv, row * bpv, (row + 1) * bpv);
          });
          yield { labels, raw: packed, scalar: info.scalar };
        }
      } finally {
        closeSync(fd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private collect(keys: BigUint64Array, distances: Float32Array, from: number, count: number): Neighbor[] {
    const out: Neighbor[] = [];
    for (let i = from; i < from + count; i++) {
      const label = keyToLabel(keys[i] as bigint);
      // Belt and braces: usearch skips tombstones itself, but never let a removed label out.
      if (this.present.has(label)) out.push({ label, similarity: similarityOf(distances[i] as number) });
    }
    return out;
  }

  private native<T>(call: () => T): T {
    try {
      return call();
    } catch (err) {
      throw wrap(err);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new FaceLedgerError('INTERNAL', 'vector index used after close()');
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readOnly)
      throw new FaceLedgerError(
        'INTERNAL',
        "HNSW index is memory-mapped (mode 'view') and read-only; open it with mode 'load' to change it",
      );
  }
}

function wrap(err: unknown): FaceLedgerError {
  if (err instanceof FaceLedgerError) return err;
  return new FaceLedgerError('INTERNAL', `usearch: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
  });
}

function readMeta(fd: number, path: string): Meta {
  const size = fstatSync(fd).size;
  const corrupt = (why: string) =>
    new FaceLedgerError('INTERNAL', `HNSW index file ${path} is corrupt or truncated: ${why}`);
  if (!HnswIndex.isHnswFile(fd, size)) throw corrupt('trailer missing');
  const trailer = readExactly(fd, TRAILER_BYTES, size - TRAILER_BYTES, 'the trailer');
  const length = trailer.readUInt32LE(0);
  if (length > 1 << 20 || length + TRAILER_BYTES > size) throw corrupt('bad metadata length');
  const json = readExactly(fd, length, size - TRAILER_BYTES - length, 'the metadata');
  if (crc32(json) !== trailer.readUInt32LE(4)) throw corrupt('metadata checksum mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    throw corrupt('metadata is not JSON');
  }
  const meta = MetaSchema.safeParse(parsed);
  if (!meta.success) throw corrupt(`unexpected metadata (${meta.error.message})`);
  if (meta.data.blobBytes + length + TRAILER_BYTES !== size)
    throw corrupt(
      `${size} bytes where the metadata promises ${meta.data.blobBytes + length + TRAILER_BYTES}`,
    );
  return meta.data;
}

/**
 * Frees an usearch index's native memory now, by loading an empty index over it (`load` resets
 * everything first); otherwise it stays allocated until V8 happens to collect the small JS wrapper.
 */
function releaseNative(index: Index): void {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'faceledger-hnsw-'));
    const empty = join(dir, 'empty.usearch');
    new Index(1, MetricKind.IP, ScalarKind.F32).save(empty);
    index.load(empty);
  } catch {
    // Best effort: the memory is still freed when the wrapper is collected.
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
