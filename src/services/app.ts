import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type Clock, systemClock } from '../core/clock.js';
import { GalleryIndexes } from '../gallery/gallery-indexes.js';
import { GalleryStore } from '../gallery/store/gallery-store.js';
import { PipelinePool } from '../vision/pool.js';

export interface AppConfig {
  /** Where SQLite and the index files live (the embedded default: ./data). */
  dataDir: string;
  modelDir?: string;
  workers?: number;
  clock?: Clock;
}

export const DATA_ENV = 'FACELEDGER_DATA';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[DATA_ENV] ?? 'data');
}

/**
 * The wiring every use case shares: the store, the per-gallery indexes and, started only when a use
 * case needs faces analysed, the worker pool. Shells create one and close it when done.
 */
export class FaceLedgerApp {
  private poolPromise: Promise<PipelinePool> | undefined;
  readonly clock: Clock;

  private constructor(
    readonly config: AppConfig,
    readonly store: GalleryStore,
    readonly indexes: GalleryIndexes,
  ) {
    this.clock = config.clock ?? systemClock;
  }

  static open(config: AppConfig): FaceLedgerApp {
    const store = GalleryStore.open(join(config.dataDir, 'faceledger.db'));
    const indexes = new GalleryIndexes(store, join(config.dataDir, 'indexes'), config.clock ?? systemClock);
    return new FaceLedgerApp(config, store, indexes);
  }

  pool(): Promise<PipelinePool> {
    this.poolPromise ??= PipelinePool.start({
      workers: this.config.workers ?? availableParallelism(),
      pipeline: this.config.modelDir ? { modelDir: this.config.modelDir } : {},
    });
    return this.poolPromise;
  }

  async close(): Promise<void> {
    if (this.poolPromise) await (await this.poolPromise).close();
    this.indexes.close();
    this.store.close();
  }
}
