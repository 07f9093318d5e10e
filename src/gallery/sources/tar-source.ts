import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar, { type Extract } from 'tar-stream';
import { FaceLedgerError } from '../../core/errors.js';
import { formatBytes, isHiddenPath, isImageName, UniqueKeys, unsafeMemberName } from './names.js';
import { collectCapped, fileError, isFileErrno, tooLarge } from './read-bytes.js';
import { EntryBudget, type IngestSource, type SourceEntry, type SourceOptions } from './source-item.js';
import { MAX_EXPANSION_RATIO } from './zip-source.js';

type TarEntry = Extract extends AsyncIterable<infer T> ? T : never;

/**
 * A tar archive, plain or gzip-compressed (recognised by its magic bytes, whatever the extension says).
 *
 * Reading order: tar is sequential — a member's bytes pass by once, before the next header. So each image
 * member (at most `maxImageBytes`, checked from the header before anything is buffered) is read into memory
 * when its entry is yielded, and `read()` returns a copy of those bytes. The consumer may therefore call
 * `read()` at any time, in any order, any number of times, and may pull entries ahead (a worker pool); the
 * memory held is the size of the items it keeps alive. Skipped and oversized members are drained, never
 * buffered. There is no `countHint()`: counting would mean decompressing the whole archive twice.
 */
export async function tarSource(path: string, options: SourceOptions): Promise<IngestSource> {
  const { gzip, size } = await sniff(path);
  return { kind: 'tar', root: path, entries: () => tarEntries(path, gzip, size, options) };
}

async function sniff(path: string): Promise<{ gzip: boolean; size: number }> {
  const label = `The tar archive ${path}`;
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new FaceLedgerError('BAD_INPUT', `${label} is not a regular file.`);
      const magic = Buffer.alloc(2);
      await handle.read(magic, 0, 2, 0);
      return { gzip: magic[0] === 0x1f && magic[1] === 0x8b, size: info.size };
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fileError(err, label);
  }
}

async function* tarEntries(
  path: string,
  gzip: boolean,
  fileSize: number,
  options: SourceOptions,
): AsyncGenerator<SourceEntry> {
  const extract = tar.extract();
  const file = createReadStream(path);
  const cap = fileSize * MAX_EXPANSION_RATIO + options.maxImageBytes;
  const onPipelineEnd = (err: Error | null) => {
    if (err) extract.destroy(err);
  };
  if (gzip) pipeline(file, createGunzip(), new ExpansionGuard(cap, fileSize), extract, onPipelineEnd);
  else pipeline(file, extract, onPipelineEnd);

  const iterator = extract[Symbol.asyncIterator]();
  const budget = new EntryBudget(options.maxEntries, 'tar archive');
  const keys = new UniqueKeys();
  try {
    for (;;) {
      let next: IteratorResult<TarEntry>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw archiveError(err, path);
      }
      if (next.done) return;
      const entry = next.value;
      const { header } = entry;
      const name = header.name;
      budget.take();
      // tar-stream folds pax and GNU long-name headers into the entry they describe.
      const type: string = header.type ?? 'file';
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      const unsafe = unsafeMemberName(name);
      if (unsafe) {
        entry.resume();
        yield problem(keys.claim(name), name, 'BAD_INPUT', `Skipped ${JSON.stringify(name)}: ${unsafe}.`);
        continue;
      }
      if (isHiddenPath(name) || !isImageName(name)) {
        entry.resume();
        continue;
      }
      const key = keys.claim(name);
      const label = `Member ${name}`;
      if (type === 'symlink' || type === 'link') {
        entry.resume();
        yield problem(key, name, 'BAD_INPUT', `${label} is a link; links inside archives are not followed.`);
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        yield problem(key, name, 'UNSUPPORTED_TYPE', `${label} is a ${type}, not a file.`);
        continue;
      }
      const size = header.size ?? 0;
      if (size > options.maxImageBytes) {
        entry.resume();
        const error = tooLarge(label, size, options.maxImageBytes);
        yield problem(key, name, error.code, error.message);
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = await collectCapped(entry as AsyncIterable<Uint8Array>, size, (seen) =>
          tooLarge(label, seen, size, true),
        );
      } catch (err) {
        throw archiveError(err, path);
      }
      yield {
        item: {
          key,
          location: name,
          subjectId: null,
          sourceLink: null,
          metadata: {},
          read: async () => bytes.slice(),
        },
      };
    }
  } finally {
    await iterator.return?.().catch(() => {});
    file.destroy();
  }
}

function problem(key: string, location: string, code: FaceLedgerError['code'], message: string): SourceEntry {
  return { problem: { key, location, code, message } };
}

function archiveError(err: unknown, path: string): FaceLedgerError {
  if (err instanceof FaceLedgerError) return err;
  if (isFileErrno(err)) return fileError(err, `The tar archive ${path}`);
  const message = err instanceof Error ? err.message : String(err);
  return new FaceLedgerError('BAD_INPUT', `The tar archive ${path} cannot be read: ${message}.`, {
    cause: err,
  });
}

/** Stops a gzip bomb: the decompressed stream may not exceed `cap` bytes. */
class ExpansionGuard extends Transform {
  #seen = 0;

  constructor(
    private readonly cap: number,
    private readonly compressedSize: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.cap) {
      callback(
        new FaceLedgerError(
          'BAD_INPUT',
          `The archive expands to more than ${MAX_EXPANSION_RATIO}× its compressed size of ${formatBytes(this.compressedSize)}; refusing it as a likely decompression bomb.`,
        ),
      );
      return;
    }
    callback(null, chunk);
  }
}
