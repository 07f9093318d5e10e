import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { AuditLog, loadOrCreateSigningKey } from '../audit/index.js';
import { type Clock, systemClock } from '../core/clock.js';
import { resolveKeyProvider, Vault } from '../crypto/index.js';
import { GalleryIndexes } from '../gallery/gallery-indexes.js';
import { GalleryStore } from '../gallery/store/gallery-store.js';
import { Tenancy, type TenancyStoreOptions } from '../tenancy/index.js';
import { PipelinePool } from '../vision/pool.js';
import { SCHEMA } from './schema.js';

export interface AppConfig {
  /** Where SQLite and the index files live (the embedded default: ./data). */
  dataDir: string;
  /**
   * Where the master key and the audit signing key live: apart from the data folder, so a copy of the
   * data (or a backup of it) does not carry the keys that open it. Default: `<dataDir>.keys`.
   */
  keyDir?: string;
  modelDir?: string;
  workers?: number;
  clock?: Clock;
  /** Test seams: cheaper argon2, shorter lockouts. */
  tenancy?: Omit<TenancyStoreOptions, 'clock'>;
  /** The environment the master key may come from (FACELEDGER_MASTER_KEY). */
  env?: NodeJS.ProcessEnv;
}

export const DATA_ENV = 'FACELEDGER_DATA';
export const KEYS_ENV = 'FACELEDGER_KEYS';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[DATA_ENV] ?? 'data');
}

export function defaultKeyDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[KEYS_ENV] ?? `${resolve(dataDir)}.keys`);
}

/**
 * The wiring every use case shares: one SQLite connection with the whole schema, the per-gallery
 * indexes, the vault that seals sensitive columns, the audit log, tenancy (who may act) and, started
 * only when a use case needs faces analysed, the worker pool. Shells create one and close it when done.
 */
export class FaceLedgerApp {
  private poolPromise: Promise<PipelinePool> | undefined;
  readonly clock: Clock;

  private constructor(
    readonly config: AppConfig,
    readonly store: GalleryStore,
    readonly indexes: GalleryIndexes,
    readonly vault: Vault,
    readonly audit: AuditLog,
    readonly tenancy: Tenancy,
    readonly keyDir: string,
  ) {
    this.clock = config.clock ?? systemClock;
  }

  static open(config: AppConfig): FaceLedgerApp {
    const clock = config.clock ?? systemClock;
    const env = config.env ?? process.env;
    const keyDir = config.keyDir ?? defaultKeyDir(config.dataDir, env);
    const store = GalleryStore.open(join(config.dataDir, 'faceledger.db'), SCHEMA);
    try {
      const vault = Vault.forDatabase(
        store.db,
        resolveKeyProvider({ keyFile: join(keyDir, 'master.key'), env }),
        clock,
      );
      vault.assertMasterKeysLoaded();
      const audit = new AuditLog(store.db, clock, loadOrCreateSigningKey(join(keyDir, 'audit-signing.key')), {
        witnessPath: join(keyDir, 'audit-checkpoint.json'),
      });
      const tenancy = new Tenancy({ db: store.db, vault, audit }, { ...config.tenancy, clock });
      const indexes = new GalleryIndexes(store, join(config.dataDir, 'indexes'), clock);
      return new FaceLedgerApp(config, store, indexes, vault, audit, tenancy, keyDir);
    } catch (err) {
      store.close();
      throw err;
    }
  }

  get dataDir(): string {
    return this.config.dataDir;
  }

  pool(): Promise<PipelinePool> {
    this.poolPromise ??= PipelinePool.start({
      workers: this.config.workers ?? availableParallelism(),
      pipeline: this.config.modelDir ? { modelDir: this.config.modelDir } : {},
    });
    return this.poolPromise;
  }

  async close(): Promise<void> {
    // A verification worker reads the database file: let it finish before the file may be removed.
    await this.audit.idle();
    if (this.poolPromise) await (await this.poolPromise).close();
    this.indexes.close();
    this.store.close();
  }
}
