// Side-effect import: on glibc, sharp's shared libraries must be loaded by the main thread before workers use it,
// or they are unloaded when a worker exits (lovell/sharp#2263).
import 'sharp';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { PeerCacheWriter, readPeerCache } from './peer-cache.js';
import { isPeerResult, type PeerResult, type PeerTask } from './peer-types.js';

export type { PeerResult } from './peer-types.js';

export interface PeerRunOptions {
  workers: number;
  cacheFile: string;
  onProgress?: (done: number, total: number) => void;
}

// Small batches keep message overhead negligible next to ~300 ms/image while leaving a short tail at the end.
const FILES_PER_TASK = 4;
const WORKER_FILE = fileURLToPath(new URL('./peer-worker.js', import.meta.url));

const require = createRequire(import.meta.url);

function installedVersion(pkg: string): string {
  const manifest: unknown = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8'));
  const version = (manifest as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error(`no version in ${pkg}/package.json`);
  return version;
}

export const PEER_NAME = `@vladmandic/face-api ${installedVersion('@vladmandic/face-api')} (tfjs-wasm ${installedVersion('@tensorflow/tfjs-backend-wasm')}, SSD MobileNetV1 + FaceRecognitionNet)`;

/** Describes every file (absolute paths), reusing descriptors already in cacheFile (JSONL, one PeerResult per line, appended as results arrive so an interrupted run resumes). */
export async function describeWithPeer(
  files: string[],
  opts: PeerRunOptions,
): Promise<Map<string, PeerResult>> {
  if (!Number.isInteger(opts.workers) || opts.workers < 1) {
    throw new Error(`workers must be >= 1, got ${opts.workers}`);
  }
  const unique = [...new Set(files)];
  const found = new Map<string, PeerResult>();
  const cached = await readPeerCache(opts.cacheFile);
  for (const file of unique) {
    const hit = cached.get(file);
    // Errors may be transient (I/O, a crashed worker), so only clean results are reused.
    if (hit && hit.error === undefined) found.set(file, hit);
  }
  const todo = unique.filter((file) => !found.has(file));
  opts.onProgress?.(found.size, unique.length);

  if (todo.length > 0) {
    const pool = new Piscina({ filename: WORKER_FILE, minThreads: opts.workers, maxThreads: opts.workers });
    const writer = await PeerCacheWriter.open(opts.cacheFile);
    try {
      await Promise.all(
        chunk(todo, FILES_PER_TASK).map(async (batch) => {
          for (const result of await runBatch(pool, batch)) {
            found.set(result.file, result);
            writer.append(result);
          }
          opts.onProgress?.(found.size, unique.length);
        }),
      );
    } finally {
      await pool.destroy();
      await writer.close();
    }
  }

  // Return in the caller's order rather than completion order.
  const ordered = new Map<string, PeerResult>();
  for (const file of unique) {
    const result = found.get(file);
    if (result) ordered.set(file, result);
  }
  return ordered;
}

async function runBatch(pool: Piscina, files: string[]): Promise<PeerResult[]> {
  const task: PeerTask = { files };
  try {
    const reply: unknown = await pool.run(task);
    if (!Array.isArray(reply) || !reply.every(isPeerResult)) {
      throw new Error('malformed reply from peer worker');
    }
    return reply;
  } catch (err) {
    // A failed batch is recorded per file so the run completes and a later run retries just these files.
    return files.map((file) => ({
      file,
      descriptor: null,
      ms: 0,
      lowConfidenceRetry: false,
      error: String(err),
    }));
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
