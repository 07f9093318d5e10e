/**
 * Similarity calibration of the default pipeline (YuNet → ArcFace alignment → MobileFaceNet + flip),
 * measured by `npm run bench:lfw` over every cross-person pair of one image per LFW person
 * (16.5 million impostor pairs). Valid for this model and preprocessing only; re-measure whenever
 * either changes.
 */
export const OPERATING_POINTS = {
  /** False-match rate 1e-3 for one comparison: the 1:1 compare threshold. */
  fmr1e3: 0.3345,
  /** False-match rate 1e-4 for one comparison. */
  fmr1e4: 0.4036,
} as const;

export const COMPARE_THRESHOLD = OPERATING_POINTS.fmr1e3;

/**
 * Impostor tail: the cosine that at most `fmr` of impostor pairs reach. The rarest row rests on 16
 * impostor pairs; rarer rates (0.91 at 3e-7, 0.99 at 1e-7) rest on 5 or fewer — LFW's own duplicate
 * and mislabelled photos — so they are left out and thresholds stop rising at 1e-6.
 */
export const IMPOSTOR_TAIL: readonly { fmr: number; threshold: number }[] = [
  { fmr: 1e-2, threshold: 0.2513 },
  { fmr: 3e-3, threshold: 0.2971 },
  { fmr: 1e-3, threshold: 0.3345 },
  { fmr: 3e-4, threshold: 0.3724 },
  { fmr: 1e-4, threshold: 0.4036 },
  { fmr: 3e-5, threshold: 0.4369 },
  { fmr: 1e-5, threshold: 0.4677 },
  { fmr: 3e-6, threshold: 0.5059 },
  { fmr: 1e-6, threshold: 0.7084 },
];

/** The threshold for a per-comparison false-match rate, log-interpolated in the measured tail and clamped to it. */
export function thresholdAtFmr(fmr: number): number {
  const first = IMPOSTOR_TAIL[0] as { fmr: number; threshold: number };
  const last = IMPOSTOR_TAIL[IMPOSTOR_TAIL.length - 1] as { fmr: number; threshold: number };
  if (fmr >= first.fmr) return first.threshold;
  if (fmr <= last.fmr) return last.threshold;
  for (let i = 1; i < IMPOSTOR_TAIL.length; i++) {
    const hi = IMPOSTOR_TAIL[i - 1] as { fmr: number; threshold: number };
    const lo = IMPOSTOR_TAIL[i] as { fmr: number; threshold: number };
    if (fmr <= hi.fmr && fmr >= lo.fmr) {
      const t = Math.log(hi.fmr / fmr) / Math.log(hi.fmr / lo.fmr);
      return hi.threshold + t * (lo.threshold - hi.threshold);
    }
  }
  return last.threshold;
}

/** Target false-positive identification rates of a 1:N search: how often a person who is not enrolled still gets a candidate in the band. */
export const TARGET_FPIR = { possible: 1e-2, high: 1e-3 } as const;

/**
 * Search thresholds for a search over `galleryFaces` faces. A probe of someone not enrolled is compared
 * with every face, so its chance of a false candidate grows with the gallery: FPIR ≈ N × FMR. The bands
 * therefore sit at FMR = FPIR / N (never below the 1:1 points), so "possible" keeps meaning "about 1 %
 * of searches for a stranger show a candidate here" whatever the gallery size — up to the end of the
 * measured tail (1e-6, i.e. about 10,000 faces for "possible"), beyond which the thresholds stop rising and the real FPIR is higher than the target.
 */
export function searchThresholds(galleryFaces: number): { high: number; possible: number } {
  const n = Math.max(1, galleryFaces);
  return {
    possible: round4(Math.max(OPERATING_POINTS.fmr1e3, thresholdAtFmr(TARGET_FPIR.possible / n))),
    high: round4(Math.max(OPERATING_POINTS.fmr1e4, thresholdAtFmr(TARGET_FPIR.high / n))),
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
