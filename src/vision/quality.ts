import { distance, type Landmarks } from './geometry.js';
import type { RgbImage } from './image.js';

/** Signals the gallery's quality filter acts on; none of them is a verdict on its own. */
export interface FaceQuality {
  detectorScore: number;
  /** Eye-to-eye distance in original pixels: the face's effective resolution. */
  interocularPx: number;
  /** Variance of the Laplacian over the aligned grey crop; low means blurred. Comparable across faces because the crop size is fixed. */
  sharpness: number;
  /** Rough head turn in degrees from landmark geometry (0 frontal, ±90 profile); sign follows image left/right. */
  yawDeg: number;
  /** In-plane tilt of the eye line in degrees. */
  rollDeg: number;
}

export function measureQuality(landmarks: Landmarks, detectorScore: number, aligned: RgbImage): FaceQuality {
  const [leftEye, rightEye, nose] = landmarks;
  const interocular = distance(leftEye, rightEye);
  const roll = Math.atan2(rightEye[1] - leftEye[1], rightEye[0] - leftEye[0]);
  // Project the nose onto the eye line: its offset from the eyes' midpoint grows with yaw.
  const midX = (leftEye[0] + rightEye[0]) / 2;
  const midY = (leftEye[1] + rightEye[1]) / 2;
  const along = (nose[0] - midX) * Math.cos(roll) + (nose[1] - midY) * Math.sin(roll);
  const ratio = interocular > 0 ? along / interocular : 0;
  const yaw = (Math.asin(Math.max(-1, Math.min(1, ratio * 2))) * 180) / Math.PI;
  return {
    detectorScore,
    interocularPx: interocular,
    sharpness: laplacianVariance(aligned),
    yawDeg: yaw,
    rollDeg: (roll * 180) / Math.PI,
  };
}

function laplacianVariance(image: RgbImage): number {
  const { width, height, data } = image;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = 0.299 * (data[i * 3] ?? 0) + 0.587 * (data[i * 3 + 1] ?? 0) + 0.114 * (data[i * 3 + 2] ?? 0);
  }
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap =
        (grey[i - 1] ?? 0) +
        (grey[i + 1] ?? 0) +
        (grey[i - width] ?? 0) +
        (grey[i + width] ?? 0) -
        4 * (grey[i] ?? 0);
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}
