import type { Analysis, AnalyzeRequest } from '../vision/pipeline.js';
import type { PipelinePool } from '../vision/pool.js';

/** An image given by path (read by a worker) or by its bytes (an upload). */
export type ImageSource = { path: string } | { bytes: Uint8Array };

export function analyzeSource(
  pool: PipelinePool,
  source: ImageSource,
  request: AnalyzeRequest,
): Promise<Analysis> {
  return 'path' in source ? pool.analyzeFile(source.path, request) : pool.analyzeBytes(source.bytes, request);
}
