import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defaultDataDir, FaceLedgerApp } from '../services/app.js';
import { FaceService } from '../services/face-service.js';
import { PipelinePool } from '../vision/pool.js';

export interface GlobalOptions {
  json: boolean;
  data?: string;
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

/** Opens the app on the embedded store under the data folder (keys beside it: `<data>.keys`). */
export function openApp(options: GlobalOptions): FaceLedgerApp {
  return FaceLedgerApp.open({
    dataDir: options.data ? resolve(options.data) : defaultDataDir(),
    ...(options.models ? { modelDir: options.models } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
  });
}

/** Opens the embedded store under the data folder for one command and always closes it. */
export async function withApp<T>(
  options: GlobalOptions,
  work: (app: FaceLedgerApp) => Promise<T> | T,
): Promise<T> {
  const app = openApp(options);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Who the CLI acts as: the operating-system user, until accounts arrive with the server. */
export function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`;
}
