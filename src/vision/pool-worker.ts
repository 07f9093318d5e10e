import { readFile } from 'node:fs/promises';
import { workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { asFaceLedgerError, FaceLedgerError } from '../core/errors.js';
import { FacePipeline } from './pipeline.js';
import type { PoolReply, PoolTask, PoolWorkerData } from './pool-task.js';

// Each worker owns one core's worth of work; libvips' own thread pool would only oversubscribe it.
sharp.concurrency(1);
sharp.cache(false);

const pipeline = await FacePipeline.load((workerData as PoolWorkerData).options);

export async function warmup(): Promise<boolean> {
  return true;
}

export default async function run(task: PoolTask): Promise<PoolReply> {
  try {
    const bytes = 'path' in task.source ? await readSource(task.source.path) : task.source.bytes;
    const analysis = await pipeline.analyze(bytes, task);
    return { ok: true, analysis };
  } catch (err) {
    return { ok: false, error: asFaceLedgerError(err).toJSON() };
  }
}

async function readSource(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FaceLedgerError('NOT_FOUND', `No such file: ${path}`);
    if (code === 'EISDIR') throw new FaceLedgerError('BAD_INPUT', `${path} is a folder, not an image file.`);
    throw new FaceLedgerError('BAD_INPUT', `Cannot read ${path}: ${(err as Error).message}`);
  }
}
