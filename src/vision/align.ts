import type { Landmarks, Point } from './geometry.js';
import { type RgbImage, rgbImage } from './image.js';

export const ALIGNED_SIZE = 112;

/** The ArcFace 112×112 reference positions of the five landmarks, the layout MobileFaceNet was trained on. */
export const ARCFACE_TEMPLATE: Landmarks = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** x' = a·x − b·y + tx ; y' = b·x + a·y + ty (rotation + uniform scale + translation, no reflection). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity mapping `from` onto `to` (the 2-D closed form of Umeyama's method). */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  const n = from.length;
  if (n !== to.length || n < 2) throw new RangeError('need at least two matching point pairs');
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    const f = from[i] as Point;
    const t = to[i] as Point;
    fx += f[0];
    fy += f[1];
    tx += t[0];
    ty += t[1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const f = from[i] as Point;
    const t = to[i] as Point;
    const ux = f[0] - fx;
    const uy = f[1] - fy;
    const vx = t[0] - tx;
    const vy = t[1] - ty;
    dot += ux * vx + uy * vy;
    cross += ux * vy - uy * vx;
    norm += ux * ux + uy * uy;
  }
  if (norm === 0) throw new RangeError('degenerate landmarks: all points coincide');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(m: Similarity, p: Point): Point {
  return [m.a * p[0] - m.b * p[1] + m.tx, m.b * p[0] + m.a * p[1] + m.ty];
}

/**
 * Warps the face to the 112×112 template with bilinear sampling; pixels from outside the picture are
 * black, as in the training data's cv2.warpAffine (BORDER_CONSTANT 0).
 */
export function alignFace(image: RgbImage, landmarks: Landmarks, size = ALIGNED_SIZE): RgbImage {
  const template = ARCFACE_TEMPLATE.map(
    ([x, y]) => [(x * size) / ALIGNED_SIZE, (y * size) / ALIGNED_SIZE] as const,
  );
  const m = estimateSimilarity(landmarks, template);
  // Invert the similarity: x = (a(u−tx) + b(v−ty)) / (a²+b²), y = (−b(u−tx) + a(v−ty)) / (a²+b²).
  const det = m.a * m.a + m.b * m.b;
  const ia = m.a / det;
  const ib = m.b / det;
  const out = new Uint8Array(size * size * 3);
  const { width, height, data } = image;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const du = u - m.tx;
      const dv = v - m.ty;
      const sx = ia * du + ib * dv;
      const sy = -ib * du + ia * dv;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const wx = sx - x0;
      const wy = sy - y0;
      const o = (v * size + u) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const p00 = sample(data, width, height, x0, y0, ch);
        const p10 = sample(data, width, height, x0 + 1, y0, ch);
        const p01 = sample(data, width, height, x0, y0 + 1, ch);
        const p11 = sample(data, width, height, x0 + 1, y0 + 1, ch);
        const top = p00 + (p10 - p00) * wx;
        const bottom = p01 + (p11 - p01) * wx;
        out[o + ch] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return rgbImage(size, size, out);
}

function sample(data: Uint8Array, width: number, height: number, x: number, y: number, ch: number): number {
  if (x < 0 || y < 0 || x >= width || y >= height) return 0;
  return data[(y * width + x) * 3 + ch] ?? 0;
}

export function flipHorizontal(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = (y * width + (width - 1 - x)) * 3;
      out[d] = data[s] ?? 0;
      out[d + 1] = data[s + 1] ?? 0;
      out[d + 2] = data[s + 2] ?? 0;
    }
  }
  return rgbImage(width, height, out);
}
