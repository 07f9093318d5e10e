import type { AnalyzedFace } from '../../vision/pipeline.js';

/**
 * Which faces are good enough to enrol (like AWS Rekognition's QualityFilter). A face that fails is not
 * stored; the job counts it under the first reason it failed.
 */
export interface QualityFilter {
  minDetectorScore: number;
  /** Eye distance in pixels; below ~16 px a face carries too little detail to identify. */
  minInterocularPx: number;
  /** Variance of the Laplacian on the aligned crop; very low values are motion- or focus-blurred. */
  minSharpness: number;
  /** Faces turned further than this are poorly represented by a frontal-trained embedder. */
  maxAbsYawDeg: number;
}

export const DEFAULT_QUALITY_FILTER: QualityFilter = {
  minDetectorScore: 0.7,
  minInterocularPx: 16,
  minSharpness: 15,
  maxAbsYawDeg: 75,
};

export const NO_QUALITY_FILTER: QualityFilter = {
  minDetectorScore: 0,
  minInterocularPx: 0,
  minSharpness: 0,
  maxAbsYawDeg: 90,
};

export type FilterReason = 'low_score' | 'too_small' | 'blurred' | 'profile';

export function rejectReason(face: AnalyzedFace, filter: QualityFilter): FilterReason | null {
  const q = face.quality;
  if (q.detectorScore < filter.minDetectorScore) return 'low_score';
  if (q.interocularPx < filter.minInterocularPx) return 'too_small';
  if (q.sharpness < filter.minSharpness) return 'blurred';
  if (Math.abs(q.yawDeg) > filter.maxAbsYawDeg) return 'profile';
  return null;
}
