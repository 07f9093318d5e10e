/** Verification metrics over scored pairs. Higher score = more alike. */
export interface ScoredPair {
  fold: number;
  same: boolean;
  /** null when a face was missing in either image: an error in accuracy, a rejection in ROC and TAR. */
  score: number | null;
}

/**
 * For threshold sweeps (ROC, TAR@FAR) a pair with a missing face is a rejection, which is what a system
 * does when it finds no face: a miss for a same pair, a correct reject for a different pair. (Charging it
 * as a false accept instead would let one missing face pin TAR@FAR=1e-3 to 0.) Accuracy is stricter.
 */
function effectiveScore(p: ScoredPair): number {
  return p.score ?? Number.NEGATIVE_INFINITY;
}

/** Accuracy counts every pair with a missing face as an error, whatever its label. */
function accuracyAt(pairs: ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const p of pairs) if (p.score !== null && p.score >= threshold === p.same) correct++;
  return pairs.length ? correct / pairs.length : 0;
}

function bestThreshold(pairs: ScoredPair[]): number {
  const scores = [...new Set(pairs.map(effectiveScore).filter(Number.isFinite))].sort((a, b) => a - b);
  let best = 0;
  let bestAcc = -1;
  // Midpoints between consecutive distinct scores are the only thresholds that change the outcome.
  for (let i = 0; i <= scores.length; i++) {
    const lo = scores[i - 1] ?? (scores[0] ?? 0) - 1;
    const hi = scores[i] ?? (scores[scores.length - 1] ?? 0) + 1;
    const t = (lo + hi) / 2;
    const acc = accuracyAt(pairs, t);
    if (acc > bestAcc) {
      bestAcc = acc;
      best = t;
    }
  }
  return best;
}

/** Standard LFW 10-fold: threshold chosen on nine folds, accuracy measured on the tenth. */
export function tenFoldAccuracy(pairs: ScoredPair[]): { mean: number; std: number; perFold: number[] } {
  const folds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const perFold = folds.map((fold) => {
    const train = pairs.filter((p) => p.fold !== fold);
    const test = pairs.filter((p) => p.fold === fold);
    return accuracyAt(test, bestThreshold(train));
  });
  const mean = perFold.reduce((s, x) => s + x, 0) / perFold.length;
  const variance = perFold.reduce((s, x) => s + (x - mean) ** 2, 0) / perFold.length;
  return { mean, std: Math.sqrt(variance), perFold };
}

/** Area under the ROC curve via the rank statistic (ties count half). */
export function rocAuc(pairs: ScoredPair[]): number {
  const items = pairs.map((p) => ({ s: effectiveScore(p), same: p.same })).sort((a, b) => a.s - b.s);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j < items.length && items[j]?.s === items[i]?.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (items[k]?.same) {
        rankSum += avgRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = items.length - positives;
  if (!positives || !negatives) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * The score threshold at which the false-match rate over `impostorScores` is at most `fmr`:
 * the smallest threshold that fewer than fmr·n impostors reach.
 */
export function thresholdAtFmr(impostorScores: Float32Array | number[], fmr: number): number {
  const sorted = Float64Array.from(impostorScores).sort();
  const allowed = Math.floor(fmr * sorted.length);
  const idx = sorted.length - allowed - 1;
  const value = sorted[Math.max(0, idx)] ?? 0;
  // Just above the highest impostor that must be rejected (cosines carry float32 precision, ~1e-7).
  return value + 1e-6;
}

/** True-accept rate at the threshold giving false-accept rate ≤ far among the pairs' own impostors. */
export function tarAtFar(pairs: ScoredPair[], far: number): { tar: number; threshold: number } {
  const impostors = pairs.filter((p) => !p.same).map(effectiveScore);
  const genuine = pairs.filter((p) => p.same).map(effectiveScore);
  const threshold = thresholdAtFmr(impostors, far);
  return { tar: genuine.filter((s) => s >= threshold).length / genuine.length, threshold };
}

export function percentile(values: number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}
