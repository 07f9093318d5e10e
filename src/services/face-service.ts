import { FaceLedgerError } from '../core/errors.js';
import { expandImageInputs } from '../gallery/image-files.js';
import { COMPARE_THRESHOLD } from '../search/operating-points.js';
import { cosineSimilarity } from '../vision/embed.js';
import type { Analysis, AnalyzeRequest } from '../vision/pipeline.js';
import type { PipelinePool } from '../vision/pool.js';
import { type FaceView, toFaceView } from './face-views.js';
import { analyzeSource, type ImageSource } from './image-source.js';

export interface CompareResult {
  similarity: number;
  threshold: number;
  match: boolean;
  faces: { a: FaceView; b: FaceView };
}

export type EmbedLine =
  | { file: string; face: number; box: FaceView['box']; score: number; embedding: number[] }
  | { file: string; error: { code: string; message: string } };

/** The face use cases that need no stored state: detect, 1:1 compare, export templates. */
export class FaceService {
  constructor(private readonly pool: PipelinePool) {}

  private analyze(source: ImageSource, request: AnalyzeRequest): Promise<Analysis> {
    return analyzeSource(this.pool, source, request);
  }

  async detect(source: ImageSource): Promise<{ width: number; height: number; faces: FaceView[] }> {
    const analysis = await this.analyze(source, { embed: 'none' });
    return { width: analysis.width, height: analysis.height, faces: analysis.faces.map(toFaceView) };
  }

  /** Compares the largest face of each image against the FMR 1e-3 operating point. */
  async compare(a: ImageSource, b: ImageSource): Promise<CompareResult> {
    const [fa, fb] = await Promise.all([this.largestFace(a, 'first'), this.largestFace(b, 'second')]);
    const similarity = cosineSimilarity(fa.embedding, fb.embedding);
    return {
      similarity: Math.round(similarity * 1e4) / 1e4,
      threshold: COMPARE_THRESHOLD,
      match: similarity >= COMPARE_THRESHOLD,
      faces: { a: toFaceView(fa.face), b: toFaceView(fb.face) },
    };
  }

  private async largestFace(source: ImageSource, which: string) {
    const analysis = await this.analyze(source, { embed: 'largest' });
    const face = analysis.faces.find((f) => f.embedding);
    if (!face?.embedding) throw new FaceLedgerError('NO_FACE', `No face was found in the ${which} image.`);
    return { face, embedding: face.embedding };
  }

  /**
   * One line per face of every image under the inputs, in input order, computed on all workers.
   * A file that fails yields an error line; the run goes on.
   */
  async *embedAll(
    inputs: Iterable<string> | AsyncIterable<string>,
    onTotal?: (files: number) => void,
  ): AsyncGenerator<EmbedLine[]> {
    // Listing first gives progress a total; paths are small even for very large folders.
    const files: string[] = [];
    for await (const file of expandImageInputs(inputs)) files.push(file);
    onTotal?.(files.length);
    // A bounded window of in-flight files keeps every worker busy while preserving output order.
    const window: { file: string; result: Promise<EmbedLine[]> }[] = [];
    const depth = this.pool.size * 4;
    for (const file of files) {
      window.push({ file, result: this.embedFile(file) });
      if (window.length >= depth) yield await (window.shift() as (typeof window)[number]).result;
    }
    while (window.length) yield await (window.shift() as (typeof window)[number]).result;
  }

  private async embedFile(file: string): Promise<EmbedLine[]> {
    try {
      const analysis = await this.pool.analyzeFile(file, { embed: 'all' });
      if (analysis.faces.length === 0) {
        return [{ file, error: { code: 'NO_FACE', message: 'No face was found in the image.' } }];
      }
      return analysis.faces.map((face, index) => {
        const view = toFaceView(face);
        return {
          file,
          face: index,
          box: view.box,
          score: view.score,
          embedding: Array.from(face.embedding ?? []),
        };
      });
    } catch (err) {
      const e = err instanceof FaceLedgerError ? err : new FaceLedgerError('INTERNAL', String(err));
      return [{ file, error: e.toJSON() }];
    }
  }
}
