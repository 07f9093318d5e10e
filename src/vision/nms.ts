import { type Box, iou } from './geometry.js';

/**
 * Greedy non-maximum suppression: keeps the best-scored item and drops every later one that overlaps
 * it by more than `iouThreshold`. Returns the kept items, best first.
 */
export function nonMaxSuppression<T extends { box: Box; score: number }>(
  items: T[],
  iouThreshold: number,
): T[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => iou(k.box, candidate.box) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}
