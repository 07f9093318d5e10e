import { readSync } from 'node:fs';
import { FaceLedgerError } from '../../core/errors.js';
import { readExactly } from './index-file-io.js';
import { keyToLabel } from './keys.js';

/**
 * A reader for the file usearch 2.x writes with `Index.save()` (index_dense_gt::save_to_stream, default
 * serialization config), so we can get back what its JS binding cannot give: the keys it holds (to list
 * labels) and the stored vectors (to compact away deleted entries, or turn a shrunken HNSW index back into
 * an exact one). Layout, all little-endian:
 *
 *   u32 rows, u32 bytes per vector             rows × bytes-per-vector vector matrix (slot order)
 *   64-byte dense head: "usearch", u16 major/minor/patch, u8 metric, u8 scalar, u8 key kind, u8 slot kind,
 *                       u64 present, u64 deleted, u64 dimensions, u8 multi
 *   40-byte graph header: u64 size, u64 connectivity, u64 connectivity_base, u64 max_level, u64 entry_slot
 *   size × i16 node levels
 *   size node tapes: u64 key, i16 level, (u32 count + connectivity_base × u32) for level 0,
 *                    (u32 count + connectivity × u32) per upper level
 *
 * Removed entries keep their slot with the key 2^64 − 1. The reader checks that the pieces add up to the
 * blob's exact length, so a layout change in a future usearch fails loudly instead of reading garbage.
 */
export const FREE_KEY = 0xffff_ffff_ffff_ffffn;

const SCALARS: Record<number, { name: string; bytes: number }> = {
  10: { name: 'f64', bytes: 8 },
  11: { name: 'f32', bytes: 4 },
  12: { name: 'f16', bytes: 2 },
  23: { name: 'i8', bytes: 1 },
};
const METRICS: Record<number, string> = { 105: 'ip', 99: 'cos', 101: 'l2sq' };

export interface UsearchFileInfo {
  version: string;
  rows: number;
  bytesPerVector: number;
  dimensions: number;
  scalar: string;
  metric: string;
  connectivity: number;
  /** Byte offset of the vector matrix. */
  vectorsAt: number;
  /** slot → label (keys unscrambled, see keys.ts); 0 marks a removed slot. */
  keys: Float64Array;
  live: number;
  removed: number;
}

/** Reads and validates the structure of the usearch blob in bytes [0, blobBytes) of `fd`. */
export function readUsearchFile(fd: number, blobBytes: number, path: string): UsearchFileInfo {
  const corrupt = (why: string) =>
    new FaceLedgerError('INTERNAL', `HNSW index file ${path} is corrupt or truncated: ${why}`);
  if (blobBytes < 8 + 64 + 40) throw corrupt('too short for a usearch index');
  const dims = readExactly(fd, 8, 0, 'the matrix header');
  const rows = dims.readUInt32LE(0);
  const bytesPerVector = dims.readUInt32LE(4);
  const headAt = 8 + rows * bytesPerVector;
  if (headAt + 64 + 40 > blobBytes) throw corrupt('vector matrix runs past the end');
  const head = readExactly(fd, 64 + 40, headAt, 'the usearch header');
  if (head.toString('latin1', 0, 7) !== 'usearch') throw corrupt('usearch magic missing');
  const major = head.readUInt16LE(7);
  if (major !== 2) throw corrupt(`usearch format version ${major}.x, this code reads 2.x`);
  const version = `${major}.${head.readUInt16LE(9)}.${head.readUInt16LE(11)}`;
  const metric = METRICS[head.readUInt8(13)] ?? `#${head.readUInt8(13)}`;
  const scalar = SCALARS[head.readUInt8(14)];
  if (!scalar) throw corrupt(`unsupported scalar kind ${head.readUInt8(14)}`);
  if (head.readUInt8(15) !== 14 || head.readUInt8(16) !== 15) throw corrupt('unexpected key or slot type');
  const dimensions = Number(head.readBigUInt64LE(33));
  if (dimensions * scalar.bytes !== bytesPerVector)
    throw corrupt(`${dimensions} × ${scalar.name} does not make ${bytesPerVector}-byte vectors`);
  const size = Number(head.readBigUInt64LE(64));
  const connectivity = Number(head.readBigUInt64LE(64 + 8));
  const connectivityBase = Number(head.readBigUInt64LE(64 + 16));
  if (size !== rows) throw corrupt(`graph holds ${size} nodes for ${rows} vectors`);
  if (connectivity < 2 || connectivity > 1024 || connectivityBase < connectivity || connectivityBase > 4096)
    throw corrupt(`implausible connectivity ${connectivity}/${connectivityBase}`);

  const levelsAt = headAt + 64 + 40;
  if (levelsAt + size * 2 > blobBytes) throw corrupt('node levels run past the end');
  const levelBytes = readExactly(fd, size * 2, levelsAt, 'node levels');
  const headBytes = 10;
  const baseBytes = 4 + 4 * connectivityBase;
  const upperBytes = 4 + 4 * connectivity;
  const keys = new Float64Array(size);
  let live = 0;
  let removed = 0;

  // Stream the node tapes, picking each node's key from its first 8 bytes.
  const chunk = Buffer.allocUnsafe(Math.min(8 << 20, Math.max(1, blobBytes - levelsAt)));
  let chunkStart = levelsAt + size * 2;
  let chunkEnd = chunkStart;
  let at = chunkStart;
  for (let slot = 0; slot < size; slot++) {
    const level = levelBytes.readInt16LE(slot * 2);
    if (level < 0 || level > 64) throw corrupt(`node ${slot} has level ${level}`);
    const nodeBytes = headBytes + baseBytes + upperBytes * level;
    if (at + 8 > chunkEnd) {
      chunkStart = at;
      const want = Math.min(chunk.length, blobBytes - at);
      if (want < 8) throw corrupt(`node ${slot} runs past the end`);
      const got = readSync(fd, chunk, 0, want, at);
      if (got < 8) throw corrupt(`node ${slot} runs past the end`);
      chunkEnd = chunkStart + got;
    }
    const key = chunk.readBigUInt64LE(at - chunkStart);
    if (key === FREE_KEY) {
      removed++;
    } else {
      const label = keyToLabel(key);
      if (label === 0) throw corrupt(`node ${slot} has key ${key}, not a label's`);
      keys[slot] = label;
      live++;
    }
    at += nodeBytes;
    if (at > blobBytes) throw corrupt(`node ${slot} runs past the end`);
  }
  if (at !== blobBytes) throw corrupt(`${blobBytes - at} unexpected bytes after the graph`);
  return {
    version,
    rows,
    bytesPerVector,
    dimensions,
    scalar: scalar.name,
    metric,
    connectivity,
    vectorsAt: 8,
    keys,
    live,
    removed,
  };
}

/** Raw stored bytes of the vectors in slots [from, to). */
export function readStoredVectors(fd: number, info: UsearchFileInfo, from: number, to: number): Buffer {
  return readExactly(
    fd,
    (to - from) * info.bytesPerVector,
    info.vectorsAt + from * info.bytesPerVector,
    'stored vectors',
  );
}

/** IEEE 754 half → float. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Decodes stored vectors to float32. i8 vectors (stored as round-toward-zero of 127 × the unit vector)
 * come back as approximations; callers re-normalise.
 */
export function decodeVectors(raw: Buffer, scalar: string, dimensions: number): Float32Array {
  const n =
    raw.length / (dimensions * (scalar === 'f64' ? 8 : scalar === 'f32' ? 4 : scalar === 'f16' ? 2 : 1));
  const out = new Float32Array(n * dimensions);
  switch (scalar) {
    case 'f32':
      for (let i = 0; i < out.length; i++) out[i] = raw.readFloatLE(i * 4);
      break;
    case 'f64':
      for (let i = 0; i < out.length; i++) out[i] = raw.readDoubleLE(i * 8);
      break;
    case 'f16':
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(raw.readUInt16LE(i * 2));
      break;
    case 'i8':
      for (let i = 0; i < out.length; i++) out[i] = raw.readInt8(i) / 127;
      break;
    default:
      throw new FaceLedgerError('INTERNAL', `cannot decode ${scalar} vectors`);
  }
  return out;
}

/** "major.minor.patch" of the usearch that wrote the blob at the start of `fd`. */
export function readUsearchVersion(fd: number): string {
  const dims = readExactly(fd, 8, 0, 'the matrix header');
  const headAt = 8 + dims.readUInt32LE(0) * dims.readUInt32LE(4);
  const head = readExactly(fd, 13, headAt, 'the usearch header');
  return `${head.readUInt16LE(7)}.${head.readUInt16LE(9)}.${head.readUInt16LE(11)}`;
}
