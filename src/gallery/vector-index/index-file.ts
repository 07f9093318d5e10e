import { closeSync, fstatSync, openSync } from 'node:fs';
import { FaceLedgerError } from '../../core/errors.js';
import { AdaptiveIndex, DEFAULT_DOWNGRADE_RATIO, DEFAULT_THRESHOLD } from './adaptive-index.js';
import { EXACT_MAGIC, ExactIndex } from './exact-index.js';
import { HNSW_DEFAULTS, HnswIndex, type HnswOptions } from './hnsw-index.js';
import { readExactly } from './index-file-io.js';
import type { IndexKind } from './vector-index.js';

export const INDEX_DEFAULTS = {
  dimensions: 128,
  /** Exact below, HNSW at or above (see DEFAULT_THRESHOLD for the measurement). */
  threshold: DEFAULT_THRESHOLD,
  downgradeRatio: DEFAULT_DOWNGRADE_RATIO,
  /** 'load' keeps the HNSW graph in RAM and writable; 'view' memory-maps it read-only. */
  mode: 'load' as 'load' | 'view',
  /** Checksum files on open. */
  verify: true,
  hnsw: HNSW_DEFAULTS,
} as const;

export interface OpenIndexOptions {
  dimensions?: number;
  threshold?: number;
  downgradeRatio?: number;
  /** Settings for an HNSW index built from now on. For one read from a file, only expansionSearch/Add and threads apply. */
  hnsw?: Partial<Omit<HnswOptions, 'dimensions'>>;
  threads?: number;
  mode?: 'load' | 'view';
  verify?: boolean;
  tempDir?: string;
}

/** 'exact' or 'hnsw' for a FaceLedger index file, null if `path` does not exist; throws for anything else. */
export function indexKindOf(path: string): IndexKind | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size >= 8 && readExactly(fd, 8, 0, 'the header').toString('latin1') === EXACT_MAGIC) return 'exact';
    if (HnswIndex.isHnswFile(fd, size)) return 'hnsw';
    throw new FaceLedgerError(
      'INTERNAL',
      `${path} is not a FaceLedger vector index (unknown format, or truncated: ${size} bytes)`,
    );
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the index saved at `path` — exact or HNSW, whichever was saved — as the AdaptiveIndex a gallery
 * uses, or a new empty one if there is no file. An index outside its kind's size band (say, saved under
 * another threshold) is converted on open, unless memory-mapped.
 */
export function openIndex(path: string, options: OpenIndexOptions = {}): AdaptiveIndex {
  const dimensions = options.dimensions ?? INDEX_DEFAULTS.dimensions;
  const adaptive = {
    dimensions,
    threshold: options.threshold ?? INDEX_DEFAULTS.threshold,
    downgradeRatio: options.downgradeRatio ?? INDEX_DEFAULTS.downgradeRatio,
    hnsw: options.hnsw, // HnswIndex fills in HNSW_DEFAULTS (and picks 'cos' for i8)
    threads: options.threads,
    tempDir: options.tempDir,
  };
  const kind = indexKindOf(path);
  if (kind === null) return new AdaptiveIndex(adaptive);
  const inner =
    kind === 'exact'
      ? ExactIndex.read(path, { dimensions, threads: options.threads })
      : HnswIndex.open(path, {
          dimensions,
          mode: options.mode ?? INDEX_DEFAULTS.mode,
          verify: options.verify ?? INDEX_DEFAULTS.verify,
          expansionSearch: options.hnsw?.expansionSearch,
          expansionAdd: options.hnsw?.expansionAdd,
          threads: options.threads ?? options.hnsw?.threads,
        });
  const index = new AdaptiveIndex(adaptive, inner);
  index.rebalance();
  return index;
}
