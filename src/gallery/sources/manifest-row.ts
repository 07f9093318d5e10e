import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import { readFileCapped } from './read-bytes.js';
import type { SourceEntry, SourceOptions } from './source-item.js';
import { fetchImage } from './url-fetch.js';

/**
 * Column names FaceLedger reads (matched case-insensitively), with their aliases. Every other column goes
 * into `metadata` under its own name.
 */
const KNOWN_COLUMNS = new Map<string, keyof CanonicalRow>([
  ['path', 'path'],
  ['url', 'url'],
  ['subject_id', 'subjectId'],
  ['subjectid', 'subjectId'],
  ['source', 'sourceLink'],
  ['source_url', 'sourceLink'],
  ['sourcelink', 'sourceLink'],
]);

interface CanonicalRow {
  path?: unknown;
  url?: unknown;
  subjectId?: unknown;
  sourceLink?: unknown;
}

const optionalText = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .max(max, { error: `${field} is longer than ${max} characters` })
    .optional();

const RowSchema = z
  .object({
    path: optionalText('path', 4096).refine((v) => v === undefined || !v.includes('\0'), {
      error: 'path contains a NUL character',
    }),
    url: optionalText('url', 8192),
    subjectId: z
      .union([z.string(), z.number().int()], { error: 'subject_id must be text or a whole number' })
      .transform(String)
      .pipe(z.string().max(256, { error: 'subject_id is longer than 256 characters' }))
      .optional(),
    sourceLink: optionalText('source', 8192),
  })
  .superRefine((row, ctx) => {
    if (row.path === undefined && row.url === undefined) {
      ctx.addIssue({ code: 'custom', message: 'neither path nor url is given; a row names one image' });
    } else if (row.path !== undefined && row.url !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'both path and url are given; a row names one image, use one',
      });
    }
    if (row.url !== undefined) {
      const reason = badUrl(row.url);
      if (reason) ctx.addIssue({ code: 'custom', path: ['url'], message: reason });
    }
  });

export type ManifestRow = z.output<typeof RowSchema>;

function badUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `url ${JSON.stringify(value)} is not a valid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `url must be http or https, not ${url.protocol.replace(/:$/, '')}`;
  }
  if (url.username || url.password) return 'url must not carry a user name or password';
  if (!url.hostname) return 'url has no host';
  return null;
}

export interface RowContext {
  /** 1-based data row: the key is `row:<n>`. */
  row: number;
  /** The line of the file the row is on (the last line of a quoted multi-line CSV record), for people; 0 when unknown. */
  line: number;
  manifestDir: string;
  options: SourceOptions;
}

/** Validates one manifest row (CSV record or JSONL object) into an item, or a BAD_INPUT problem naming the row and the reason. */
export function rowToEntry(fields: Record<string, unknown>, ctx: RowContext): SourceEntry {
  const key = `row:${ctx.row}`;
  const where = ctx.line > 0 ? `Row ${ctx.row} (line ${ctx.line})` : `Row ${ctx.row}`;
  const canonical: CanonicalRow = {};
  const metadata: Record<string, string> = {};
  const issues: string[] = [];
  for (const [column, raw] of Object.entries(fields)) {
    const value = typeof raw === 'string' ? raw.trim() : raw;
    const empty = value === undefined || value === null || value === '';
    const known = KNOWN_COLUMNS.get(column.trim().toLowerCase());
    if (known) {
      if (empty) continue;
      const previous = canonical[known];
      if (previous !== undefined && previous !== value) {
        issues.push(`${column} disagrees with another column naming the same field`);
      }
      canonical[known] = value;
    } else if (!empty) {
      // defineProperty, not assignment: a column named `__proto__` must stay a plain entry.
      Object.defineProperty(metadata, column, {
        value: typeof value === 'string' ? value : JSON.stringify(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  const parsed = RowSchema.safeParse(canonical);
  if (!parsed.success) issues.push(...parsed.error.issues.map((issue) => issue.message));
  const location = describeLocation(canonical);
  if (issues.length > 0 || !parsed.success) {
    return { problem: { key, location, code: 'BAD_INPUT', message: `${where}: ${issues.join('; ')}.` } };
  }
  const row = parsed.data;
  const common = {
    key,
    subjectId: row.subjectId ?? null,
    sourceLink: row.sourceLink ?? null,
    metadata,
  };
  if (row.path !== undefined) {
    const path = row.path;
    const absolute = isAbsolute(path) ? path : resolve(ctx.manifestDir, path);
    const label = `${where}: ${path}`;
    return {
      item: {
        ...common,
        location: path,
        read: () => readFileCapped(absolute, ctx.options.maxImageBytes, label),
      },
    };
  }
  const url = row.url as string;
  const fetchOptions = {
    ...ctx.options.fetch,
    maxBytes: Math.min(ctx.options.fetch.maxBytes, ctx.options.maxImageBytes),
  };
  return {
    item: {
      ...common,
      location: url,
      read: async () => {
        try {
          return await fetchImage(url, fetchOptions);
        } catch (err) {
          if (err instanceof FaceLedgerError) {
            throw new FaceLedgerError(err.code, `${where}: ${err.message}`, { cause: err });
          }
          throw err;
        }
      },
    },
  };
}

/** For a problem row: whatever it names, as text, so the operator can find it. */
function describeLocation(row: CanonicalRow): string {
  for (const value of [row.path, row.url]) {
    if (typeof value === 'string') return value;
  }
  return '';
}
