import { ALIGNED_SIZE, flipHorizontal } from './align.js';
import type { RgbImage } from './image.js';
import { type InferenceThreads, openSession, ort } from './onnx-session.js';

export const EMBEDDING_DIM = 128;

// MobileFaceNet was trained with torchvision ToTensor + ImageNet Normalize (see models MANIFEST).
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

export class MobileFaceNetEmbedder {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async open(modelPath: string, threads: InferenceThreads): Promise<MobileFaceNetEmbedder> {
    return new MobileFaceNetEmbedder(await openSession(modelPath, threads));
  }

  /**
   * L2-normalised embedding of an aligned 112×112 face. With `flip`, the mirrored crop's embedding is
   * added before normalising (test-time augmentation; see the LFW benchmark for whether it pays).
   */
  async embed(aligned: RgbImage, flip: boolean): Promise<Float32Array> {
    const sum = await this.raw(aligned);
    if (flip) {
      const mirrored = await this.raw(flipHorizontal(aligned));
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + (mirrored[i] ?? 0);
    }
    return l2Normalize(sum);
  }

  private async raw(aligned: RgbImage): Promise<Float32Array> {
    if (aligned.width !== ALIGNED_SIZE || aligned.height !== ALIGNED_SIZE) {
      throw new RangeError(
        `embedder expects ${ALIGNED_SIZE}×${ALIGNED_SIZE}, got ${aligned.width}×${aligned.height}`,
      );
    }
    const plane = ALIGNED_SIZE * ALIGNED_SIZE;
    const input = new Float32Array(3 * plane);
    const px = aligned.data;
    for (let i = 0; i < plane; i++) {
      for (let ch = 0; ch < 3; ch++) {
        input[ch * plane + i] = ((px[i * 3 + ch] ?? 0) / 255 - (MEAN[ch] ?? 0)) / (STD[ch] ?? 1);
      }
    }
    const name = this.session.inputNames[0] ?? 'input0';
    const result = await this.session.run({
      [name]: new ort.Tensor('float32', input, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]),
    });
    const out = result[this.session.outputNames[0] ?? 'output0'];
    if (!out) throw new Error('MobileFaceNet returned no output');
    return Float32Array.from(out.data as Float32Array);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export function l2Normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0) return v;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}

/** Cosine similarity of two L2-normalised embeddings (a plain dot product). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}
