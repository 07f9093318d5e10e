import { performance } from 'node:perf_hooks';
import type { PipelineOptions, StageTimings } from '../../src/vision/pipeline.js';
import { PipelinePool } from '../../src/vision/pool.js';

export interface OurResult {
  embedding: Float32Array | null;
  faces: number;
  error?: string;
  timings?: StageTimings;
}

export interface OurRun {
  results: Map<string, OurResult>;
  seconds: number;
  imagesPerSecond: number;
}

export async function embedWithOurs(
  paths: string[],
  workers: number,
  pipeline: Partial<PipelineOptions>,
  onProgress?: (done: number, total: number) => void,
): Promise<OurRun> {
  const pool = await PipelinePool.start({ workers, pipeline });
  const results = new Map<string, OurResult>();
  let done = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      paths.map(async (path) => {
        try {
          // LFW deep-funneled frames are centred on the labelled person; a bystander can be larger.
          const analysis = await pool.analyzeFile(path, { embed: 'central' });
          const face = analysis.faces.find((f) => f.embedding);
          results.set(path, {
            embedding: face?.embedding ?? null,
            faces: analysis.faces.length,
            timings: analysis.timings,
          });
        } catch (err) {
          results.set(path, { embedding: null, faces: 0, error: (err as Error).message });
        }
        onProgress?.(++done, paths.length);
      }),
    );
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { results, seconds, imagesPerSecond: paths.length / seconds };
}
