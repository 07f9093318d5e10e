import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { reviveError } from '../core/errors.js';
import type { Analysis, AnalyzeRequest, PipelineOptions } from './pipeline.js';
import type { PoolReply, PoolTask, PoolWorkerData } from './pool-task.js';

export interface PoolOptions {
  /** Worker threads, one pipeline each; defaults to one per core (onnxruntime is fastest here single-threaded). */
  workers?: number;
  pipeline?: Partial<PipelineOptions>;
}

/**
 * The face pipeline spread over worker threads. Work travels as messages, never argv: onnxruntime-node
 * crashes on very long command lines (models MANIFEST), so file lists must not grow the process arguments.
 */
export class PipelinePool {
  private constructor(
    private readonly piscina: Piscina,
    readonly size: number,
  ) {}

  static async start(options: PoolOptions = {}): Promise<PipelinePool> {
    const size = Math.max(1, options.workers ?? availableParallelism());
    const workerData: PoolWorkerData = { options: options.pipeline ?? {} };
    const piscina = new Piscina({
      filename: new URL('./pool-worker.js', import.meta.url).href,
      minThreads: size,
      maxThreads: size,
      // Enough queued work to keep every worker busy between replies, without buffering whole folders.
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData,
    });
    const pool = new PipelinePool(piscina, size);
    // Fail fast on missing models instead of on the first task; each worker loads them at start.
    await Promise.all(
      Array.from({ length: size }, () => pool.piscina.run({ warmup: true }, { name: 'warmup' })),
    );
    return pool;
  }

  analyzeFile(path: string, request: AnalyzeRequest = {}): Promise<Analysis> {
    return this.submit({ source: { path }, ...request });
  }

  analyzeBytes(bytes: Uint8Array, request: AnalyzeRequest = {}): Promise<Analysis> {
    return this.submit({ source: { bytes }, ...request });
  }

  private async submit(task: PoolTask): Promise<Analysis> {
    const reply = (await this.piscina.run(task)) as PoolReply;
    if (!reply.ok) throw reviveError(reply.error);
    return reply.analysis;
  }

  /**
   * Waits for tasks in flight, then stops the workers. Terminating a worker inside an onnxruntime call
   * aborts the whole process (a native exception), so this must never cut a task short.
   */
  async close(): Promise<void> {
    await this.piscina.close();
  }
}
