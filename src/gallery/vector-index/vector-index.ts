/**
 * The per-gallery vector index seam (see DESIGN.md, "Seams worth having"). One instance per gallery.
 *
 * Vectors are `dimensions`-long float32 embeddings; the index L2-normalises what it is given, so the
 * similarity it reports is the cosine similarity (a dot product of unit vectors), in [-1, 1], higher is
 * closer. Labels are SQLite rowids: positive safe integers (1 … 2^53 - 1).
 */
export interface Neighbor {
  label: number;
  similarity: number;
}

export type IndexKind = 'exact' | 'hnsw';

export interface VectorIndex {
  readonly kind: IndexKind;
  readonly dimensions: number;
  /** Number of labels present. */
  size(): number;
  has(label: number): boolean;
  /** Every label present, in no particular order (for consistency checks and watermarks). */
  labels(): number[];
  /**
   * Adds `labels.length` vectors given row-major in `vectors` (labels.length × dimensions). Re-adding a
   * label replaces its vector; within one call, the last occurrence of a label wins.
   */
  add(labels: readonly number[], vectors: Float32Array): void;
  /** Removes the labels; returns how many of them were present. */
  remove(labels: readonly number[]): number;
  /** The `k` nearest labels, best first. Never returns a removed label. */
  search(query: Float32Array, k: number): Neighbor[];
  /** Several queries at once (row-major), using several threads where the implementation can. */
  searchBatch?(queries: Float32Array, k: number): Neighbor[][];
  /** Atomic: writes a temporary file in the same folder, fsyncs it, renames it over `path`, fsyncs the folder. */
  save(path: string): void;
  /** Releases memory (native memory for HNSW). Any later call throws. */
  close(): void;
}
