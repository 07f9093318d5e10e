import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { FaceLedgerError } from '../../core/errors.js';
import { folderSource } from './folder-source.js';
import { csvSource, jsonlSource } from './manifest-source.js';
import { fileError } from './read-bytes.js';
import { type IngestSource, resolveSourceOptions, type SourceOptionsInput } from './source-item.js';
import { tarSource } from './tar-source.js';
import { zipSource } from './zip-source.js';

const SUPPORTED = 'a folder, a .zip, .tar, .tar.gz or .tgz archive, or a .csv or .jsonl manifest';

/**
 * Opens what the operator passed to `faceledger ingest`: the kind comes from the path — a folder, or a file
 * by its extension (case-insensitive). The source is checked enough to fail early and clearly (missing:
 * NOT_FOUND; unknown kind: UNSUPPORTED_TYPE; a zip that is not a zip, a CSV without a usable header:
 * BAD_INPUT); reading its entries happens lazily in `entries()`.
 */
export async function openSource(input: string, options?: SourceOptionsInput): Promise<IngestSource> {
  const resolved = resolveSourceOptions(options);
  if (typeof input !== 'string' || input.trim() === '') {
    throw new FaceLedgerError('BAD_INPUT', `Name a source to ingest: ${SUPPORTED}.`);
  }
  const root = resolve(input);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(root);
  } catch (err) {
    const error = fileError(err, `The source ${input}`);
    if (error.code === 'NOT_FOUND') {
      throw new FaceLedgerError('NOT_FOUND', `${input} does not exist; give ${SUPPORTED}.`, { cause: err });
    }
    throw error;
  }
  if (info.isDirectory()) return folderSource(root, resolved);
  const kind = kindOf(basename(root));
  if (!info.isFile() || !kind) {
    throw new FaceLedgerError('UNSUPPORTED_TYPE', `Cannot ingest ${input}: give ${SUPPORTED}.`);
  }
  switch (kind) {
    case 'zip':
      return zipSource(root, resolved);
    case 'tar':
      return tarSource(root, resolved);
    case 'csv':
      return csvSource(root, resolved);
    case 'jsonl':
      return jsonlSource(root, resolved);
  }
}

function kindOf(name: string): 'zip' | 'tar' | 'csv' | 'jsonl' | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar') || lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return null;
}
