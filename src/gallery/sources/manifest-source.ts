import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, type Info, parse } from 'csv-parse';
import { FaceLedgerError } from '../../core/errors.js';
import { rowToEntry } from './manifest-row.js';
import { fileError, isFileErrno } from './read-bytes.js';
import { EntryBudget, type IngestSource, type SourceEntry, type SourceOptions } from './source-item.js';

/** A record or JSON line longer than this is refused: a broken quote must not swallow the whole file into memory. */
const MAX_ROW_CHARS = 1024 * 1024;

/**
 * A CSV manifest: a header row naming the columns, then one image per row. `path` (relative to the
 * manifest's folder, or absolute) or `url` — exactly one; `subject_id`/`subjectId`; `source`/`source_url`/
 * `sourceLink`; any other column becomes metadata. Keys are `row:<n>`, n counting data rows from 1 (blank
 * lines are not rows). A row that fails validation is a BAD_INPUT problem and the manifest goes on; broken
 * CSV quoting ends the pass with BAD_INPUT, since the rows after it could not be numbered reliably.
 */
export async function csvSource(path: string, options: SourceOptions): Promise<IngestSource> {
  await readCsvHeader(path);
  const entries = () => csvEntries(path, options);
  return { kind: 'csv', root: path, entries, countHint: () => countEntries(entries) };
}

/**
 * A JSON Lines manifest: one JSON object per line with the same fields as the CSV manifest (values may be
 * numbers or booleans; nested values are kept as JSON text in metadata). Blank lines are not rows; a line
 * that is not a JSON object is a BAD_INPUT problem and the manifest goes on.
 */
export async function jsonlSource(path: string, options: SourceOptions): Promise<IngestSource> {
  // Fail early on a missing or unreadable file, not at the first pull.
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(path, { start: 0, end: 0 });
    stream.on('error', (err) => reject(fileError(err, `The manifest ${path}`)));
    stream.on('open', () => {
      stream.destroy();
      resolve();
    });
  });
  const entries = () => jsonlEntries(path, options);
  return { kind: 'jsonl', root: path, entries, countHint: () => countEntries(entries) };
}

async function countEntries(entries: () => AsyncGenerator<SourceEntry>): Promise<number> {
  let n = 0;
  for await (const _ of entries()) n++;
  return n;
}

function csvParser(path: string) {
  const parser = parse({
    bom: true,
    trim: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_ROW_CHARS,
  });
  const file = createReadStream(path);
  pipeline(file, parser, (err) => {
    if (err) parser.destroy(err);
  });
  return { parser, file };
}

async function readCsvHeader(path: string): Promise<string[]> {
  const { parser, file } = csvParser(path);
  try {
    for await (const { record } of parser as AsyncIterable<{ record: string[] }>) {
      return checkHeader(record, path);
    }
  } catch (err) {
    throw csvError(err, path);
  } finally {
    parser.destroy();
    file.destroy();
  }
  throw new FaceLedgerError(
    'BAD_INPUT',
    `The manifest ${path} is empty; it needs a header row naming its columns.`,
  );
}

function checkHeader(record: string[], path: string): string[] {
  const names = record.map((name) => name.trim());
  names.forEach((name, i) => {
    if (!name)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `The manifest ${path}: column ${i + 1} of the header has no name.`,
      );
  });
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new FaceLedgerError(
        'BAD_INPUT',
        `The manifest ${path}: the header names column "${name}" twice.`,
      );
    seen.add(name);
  }
  const lower = names.map((name) => name.toLowerCase());
  if (!lower.includes('path') && !lower.includes('url')) {
    throw new FaceLedgerError(
      'BAD_INPUT',
      `The manifest ${path} has neither a "path" nor a "url" column (header: ${names.join(', ')}); the first row must name the columns.`,
    );
  }
  return names;
}

async function* csvEntries(path: string, options: SourceOptions): AsyncGenerator<SourceEntry> {
  const { parser, file } = csvParser(path);
  const manifestDir = dirname(path);
  const budget = new EntryBudget(options.maxEntries, 'manifest');
  let header: string[] | null = null;
  let row = 0;
  const records = (parser as AsyncIterable<{ record: string[]; info: Info }>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<{ record: string[]; info: Info }>;
      try {
        next = await records.next();
      } catch (err) {
        throw csvError(err, path);
      }
      if (next.done) return;
      const { record, info } = next.value;
      if (!header) {
        header = checkHeader(record, path);
        continue;
      }
      row++;
      budget.take();
      if (record.length !== header.length) {
        yield {
          problem: {
            key: `row:${row}`,
            location: '',
            code: 'BAD_INPUT',
            message: `Row ${row} (line ${info.lines}): it has ${record.length} fields; the header has ${header.length}.`,
          },
        };
        continue;
      }
      const fields = Object.fromEntries(header.map((name, i) => [name, record[i] ?? '']));
      yield rowToEntry(fields, { row, line: info.lines, manifestDir, options });
    }
  } finally {
    await records.return?.();
    parser.destroy();
    file.destroy();
  }
}

function csvError(err: unknown, path: string): FaceLedgerError {
  if (err instanceof FaceLedgerError) return err;
  if (isFileErrno(err)) return fileError(err, `The manifest ${path}`);
  if (err instanceof CsvError) {
    const line = (err as CsvError & { lines?: number }).lines;
    return new FaceLedgerError(
      'BAD_INPUT',
      `The manifest ${path} is not valid CSV${line ? ` at line ${line}` : ''}: ${err.message}`,
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new FaceLedgerError('BAD_INPUT', `The manifest ${path} cannot be read: ${message}`, { cause: err });
}

async function* jsonlEntries(path: string, options: SourceOptions): AsyncGenerator<SourceEntry> {
  const manifestDir = dirname(path);
  const budget = new EntryBudget(options.maxEntries, 'manifest');
  let row = 0;
  for await (const { line, text } of readLines(path, MAX_ROW_CHARS)) {
    if (text !== null && text.trim() === '') continue;
    row++;
    budget.take();
    const fail = (reason: string): SourceEntry => ({
      problem: {
        key: `row:${row}`,
        location: '',
        code: 'BAD_INPUT',
        message: `Row ${row} (line ${line}): ${reason}.`,
      },
    });
    if (text === null) {
      yield fail(`the line is longer than ${MAX_ROW_CHARS} characters`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield fail(`not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield fail(
        `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      );
      continue;
    }
    yield rowToEntry(value as Record<string, unknown>, { row, line, manifestDir, options });
  }
}

/**
 * Lines of a UTF-8 file (LF or CRLF, BOM dropped), each with its 1-based number. A line longer than
 * `maxChars` comes back as `text: null` without being held in memory.
 */
async function* readLines(
  path: string,
  maxChars: number,
): AsyncGenerator<{ line: number; text: string | null }> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let overflow = false;
  let line = 0;
  const finish = (piece: string): string | null => {
    const whole = overflow ? null : pending + piece;
    pending = '';
    overflow = false;
    if (whole === null || whole.length > maxChars) return null;
    const text = line === 1 && whole.startsWith('\ufeff') ? whole.slice(1) : whole;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  const file = createReadStream(path);
  try {
    for await (const chunk of file) {
      const text = decoder.write(chunk as Buffer);
      let start = 0;
      for (;;) {
        const newline = text.indexOf('\n', start);
        if (newline === -1) {
          if (!overflow) {
            pending += text.slice(start);
            if (pending.length > maxChars) {
              overflow = true;
              pending = '';
            }
          }
          break;
        }
        line++;
        yield { line, text: finish(text.slice(start, newline)) };
        start = newline + 1;
      }
    }
  } catch (err) {
    throw fileError(err, `The manifest ${path}`);
  } finally {
    file.destroy();
  }
  const last = decoder.end();
  if (pending || last || overflow) {
    line++;
    yield { line, text: finish(last) };
  }
}
