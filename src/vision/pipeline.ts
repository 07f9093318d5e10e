import { performance } from 'node:perf_hooks';
import { alignFace } from './align.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, decodeImage } from './decode.js';
import {
  DEFAULT_DETECTOR_OPTIONS,
  type DetectedFace,
  type DetectorOptions,
  YuNetDetector,
} from './detect.js';
import { MobileFaceNetEmbedder } from './embed.js';
import type { RgbImage } from './image.js';
import { locateModels } from './models.js';
import { DEFAULT_THREADS, type InferenceThreads } from './onnx-session.js';
import { type FaceQuality, measureQuality } from './quality.js';
import { type FaceSelector, selectFaceIndexes } from './select-face.js';
import { faceThumbnail } from './thumbnail.js';

export interface PipelineOptions {
  modelDir?: string;
  threads: InferenceThreads;
  decode: DecodeLimits;
  detector: DetectorOptions;
  /** Mirror test-time augmentation for embeddings. */
  flip: boolean;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  threads: DEFAULT_THREADS,
  decode: DEFAULT_DECODE_LIMITS,
  detector: DEFAULT_DETECTOR_OPTIONS,
  flip: true,
};

export interface AnalyzedFace extends DetectedFace {
  quality: FaceQuality;
  /** null for faces the request did not select for embedding. */
  embedding: Float32Array | null;
  /** The 112×112 aligned crop; only when asked for. */
  aligned?: RgbImage;
  /** A small JPEG of the face in context; only when asked for. */
  thumbnail?: Uint8Array;
}

export interface StageTimings {
  decode: number;
  detect: number;
  align: number;
  embed: number;
}

export interface Analysis {
  width: number;
  height: number;
  faces: AnalyzedFace[];
  timings: StageTimings;
}

export interface AnalyzeRequest {
  /** Which faces to embed; every face is still detected, aligned and quality-scored. Default `all`. */
  embed?: FaceSelector;
  keepAligned?: boolean;
  /** Make a JPEG thumbnail of each embedded face. */
  thumbnails?: boolean;
}

/** Decode → detect → align → embed with models loaded once. One instance per thread. */
export class FacePipeline {
  private constructor(
    private readonly detector: YuNetDetector,
    private readonly embedder: MobileFaceNetEmbedder,
    readonly options: PipelineOptions,
  ) {}

  static async load(partial: Partial<PipelineOptions> = {}): Promise<FacePipeline> {
    const options = { ...DEFAULT_PIPELINE_OPTIONS, ...partial };
    const models = locateModels(options.modelDir);
    const [detector, embedder] = await Promise.all([
      YuNetDetector.open(models.detector, options.threads),
      MobileFaceNetEmbedder.open(models.embedder, options.threads),
    ]);
    return new FacePipeline(detector, embedder, options);
  }

  async analyze(encoded: Uint8Array, request: AnalyzeRequest = {}): Promise<Analysis> {
    const t0 = performance.now();
    const image = await decodeImage(encoded, this.options.decode);
    const t1 = performance.now();
    const analysis = await this.analyzeDecoded(image, request);
    analysis.timings.decode = t1 - t0;
    return analysis;
  }

  async analyzeDecoded(image: RgbImage, request: AnalyzeRequest = {}): Promise<Analysis> {
    const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
    let t = performance.now();
    const detected = await this.detector.detect(image, this.options.detector);
    timings.detect = performance.now() - t;
    const selected = selectFaceIndexes(detected, request.embed ?? 'all', image);
    const faces: AnalyzedFace[] = [];
    for (const [index, face] of detected.entries()) {
      t = performance.now();
      const aligned = alignFace(image, face.landmarks);
      const quality = measureQuality(face.landmarks, face.score, aligned);
      timings.align += performance.now() - t;
      t = performance.now();
      const embedding = selected.has(index) ? await this.embedder.embed(aligned, this.options.flip) : null;
      timings.embed += performance.now() - t;
      const thumbnail = request.thumbnails && embedding ? await faceThumbnail(image, face.box) : undefined;
      faces.push({
        ...face,
        quality,
        embedding,
        ...(request.keepAligned ? { aligned } : {}),
        ...(thumbnail ? { thumbnail } : {}),
      });
    }
    return { width: image.width, height: image.height, faces, timings };
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.release(), this.embedder.release()]);
  }
}
