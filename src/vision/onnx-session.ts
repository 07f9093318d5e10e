import * as ort from 'onnxruntime-node';

export interface InferenceThreads {
  /** Threads inside one operator. One is fastest on small models here (MANIFEST timings); parallelism comes from workers. */
  intraOp: number;
}

export const DEFAULT_THREADS: InferenceThreads = { intraOp: 1 };

export async function openSession(path: string, threads: InferenceThreads): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads.intraOp,
    interOpNumThreads: 1,
  });
}

export { ort };
