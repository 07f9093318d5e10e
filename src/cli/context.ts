import { availableParallelism } from 'node:os';
import { FaceService } from '../services/face-service.js';
import { PipelinePool } from '../vision/pool.js';

export interface GlobalOptions {
  json: boolean;
  models?: string;
  workers?: number;
}

/** Starts the worker pool for one command and always shuts it down, so the process can exit. */
export async function withFaceService<T>(
  options: GlobalOptions,
  work: (service: FaceService) => Promise<T>,
  workers = options.workers ?? availableParallelism(),
): Promise<T> {
  const pool = await PipelinePool.start({
    workers,
    pipeline: options.models ? { modelDir: options.models } : {},
  });
  try {
    return await work(new FaceService(pool));
  } finally {
    await pool.close();
  }
}
