/**
 * Audit verification in a worker thread with its own read-only connection: at ~10 µs an entry, a
 * million-entry log would otherwise hold the event loop (and every other request) for seconds.
 * One verification at a time per log: a caller asking for a scope that is already running or waiting
 * shares that answer; a caller asking for another scope waits its turn, so there is never more than
 * one worker reading the whole file.
 */
import { Worker } from 'node:worker_threads';
import { asFaceLedgerError, FaceLedgerError, reviveError } from '../core/errors.js';
import type { VerifyReport } from './verify.js';

/** What the worker is given: plain data, since workerData is copied into the other thread. */
export interface VerifyWorkerData {
  /** Absolute path of the SQLite file (the worker's working directory is no guide). */
  dbPath: string;
  witnessPath: string | null;
  /** SPKI PEM of every key whose checkpoints count. */
  publicKeysPem: string[];
  /** One org's chain, or null for the global chain and every org chain. */
  orgId: string | null;
}

export type VerifySource = Omit<VerifyWorkerData, 'orgId'>;

/** A tampered log is a report, not an error: only failures to verify at all come back as `error`. */
export type VerifyWorkerReply = { report: VerifyReport } | { error: { code: string; message: string } };

export class OffThreadVerifier {
  readonly #source: VerifySource;
  /** Running or waiting verifications by scope ('' = global), for callers arriving meanwhile. */
  readonly #pending = new Map<string, Promise<VerifyReport>>();
  /** Settles when the last queued verification has; never rejects, so one failure does not block the next. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(source: VerifySource) {
    this.#source = source;
  }

  /** Settles once no verification is running or waiting (for a clean shutdown). */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }

  verify(orgId: string | null): Promise<VerifyReport> {
    const key = orgId ?? '';
    const shared = this.#pending.get(key);
    if (shared) return shared;
    const run = this.#tail.then(() => runWorker({ ...this.#source, orgId }));
    this.#tail = run.catch(() => undefined);
    this.#pending.set(key, run);
    const forget = () => {
      if (this.#pending.get(key) === run) this.#pending.delete(key);
    };
    run.then(forget, forget);
    return run;
  }
}

async function runWorker(data: VerifyWorkerData): Promise<VerifyReport> {
  try {
    return await spawn(data);
  } catch (err) {
    // Whatever failed (the worker's own error, a crash, a worker that could not start) leaves as a
    // FaceLedgerError, with the worker's code when it sent one.
    throw asFaceLedgerError(err);
  }
}

function spawn(data: VerifyWorkerData): Promise<VerifyReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./verify-worker.js', import.meta.url), { workerData: data });
    let answered = false;
    worker.once('message', (reply: VerifyWorkerReply) => {
      answered = true;
      if ('report' in reply) resolve(reply.report);
      else reject(reviveError(reply.error));
    });
    worker.once('error', (err) => {
      answered = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!answered) {
        reject(
          new FaceLedgerError('INTERNAL', `the audit verify worker exited (code ${code}) without a report`),
        );
      }
    });
  });
}
