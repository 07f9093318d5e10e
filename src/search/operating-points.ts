/**
 * Similarity thresholds for the default pipeline (YuNet → ArcFace alignment → MobileFaceNet + flip),
 * measured by `npm run bench:lfw` over every cross-person pair of one image per LFW person
 * (16.5 million impostor pairs): the smallest cosine that at most the given share of impostors reach.
 * They hold for this model and preprocessing only; re-measure whenever either changes.
 */
export const OPERATING_POINTS = {
  /** False-match rate 1e-3: the 1:1 compare threshold and the "possible" band of search. */
  fmr1e3: 0.3336,
  /** False-match rate 1e-4: the "high" band of search. */
  fmr1e4: 0.4032,
} as const;

export const COMPARE_THRESHOLD = OPERATING_POINTS.fmr1e3;
