import type { FaceLedgerError } from '../core/errors.js';
import type { Analysis, AnalyzeRequest, PipelineOptions } from './pipeline.js';

/** What crosses into a pipeline worker: a path to read there, or bytes already in memory. */
export type PoolTask = { source: { path: string } | { bytes: Uint8Array } } & AnalyzeRequest;

/** Errors come back as data: structured clone would drop the error's code. */
export type PoolReply =
  | { ok: true; analysis: Analysis }
  | { ok: false; error: ReturnType<FaceLedgerError['toJSON']> };

export interface PoolWorkerData {
  options: Partial<PipelineOptions>;
}
