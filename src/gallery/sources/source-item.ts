import { type ErrorCode, FaceLedgerError } from '../../core/errors.js';

/**
 * One image of an ingest source. Items are cheap descriptions; the bytes are read only by `read()`, so a
 * consumer can skip items it has already committed (resume) without touching their bytes.
 */
export interface SourceItem {
  /** Stable, unique within the source, identical across runs (resume relies on it): e.g. the relative path inside a folder/archive, or `row:<n>` for manifests. */
  key: string;
  /** Where the image came from, as the operator supplied it (path relative to the source root, archive member name, or URL) — stored as provenance. */
  location: string;
  subjectId: string | null;
  /** A link to where the picture came from, from the manifest, if any. */
  sourceLink: string | null;
  /** Other manifest columns, as strings. */
  metadata: Record<string, string>;
  /** Reads the bytes; rejects with a FaceLedgerError (NOT_FOUND, TOO_LARGE, BAD_INPUT …) for this item only. */
  read(): Promise<Uint8Array>;
}

/** Something in the source that cannot become an item (a malformed manifest row, an unsafe or oversized archive member). */
export interface SourceProblem {
  key: string;
  location: string;
  code: ErrorCode;
  message: string;
}

export type SourceEntry = { item: SourceItem } | { problem: SourceProblem };

export interface FetchOptions {
  /** Whole request budget: DNS, every redirect hop and the body. */
  timeoutMs: number;
  /** Body cap, enforced while streaming (Content-Length is only an early hint). */
  maxBytes: number;
  maxRedirects: number;
  /** Off by default: hosts that resolve to private, loopback, link-local … addresses are refused (SSRF guard). */
  allowPrivateNetworks: boolean;
}

export interface SourceOptions {
  /** Largest image (file, archive member, download) an item may have. */
  maxImageBytes: number;
  /** Most files, archive members or manifest rows a source may hold, skipped ones included; past it the source fails with TOO_LARGE. */
  maxEntries: number;
  fetch: FetchOptions;
}

/** What callers may pass: any subset, `fetch` included. `Partial<SourceOptions>` is assignable to it. */
export type SourceOptionsInput = Partial<Omit<SourceOptions, 'fetch'>> & { fetch?: Partial<FetchOptions> };

export const MiB = 1024 * 1024;

export const DEFAULT_SOURCE_OPTIONS: SourceOptions = Object.freeze({
  maxImageBytes: 50 * MiB,
  maxEntries: 5_000_000,
  fetch: Object.freeze({
    timeoutMs: 30_000,
    maxBytes: 50 * MiB,
    maxRedirects: 5,
    allowPrivateNetworks: false,
  }),
});

export interface IngestSource {
  kind: 'folder' | 'zip' | 'tar' | 'csv' | 'jsonl';
  /** Absolute path of the folder, archive or manifest. */
  root: string;
  /**
   * Every entry in a stable order; each call starts a fresh, independent pass. Throws a FaceLedgerError
   * only when the source as a whole cannot go on (unreadable or truncated archive, broken CSV quoting,
   * more than `maxEntries`); entries yielded before that stay valid.
   */
  entries(): AsyncGenerator<SourceEntry>;
  /** How many entries (items + problems) `entries()` will yield, for progress bars. Costs one extra pass over the listing. */
  countHint?(): Promise<number>;
}

/** Fills in defaults and checks the numbers, so a typo in a flag is a clear BAD_INPUT, not a silent 0. */
export function resolveSourceOptions(input: SourceOptionsInput = {}): SourceOptions {
  const options: SourceOptions = {
    maxImageBytes: input.maxImageBytes ?? DEFAULT_SOURCE_OPTIONS.maxImageBytes,
    maxEntries: input.maxEntries ?? DEFAULT_SOURCE_OPTIONS.maxEntries,
    fetch: { ...DEFAULT_SOURCE_OPTIONS.fetch, ...stripUndefined(input.fetch ?? {}) },
  };
  positiveInteger('maxImageBytes', options.maxImageBytes);
  positiveInteger('maxEntries', options.maxEntries);
  positiveInteger('fetch.timeoutMs', options.fetch.timeoutMs);
  positiveInteger('fetch.maxBytes', options.fetch.maxBytes);
  if (!Number.isInteger(options.fetch.maxRedirects) || options.fetch.maxRedirects < 0) {
    throw new FaceLedgerError(
      'BAD_INPUT',
      `fetch.maxRedirects must be a whole number ≥ 0, not ${options.fetch.maxRedirects}.`,
    );
  }
  if (typeof options.fetch.allowPrivateNetworks !== 'boolean') {
    throw new FaceLedgerError('BAD_INPUT', 'fetch.allowPrivateNetworks must be true or false.');
  }
  return options;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new FaceLedgerError('BAD_INPUT', `${name} must be a whole number > 0, not ${value}.`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Counts files, members or rows against `maxEntries`. */
export class EntryBudget {
  #seen = 0;
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {}

  take(): void {
    this.#seen++;
    if (this.#seen > this.max) {
      throw new FaceLedgerError(
        'TOO_LARGE',
        `The ${this.what} holds more than ${this.max} entries (maxEntries); split it or raise the limit.`,
      );
    }
  }
}
