import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as zlib from 'node:zlib';
import { FaceLedgerError } from '../../core/errors.js';

/** Index files on disk: checksums, exact reads, and writes that are atomic (temp file, fsync, rename). */
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
