import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { FaceLedgerError } from '../../core/errors.js';
import { formatBytes, isHiddenPath, isImageName, UniqueKeys, unsafeMemberName } from './names.js';
import { collectCapped, fileError, isFileErrno, tooLarge } from './read-bytes.js';
import {
  EntryBudget,
  type IngestSource,
  type SourceEntry,
  type SourceOptions,
  type SourceProblem,
} from './source-item.js';

/**
 * Zip bomb guards. Pictures are already compressed (JPEG, PNG, WebP, GIF) and raw TIFF photos deflate by a
 * few times at most, so a member that claims to expand more than 100× (and is big enough to matter) is
 * refused, and so is an archive whose members together claim more than 100× the archive's size (the
 * overlapping-member construction, where many entries share one compressed body).
 */
export const MAX_EXPANSION_RATIO = 100;
const RATIO_CHECK_FLOOR = 1024 * 1024;

/** How long an idle read handle stays open, so a consumer reading items one by one does not reopen the zip each time. */
const IDLE_CLOSE_MS = 1000;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Opens the central directory once to check that this is a zip and that it lists at most `maxEntries`
 * members; entries are then listed lazily (one central directory record at a time, never extracted to disk)
 * and each item's bytes are inflated only when `read()` is called — in any order, at any time.
 */
export async function zipSource(path: string, options: SourceOptions): Promise<IngestSource> {
  const zip = await openZip(path, false);
  try {
    if (zip.entryCount > options.maxEntries) {
      throw new FaceLedgerError(
        'TOO_LARGE',
        `The zip archive lists ${zip.entryCount} members; the limit is ${options.maxEntries} (maxEntries).`,
      );
    }
  } finally {
    zip.close();
  }
  const reader = new SharedZipReader(path);
  const entries = () => zipEntries(path, options, reader);
  return {
    kind: 'zip',
    root: path,
    entries,
    countHint: async () => {
      let n = 0;
      for await (const _ of entries()) n++;
      return n;
    },
  };
}

async function* zipEntries(
  path: string,
  options: SourceOptions,
  reader: SharedZipReader,
): AsyncGenerator<SourceEntry> {
  const zip = await openZip(path, false);
  const budget = new EntryBudget(options.maxEntries, 'zip archive');
  const keys = new UniqueKeys();
  const expansionCap = zip.fileSize * MAX_EXPANSION_RATIO + options.maxImageBytes;
  let declaredTotal = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) return;
      budget.take();
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileNameRaw,
        entry.extraFields,
        false,
      );
      if (name.endsWith('/')) continue; // a folder
      const unsafe = unsafeMemberName(name);
      if (unsafe) {
        yield problem(keys.claim(name), name, 'BAD_INPUT', `Skipped ${JSON.stringify(name)}: ${unsafe}.`);
        continue;
      }
      if (isHiddenPath(name) || !isImageName(name)) continue;
      const key = keys.claim(name);
      const refused = refuse(entry, name, options);
      if (refused) {
        yield problem(key, name, refused.code, refused.message);
        continue;
      }
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > expansionCap) {
        throw new FaceLedgerError(
          'BAD_INPUT',
          `The zip archive's members claim more than ${MAX_EXPANSION_RATIO}× its size of ${formatBytes(zip.fileSize)}; refusing it as a likely zip bomb.`,
        );
      }
      yield {
        item: {
          key,
          location: name,
          subjectId: null,
          sourceLink: null,
          metadata: {},
          read: () => reader.read(entry, name),
        },
      };
    }
  } finally {
    zip.close();
  }
}

/** Why a member cannot be read, judged from the central directory alone (nothing is inflated). */
function refuse(entry: Entry, name: string, options: SourceOptions): FaceLedgerError | null {
  const label = `Member ${name}`;
  if (
    (entry.versionMadeBy >> 8 === 3 || entry.versionMadeBy >> 8 === 19) &&
    ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK
  ) {
    return new FaceLedgerError(
      'BAD_INPUT',
      `${label} is a symbolic link; links inside archives are not followed.`,
    );
  }
  if (entry.isEncrypted()) {
    return new FaceLedgerError(
      'UNSUPPORTED_TYPE',
      `${label} is encrypted; encrypted archives are not supported.`,
    );
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    return new FaceLedgerError(
      'UNSUPPORTED_TYPE',
      `${label} uses compression method ${entry.compressionMethod}; only stored and deflated members are supported.`,
    );
  }
  if (entry.uncompressedSize > options.maxImageBytes) {
    return tooLarge(label, entry.uncompressedSize, options.maxImageBytes);
  }
  if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
    return new FaceLedgerError(
      'BAD_INPUT',
      `${label} is stored uncompressed but declares ${entry.compressedSize} bytes on disk and ${entry.uncompressedSize} bytes of content; the archive is damaged.`,
    );
  }
  if (
    entry.uncompressedSize > RATIO_CHECK_FLOOR &&
    entry.uncompressedSize > entry.compressedSize * MAX_EXPANSION_RATIO
  ) {
    const ratio = Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize));
    return new FaceLedgerError(
      'BAD_INPUT',
      `${label} claims to expand ${ratio}× (${formatBytes(entry.compressedSize)} to ${formatBytes(entry.uncompressedSize)}); refusing it as a likely zip bomb.`,
    );
  }
  return null;
}

function problem(key: string, location: string, code: SourceProblem['code'], message: string): SourceEntry {
  return { problem: { key, location, code, message } };
}

/**
 * One read handle shared by all items of the source, opened on demand and closed when idle. Entries from a
 * listing pass stay valid here: yauzl reads a member from the offsets recorded in its entry.
 */
class SharedZipReader {
  #zip: Promise<ZipFile> | null = null;
  #busy = 0;
  #idle: NodeJS.Timeout | null = null;

  constructor(private readonly path: string) {}

  async read(entry: Entry, name: string): Promise<Uint8Array> {
    const label = `Member ${name}`;
    this.#busy++;
    if (this.#idle) {
      clearTimeout(this.#idle);
      this.#idle = null;
    }
    try {
      this.#zip ??= openZip(this.path, true);
      let zip: ZipFile;
      try {
        zip = await this.#zip;
      } catch (err) {
        this.#zip = null;
        throw err;
      }
      const stream = await zip.openReadStreamPromise(entry);
      // yauzl also checks the inflated length against the declared size; this cap is the same rule, enforced
      // here so that memory never exceeds the declared (and already capped) size whatever the stream does.
      return await collectCapped(
        stream,
        entry.uncompressedSize,
        (seen) =>
          new FaceLedgerError(
            'BAD_INPUT',
            `${label} inflates to more than its declared ${formatBytes(entry.uncompressedSize)} (at least ${formatBytes(seen)}); the archive is damaged or hostile.`,
          ),
      );
    } catch (err) {
      if (err instanceof FaceLedgerError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new FaceLedgerError('BAD_INPUT', `${label} cannot be read: ${message}.`, { cause: err });
    } finally {
      if (--this.#busy === 0) {
        this.#idle = setTimeout(() => this.#close(), IDLE_CLOSE_MS);
        this.#idle.unref();
      }
    }
  }

  #close(): void {
    this.#idle = null;
    const zip = this.#zip;
    this.#zip = null;
    zip?.then(
      (z) => z.close(),
      () => {},
    );
  }
}

async function openZip(path: string, validateEntrySizes: boolean): Promise<ZipFile> {
  try {
    return await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      // Names are decoded and judged here, so one `../x.jpg` member is a problem, not the end of the archive.
      decodeStrings: false,
      validateEntrySizes,
      strictFileNames: false,
    });
  } catch (err) {
    if (isFileErrno(err)) throw fileError(err, `The zip archive ${path}`);
    const message = err instanceof Error ? err.message : String(err);
    throw new FaceLedgerError('BAD_INPUT', `${path} is not a readable zip archive: ${message}.`, {
      cause: err,
    });
  }
}

/** The next central directory record, or null at the end. */
function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => {
      done();
      resolve(entry);
    };
    const onEnd = () => {
      done();
      resolve(null);
    };
    const onError = (err: Error) => {
      done();
      reject(new FaceLedgerError('BAD_INPUT', `The zip archive is damaged: ${err.message}.`, { cause: err }));
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}
