/**
 * What an uploaded ingest file is, decided from its name AND its first bytes: a name alone would let a
 * photo or a PDF called `x.zip` through to the archive reader, and bytes alone cannot tell a CSV from
 * any other text. The answer picks the extension the file is saved under, which is what the ingest
 * sources key on.
 */
import { FaceLedgerError } from '../../core/errors.js';

export type UploadField = 'archive' | 'manifest';
export type UploadKind = 'zip' | 'tar' | 'tar.gz' | 'csv' | 'jsonl';

const FIELD_OF: Readonly<Record<UploadKind, UploadField>> = {
  zip: 'archive',
  tar: 'archive',
  'tar.gz': 'archive',
  csv: 'manifest',
  jsonl: 'manifest',
};

const ACCEPTED: Readonly<Record<UploadField, string>> = {
  archive: 'a .zip, .tar or .tar.gz archive of images',
  manifest: 'a .csv or .jsonl manifest of image URLs',
};

function startsWith(data: Uint8Array, bytes: readonly number[], at = 0): boolean {
  return data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
}

const isZip = (d: Uint8Array) =>
  startsWith(d, [0x50, 0x4b, 0x03, 0x04]) || startsWith(d, [0x50, 0x4b, 0x05, 0x06]);
const isGzip = (d: Uint8Array) => startsWith(d, [0x1f, 0x8b]);
/** POSIX and GNU tar headers both carry "ustar" at offset 257. */
const isTar = (d: Uint8Array) => startsWith(d, [0x75, 0x73, 0x74, 0x61, 0x72], 257);

function looksLikeImage(d: Uint8Array): boolean {
  return (
    startsWith(d, [0xff, 0xd8, 0xff]) || // JPEG
    startsWith(d, [0x89, 0x50, 0x4e, 0x47]) || // PNG
    startsWith(d, [0x47, 0x49, 0x46, 0x38]) || // GIF
    (startsWith(d, [0x52, 0x49, 0x46, 0x46]) && startsWith(d, [0x57, 0x45, 0x42, 0x50], 8)) // WebP
  );
}

/** Text a manifest reader can take: UTF-8 without NUL bytes (checked on the first 64 KiB). */
function isText(d: Uint8Array): boolean {
  const head = d.subarray(0, 64 * 1024);
  if (head.includes(0)) return false;
  try {
    // A multi-byte character cut at the 64 KiB edge is fine; `stream: true` leaves it pending.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function kindByName(name: string): UploadKind | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.tar')) return 'tar';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return null;
}

function kindByBytes(d: Uint8Array): UploadKind | null {
  if (isZip(d)) return 'zip';
  if (isGzip(d)) return 'tar.gz';
  if (isTar(d)) return 'tar';
  if (isText(d)) {
    const text = new TextDecoder()
      .decode(d.subarray(0, 4096))
      .replace(/^\uFEFF/, '')
      .trimStart();
    return text.startsWith('{') ? 'jsonl' : 'csv';
  }
  return null;
}

function matchesBytes(kind: UploadKind, d: Uint8Array): boolean {
  switch (kind) {
    case 'zip':
      return isZip(d);
    case 'tar.gz':
      return isGzip(d);
    case 'tar':
      return isTar(d);
    case 'csv':
    case 'jsonl':
      return isText(d);
  }
}

function unsupported(field: UploadField, message: string): FaceLedgerError {
  return new FaceLedgerError('UNSUPPORTED_TYPE', `${message}; "${field}" takes ${ACCEPTED[field]}`);
}

/**
 * The kind of an upload sent in `field`, or UNSUPPORTED_TYPE saying what was wrong: an empty file, a
 * single photo, a name that disagrees with the content, or a manifest sent as an archive (or back).
 */
export function uploadKind(field: UploadField, filename: string, data: Uint8Array): UploadKind {
  const shown = JSON.stringify(filename || '(unnamed)');
  if (data.length === 0) throw unsupported(field, `${shown} is empty`);
  if (looksLikeImage(data))
    throw unsupported(field, `${shown} is a single image, not a collection; put the images in an archive`);
  const named = kindByName(filename);
  if (named !== null && !matchesBytes(named, data))
    throw unsupported(field, `${shown} is named like a ${named} file but its content is not one`);
  const kind = named ?? kindByBytes(data);
  if (kind === null) throw unsupported(field, `${shown} is not an archive or a manifest FaceLedger can read`);
  if (FIELD_OF[kind] !== field)
    throw unsupported(field, `${shown} is a ${kind} file; send it in the "${FIELD_OF[kind]}" field`);
  return kind;
}

/** The extension an upload of this kind is saved under, which the ingest sources recognise. */
export function extensionOf(kind: UploadKind): string {
  return `.${kind}`;
}
