import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { FaceLedgerError } from '../../core/errors.js';
import { formatBytes } from './names.js';

/**
 * Reads a regular file of at most `maxBytes`. Opened non-blocking so a FIFO named `x.jpg` cannot hang the
 * ingest, checked to be a regular file, and capped while reading (a file that grows after `fstat` still
 * cannot exceed the limit).
 */
export async function readFileCapped(path: string, maxBytes: number, label: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const info = await handle.stat();
    if (!info.isFile()) throw new FaceLedgerError('BAD_INPUT', `${label} is not a regular file.`);
    if (info.size > maxBytes) throw tooLarge(label, info.size, maxBytes);
    // Never from Buffer's shared pool: the caller may transfer the bytes to a worker.
    const buffer = Buffer.allocUnsafeSlow(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(label, length, maxBytes);
      if (length === buffer.length) break; // the file grew past its fstat size but stays under the cap
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  } catch (err) {
    throw fileError(err, label);
  } finally {
    await handle?.close().catch(() => {});
  }
}

export function tooLarge(label: string, size: number, maxBytes: number, atLeast = false): FaceLedgerError {
  return new FaceLedgerError(
    'TOO_LARGE',
    `${label} is ${atLeast ? 'over ' : ''}${formatBytes(size)}; the limit is ${formatBytes(maxBytes)} (maxImageBytes).`,
  );
}

const FILE_ERRNOS = new Set([
  'ENOENT',
  'ENOTDIR',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ELOOP',
  'EIO',
  'EMFILE',
  'ENFILE',
]);

/** True for the errors the file system raises (as opposed to format errors from a parser). */
export function isFileErrno(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && FILE_ERRNOS.has(code);
}

/** File system errors as the codes a caller acts on; anything already coded passes through. */
export function fileError(err: unknown, label: string): FaceLedgerError {
  if (err instanceof FaceLedgerError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new FaceLedgerError('NOT_FOUND', `${label} does not exist.`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new FaceLedgerError('BAD_INPUT', `${label} cannot be read (permission denied).`, { cause: err });
    case 'EISDIR':
      return new FaceLedgerError('BAD_INPUT', `${label} is a folder, not a file.`, { cause: err });
    case 'ELOOP':
      return new FaceLedgerError('BAD_INPUT', `${label} is a symbolic link loop.`, { cause: err });
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return new FaceLedgerError('INTERNAL', `${label} could not be read: ${message}`, { cause: err });
    }
  }
}

/**
 * Collects a byte stream, failing as soon as it passes `maxBytes` (the source is then destroyed, so a
 * decompression bomb costs at most `maxBytes` of memory and work).
 */
export async function collectCapped(
  stream: AsyncIterable<Uint8Array> & { destroy?(err?: Error): unknown },
  maxBytes: number,
  onOver: (seen: number) => FaceLedgerError,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += chunk.length;
    if (length > maxBytes) {
      const error = onOver(length);
      stream.destroy?.(error);
      throw error;
    }
    chunks.push(chunk);
  }
  return concat(chunks, length);
}

/** Always a fresh buffer: stream chunks may be views into larger buffers that must not be pinned or shared. */
export function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
