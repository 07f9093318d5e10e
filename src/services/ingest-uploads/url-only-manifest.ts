/**
 * An uploaded manifest may name images by URL only. The manifest reader also takes a `path` column
 * (files on the machine running the ingest, which is right for the operator's own CLI); sent over
 * HTTP, a path would let a client enrol any readable picture on the server — another org's upload in
 * progress, a dataset, a backup — into its gallery and then view it as thumbnails. So such a manifest
 * is refused whole, before anything is read.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { FaceLedgerError } from '../../core/errors.js';

/** The manifest reader matches column names trimmed and case-insensitively (manifest-row.ts). */
const isPathColumn = (name: string): boolean => name.trim().toLowerCase() === 'path';

function refused(where: string): FaceLedgerError {
  return new FaceLedgerError(
    'BAD_INPUT',
    `${where} names a "path" column: an uploaded manifest names its images by "url" only (paths would be read on the server)`,
  );
}

async function checkCsv(path: string, shown: string): Promise<void> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, trim: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }),
  );
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (record.some(isPathColumn)) throw refused(`the header of ${shown}`);
      return; // only the header names columns
    }
  } catch (err) {
    if (err instanceof FaceLedgerError) throw err;
    throw new FaceLedgerError('BAD_INPUT', `${shown} is not valid CSV: ${(err as Error).message}`);
  } finally {
    parser.destroy();
  }
}

async function checkJsonl(path: string, shown: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (!text.includes('"')) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue; // the ingest reports the line as a bad row; it can name no file
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      for (const [key, v] of Object.entries(value))
        if (isPathColumn(key) && v !== null && v !== undefined && String(v).trim() !== '')
          throw refused(`line ${line} of ${shown}`);
    }
  } finally {
    lines.close();
  }
}

/** Throws BAD_INPUT when the saved manifest at `path` names any image by a file path. */
export async function assertUrlOnlyManifest(
  path: string,
  kind: 'csv' | 'jsonl',
  filename: string,
): Promise<void> {
  const shown = JSON.stringify(filename || 'the manifest');
  if (kind === 'csv') await checkCsv(path, shown);
  else await checkJsonl(path, shown);
}
