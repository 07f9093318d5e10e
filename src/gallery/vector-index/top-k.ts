import type { Neighbor } from './vector-index.js';

// ---- top-k ------------------------------------------------------------------------------------------------

/** Keeps the k best (highest) scores seen, as parallel sorted arrays; O(k) insert, fine for k ≤ a few hundred. */
export class TopK {
  readonly scores: Float64Array;
  readonly ids: Float64Array;
  size = 0;
  /** The score a candidate must beat to enter (−∞ until k candidates are held). */
  floor = Number.NEGATIVE_INFINITY;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.ids = new Float64Array(k);
  }

  reset(): void {
    this.size = 0;
    this.floor = Number.NEGATIVE_INFINITY;
  }

  push(score: number, id: number): void {
    const k = this.k;
    if (k === 0) return;
    if (this.size === k && score <= this.floor) return;
    let i = this.size < k ? this.size++ : k - 1;
    while (i > 0 && (this.scores[i - 1] as number) < score) {
      this.scores[i] = this.scores[i - 1] as number;
      this.ids[i] = this.ids[i - 1] as number;
      i--;
    }
    this.scores[i] = score;
    this.ids[i] = id;
    if (this.size === k) this.floor = this.scores[k - 1] as number;
  }
}

/** usearch reports cos / ip distances as 1 − similarity. */
export function similarityOf(distance: number): number {
  return 1 - distance;
}

export function sortNeighbors(neighbors: Neighbor[]): Neighbor[] {
  return neighbors.sort((a, b) => b.similarity - a.similarity || a.label - b.label);
}
