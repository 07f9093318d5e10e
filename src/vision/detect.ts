import sharp from 'sharp';
import type { Box, Landmarks, Point } from './geometry.js';
import type { RgbImage } from './image.js';
import { nonMaxSuppression } from './nms.js';
import { type InferenceThreads, openSession, ort } from './onnx-session.js';

export interface DetectedFace {
  box: Box;
  /** sqrt(cls × obj), the OpenCV FaceDetectorYN convention; real faces score about 0.9+. */
  score: number;
  landmarks: Landmarks;
}

export interface DetectorOptions {
  /** Faces scoring below this are dropped. */
  scoreThreshold: number;
  nmsIou: number;
  /** Faces whose shorter box side is below this many original pixels are dropped. */
  minFaceSize: number;
  /** Larger pictures are shrunk for the detector so their longest side is this (bounds cost on big photos). */
  maxWorkingSize: number;
  /**
   * Smaller pictures are enlarged towards this longest side, by at most `maxUpscale`: YuNet's landmarks
   * are markedly more precise on enlarged small faces (LFW 250×250: 99.23% → 99.48% at 480; see README).
   */
  minWorkingSize: number;
  maxUpscale: number;
  /** Hard cap on faces returned, best-scored first, so a pathological image cannot flood a caller. */
  maxFaces: number;
}

export const DEFAULT_DETECTOR_OPTIONS: DetectorOptions = {
  scoreThreshold: 0.6,
  nmsIou: 0.3,
  minFaceSize: 0,
  maxWorkingSize: 1024,
  minWorkingSize: 480,
  maxUpscale: 2,
  maxFaces: 1000,
};

const STRIDES = [8, 16, 32] as const;
/** The dynamic YuNet takes any input whose sides are multiples of this. */
const INPUT_MULTIPLE = 32;

export class YuNetDetector {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async open(modelPath: string, threads: InferenceThreads): Promise<YuNetDetector> {
    return new YuNetDetector(await openSession(modelPath, threads));
  }

  async detect(
    image: RgbImage,
    options: DetectorOptions = DEFAULT_DETECTOR_OPTIONS,
  ): Promise<DetectedFace[]> {
    const input = await letterbox(image, workingScale(image, options));
    const feeds = { [this.session.inputNames[0] ?? 'input']: input.tensor };
    const outputs = await this.session.run(feeds);
    const candidates = decodeOutputs(outputs, input, options.scoreThreshold);
    const kept = nonMaxSuppression(candidates, options.nmsIou).filter(
      (f) => Math.min(f.box.width, f.box.height) >= options.minFaceSize,
    );
    return kept.slice(0, options.maxFaces).map((f) => clipToImage(f, image));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

interface DetectorInput {
  tensor: ort.Tensor;
  /** Input pixels per original pixel. */
  scale: number;
  width: number;
  height: number;
}

export function workingScale(image: { width: number; height: number }, o: DetectorOptions): number {
  const longest = Math.max(image.width, image.height);
  if (longest > o.maxWorkingSize) return o.maxWorkingSize / longest;
  if (longest < o.minWorkingSize) return Math.min(o.maxUpscale, o.minWorkingSize / longest);
  return 1;
}

/**
 * Resizes by `scale`, then pads right and bottom with zeros up to a multiple of 32. Top-left placement
 * means decoded coordinates map back by a plain division by `scale`.
 */
async function letterbox(image: RgbImage, scale: number): Promise<DetectorInput> {
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  const width = Math.max(INPUT_MULTIPLE, Math.ceil(w / INPUT_MULTIPLE) * INPUT_MULTIPLE);
  const height = Math.max(INPUT_MULTIPLE, Math.ceil(h / INPUT_MULTIPLE) * INPUT_MULTIPLE);
  // Shrinking needs a proper low-pass filter (sharp); enlarging is sampled bilinearly while filling the
  // tensor, which costs ~2 ms where a round trip through sharp cost ~10 ms per small picture.
  const data =
    scale < 1
      ? bgrPlanes(await shrink(image, w, h), w, h, width, height)
      : bgrPlanesEnlarged(image, w, h, width, height);
  return {
    tensor: new ort.Tensor('float32', data, [1, 3, height, width]),
    scale: w / image.width,
    width,
    height,
  };
}

async function shrink(image: RgbImage, w: number, h: number): Promise<Uint8Array> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .raw()
    .toBuffer();
}

// YuNet was trained on cv2.imread output: BGR planes, raw 0..255, no normalisation; padding stays 0.
function bgrPlanes(pixels: Uint8Array, w: number, h: number, width: number, height: number): Float32Array {
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * 3;
      const dst = y * width + x;
      data[dst] = pixels[src + 2] ?? 0;
      data[plane + dst] = pixels[src + 1] ?? 0;
      data[2 * plane + dst] = pixels[src] ?? 0;
    }
  }
  return data;
}

function bgrPlanesEnlarged(
  image: RgbImage,
  w: number,
  h: number,
  width: number,
  height: number,
): Float32Array {
  if (w === image.width && h === image.height) return bgrPlanes(image.data, w, h, width, height);
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const px = image.data;
  const sx = image.width / w;
  const sy = image.height / h;
  for (let y = 0; y < h; y++) {
    // Pixel-centre mapping, as cv2.resize INTER_LINEAR does.
    const fy = Math.min(image.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(image.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const wx = fx - x0;
      const a = (y0 * image.width + x0) * 3;
      const b = (y0 * image.width + x1) * 3;
      const c = (y1 * image.width + x0) * 3;
      const d = (y1 * image.width + x1) * 3;
      const dst = y * width + x;
      for (let ch = 0; ch < 3; ch++) {
        const top = (px[a + ch] ?? 0) + ((px[b + ch] ?? 0) - (px[a + ch] ?? 0)) * wx;
        const bottom = (px[c + ch] ?? 0) + ((px[d + ch] ?? 0) - (px[c + ch] ?? 0)) * wx;
        data[(2 - ch) * plane + dst] = top + (bottom - top) * wy;
      }
    }
  }
  return data;
}

function decodeOutputs(
  outputs: ort.InferenceSession.ReturnType,
  input: DetectorInput,
  threshold: number,
): DetectedFace[] {
  const faces: DetectedFace[] = [];
  for (const stride of STRIDES) {
    const cls = tensorData(outputs, `cls_${stride}`);
    const obj = tensorData(outputs, `obj_${stride}`);
    const bbox = tensorData(outputs, `bbox_${stride}`);
    const kps = tensorData(outputs, `kps_${stride}`);
    const cols = input.width / stride;
    const cells = cols * (input.height / stride);
    for (let i = 0; i < cells; i++) {
      const score = Math.sqrt(clamp01(cls[i] ?? 0) * clamp01(obj[i] ?? 0));
      if (score < threshold) continue;
      const r = Math.floor(i / cols);
      const c = i - r * cols;
      const k = input.scale;
      const cx = (c + (bbox[i * 4] ?? 0)) * stride;
      const cy = (r + (bbox[i * 4 + 1] ?? 0)) * stride;
      const w = Math.exp(bbox[i * 4 + 2] ?? 0) * stride;
      const h = Math.exp(bbox[i * 4 + 3] ?? 0) * stride;
      const point = (n: number): Point => [
        ((c + (kps[i * 10 + 2 * n] ?? 0)) * stride) / k,
        ((r + (kps[i * 10 + 2 * n + 1] ?? 0)) * stride) / k,
      ];
      faces.push({
        box: { x: (cx - w / 2) / k, y: (cy - h / 2) / k, width: w / k, height: h / k },
        score,
        landmarks: [point(0), point(1), point(2), point(3), point(4)],
      });
    }
  }
  return faces;
}

function tensorData(outputs: ort.InferenceSession.ReturnType, name: string): Float32Array {
  const t = outputs[name];
  if (!t) throw new Error(`YuNet output ${name} is missing: wrong model file?`);
  return t.data as Float32Array;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** Boxes of faces cut by the frame edge extend past it; the reported box stays inside the picture. */
function clipToImage(face: DetectedFace, image: RgbImage): DetectedFace {
  const x1 = Math.max(0, face.box.x);
  const y1 = Math.max(0, face.box.y);
  const x2 = Math.min(image.width, face.box.x + face.box.width);
  const y2 = Math.min(image.height, face.box.y + face.box.height);
  return { ...face, box: { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) } };
}
