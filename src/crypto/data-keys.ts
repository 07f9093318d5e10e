/**
 * Per-scope data keys (envelope encryption). Every org (and the `platform` scope for data that belongs
 * to no org) gets random 256-bit keys, stored only wrapped by the master key. Two purposes:
 *
 * - `seal`: encrypts values (versioned: `rotateDataKey` adds a version for new writes, old ones stay
 *   so old values still open);
 * - `index`: the root of that scope's blind indexes (one version, never rotated, because a new key
 *   would change every stored index value). It is wrapped by the master key like any data key, so
 *   rotating the master key changes no index value.
 */
import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type Clock, systemClock } from '../core/clock.js';
import { FaceLedgerError } from '../core/errors.js';
import type { KeyProvider } from './master-key.js';
import { checkScope, KEY_BYTES, utf8 } from './primitives.js';

/** Scope for data that belongs to the platform rather than to one org (e.g. platform admins). */
export const PLATFORM_SCOPE = 'platform';

export type KeyPurpose = 'seal' | 'index';

/** One row of the `data_keys` table. */
export interface DataKeyRecord {
  scope: string;
  purpose: KeyPurpose;
  version: number;
  masterKeyId: string;
  /** Format byte, nonce, wrapped key, tag: see MasterKeyRing.wrap. */
  wrapped: Buffer;
  createdAt: string;
}

/** An unwrapped data key. `key` is a KeyObject so it never prints or serialises its bytes. */
export interface DataKey {
  scope: string;
  purpose: KeyPurpose;
  version: number;
  key: KeyObject;
}

/** Where wrapped data keys live. The only code that writes the table. */
export interface DataKeyStore {
  latest(scope: string, purpose: KeyPurpose): DataKeyRecord | undefined;
  get(scope: string, purpose: KeyPurpose, version: number): DataKeyRecord | undefined;
  /** Inserts unless a row with the same (scope, purpose, version) exists; returns whether it inserted. */
  insertIfAbsent(record: DataKeyRecord): boolean;
  list(): DataKeyRecord[];
  updateWrapped(
    scope: string,
    purpose: KeyPurpose,
    version: number,
    masterKeyId: string,
    wrapped: Buffer,
  ): void;
  /** Runs fn atomically: all of its writes or none (nests inside a caller's transaction). */
  transaction<T>(fn: () => T): T;
}

/**
 * Appended to the migration list by the store owner. No foreign key to orgs: scopes include
 * `platform`/`global`, and an org's keys must outlive nothing but the org's sealed rows.
 */
export const CRYPTO_MIGRATION = {
  version: 3,
  name: 'data keys',
  sql: `
      -- Data keys, only ever stored wrapped by a master key (AES-256-GCM); master_key_id says which.
      CREATE TABLE data_keys (
        org_id TEXT NOT NULL,
        purpose TEXT NOT NULL DEFAULT 'seal' CHECK (purpose IN ('seal', 'index')),
        version INTEGER NOT NULL CHECK (version >= 1),
        master_key_id TEXT NOT NULL,
        wrapped BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (org_id, purpose, version)
      );
    `,
} as const;

interface Row {
  org_id: string;
  purpose: KeyPurpose;
  version: number;
  master_key_id: string;
  wrapped: Buffer;
  created_at: string;
}

function fromRow(row: Row): DataKeyRecord {
  return {
    scope: row.org_id,
    purpose: row.purpose,
    version: row.version,
    masterKeyId: row.master_key_id,
    wrapped: row.wrapped,
    createdAt: row.created_at,
  };
}

/** `DataKeyStore` over the `data_keys` table (see CRYPTO_MIGRATION) of a better-sqlite3 connection. */
export class SqliteDataKeyStore implements DataKeyStore {
  readonly #db: Database.Database;
  readonly #latest: Database.Statement<[string, string], Row>;
  readonly #get: Database.Statement<[string, string, number], Row>;
  readonly #insert: Database.Statement<[string, string, number, string, Buffer, string]>;
  readonly #list: Database.Statement<[], Row>;
  readonly #update: Database.Statement<[string, Buffer, string, string, number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    const cols = 'org_id, purpose, version, master_key_id, wrapped, created_at';
    this.#latest = db.prepare(
      `SELECT ${cols} FROM data_keys WHERE org_id = ? AND purpose = ? ORDER BY version DESC LIMIT 1`,
    );
    this.#get = db.prepare(`SELECT ${cols} FROM data_keys WHERE org_id = ? AND purpose = ? AND version = ?`);
    this.#insert = db.prepare(`INSERT OR IGNORE INTO data_keys (${cols}) VALUES (?, ?, ?, ?, ?, ?)`);
    this.#list = db.prepare(`SELECT ${cols} FROM data_keys ORDER BY org_id, purpose, version`);
    this.#update = db.prepare(
      'UPDATE data_keys SET master_key_id = ?, wrapped = ? WHERE org_id = ? AND purpose = ? AND version = ?',
    );
  }

  latest(scope: string, purpose: KeyPurpose): DataKeyRecord | undefined {
    const row = this.#latest.get(scope, purpose);
    return row ? fromRow(row) : undefined;
  }

  get(scope: string, purpose: KeyPurpose, version: number): DataKeyRecord | undefined {
    const row = this.#get.get(scope, purpose, version);
    return row ? fromRow(row) : undefined;
  }

  insertIfAbsent(r: DataKeyRecord): boolean {
    return (
      this.#insert.run(r.scope, r.purpose, r.version, r.masterKeyId, r.wrapped, r.createdAt).changes === 1
    );
  }

  list(): DataKeyRecord[] {
    return this.#list.all().map(fromRow);
  }

  updateWrapped(
    scope: string,
    purpose: KeyPurpose,
    version: number,
    masterKeyId: string,
    wrapped: Buffer,
  ): void {
    const changes = this.#update.run(masterKeyId, wrapped, scope, purpose, version).changes;
    if (changes !== 1)
      throw new FaceLedgerError(
        'INTERNAL',
        `data key ${scope}/${purpose}/v${version} vanished while re-wrapping`,
      );
  }

  /** BEGIN IMMEDIATE, so no other connection can add a key between our read and our write. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }
}

/** Associated data binding a wrapped key to its row: moving it to another org/purpose/version fails. */
export function dataKeyAad(scope: string, purpose: KeyPurpose, version: number, masterKeyId: string): Buffer {
  return utf8(`fl-dek|v1|${scope}|${purpose}|${version}|${masterKeyId}`);
}

export interface MasterRotationReport {
  /** The master key every data key is now wrapped by. */
  masterKeyId: string;
  /** Data keys re-wrapped by this call. */
  rewrapped: number;
  /** Data keys already wrapped by the new master key (a repeated rotation is harmless). */
  alreadyCurrent: number;
}

interface CacheEntry {
  wrapped: Buffer;
  key: KeyObject;
}

/**
 * Creates, unwraps and rotates data keys. Unwrapped keys are cached in memory, but every use re-reads
 * the (indexed, tiny) row and only trusts the cache while the wrapped bytes match: a key created in a
 * transaction that later rolled back, a rotation by another process, or a re-wrap all stay correct.
 */
export class DataKeyManager {
  #provider: KeyProvider;
  readonly #store: DataKeyStore;
  readonly #clock: Clock;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(options: { provider: KeyProvider; store: DataKeyStore; clock?: Clock }) {
    this.#provider = options.provider;
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
  }

  get provider(): KeyProvider {
    return this.#provider;
  }

  /** The newest key of the scope, creating version 1 on first use. */
  current(scope: string, purpose: KeyPurpose = 'seal'): DataKey {
    checkScope(scope);
    const record = this.#store.latest(scope, purpose) ?? this.#create(scope, purpose, 1);
    return this.#unwrap(record);
  }

  /** A specific version (to open older values). */
  byVersion(scope: string, version: number, purpose: KeyPurpose = 'seal'): DataKey {
    checkScope(scope);
    const record = this.#store.get(scope, purpose, version);
    if (!record)
      throw new FaceLedgerError(
        'INTERNAL',
        `no ${purpose} data key v${version} for scope ${scope}; was it deleted (crypto-shredded)?`,
      );
    return this.#unwrap(record);
  }

  /**
   * Adds a new version of the scope's sealing key; new values use it, old versions stay readable.
   * Returns the new version. Index keys are never rotated (stored index values would stop matching).
   */
  rotateDataKey(scope: string): number {
    checkScope(scope);
    return this.#store.transaction(() => {
      const next = (this.#store.latest(scope, 'seal')?.version ?? 0) + 1;
      return this.#create(scope, 'seal', next).version;
    });
  }

  /**
   * Re-wraps every data key with `next`'s current master key in one transaction, then uses `next` from
   * now on. Each key is unwrapped with whichever provider holds its master key (the old one normally),
   * and every new wrap is verified by unwrapping it before it is written. Other processes must be
   * restarted with a provider holding the new key.
   */
  rotateMasterKey(next: KeyProvider): MasterRotationReport {
    const newId = next.currentKeyId;
    let rewrapped = 0;
    let alreadyCurrent = 0;
    this.#store.transaction(() => {
      for (const rec of this.#store.list()) {
        if (rec.masterKeyId === newId) {
          alreadyCurrent++;
          continue;
        }
        const source = next.keyIds.includes(rec.masterKeyId) ? next : this.#provider;
        const plain = source.unwrap(
          rec.masterKeyId,
          rec.wrapped,
          dataKeyAad(rec.scope, rec.purpose, rec.version, rec.masterKeyId),
        );
        try {
          const aad = dataKeyAad(rec.scope, rec.purpose, rec.version, newId);
          const wrapped = next.wrap(plain, aad);
          const check = next.unwrap(newId, wrapped, aad);
          const same = check.equals(plain);
          check.fill(0);
          if (!same) throw new FaceLedgerError('INTERNAL', 're-wrapped data key does not unwrap to itself');
          this.#store.updateWrapped(rec.scope, rec.purpose, rec.version, newId, wrapped);
          rewrapped++;
        } finally {
          plain.fill(0);
        }
      }
    });
    this.#provider = next;
    return { masterKeyId: newId, rewrapped, alreadyCurrent };
  }

  /**
   * Master key ids that wrap some stored data key but that the provider does not hold. Non-empty means
   * the process was started with the wrong key (or without the previous key mid-rotation).
   */
  unloadedMasterKeyIds(): string[] {
    const loaded = new Set(this.#provider.keyIds);
    return [...new Set(this.#store.list().map((r) => r.masterKeyId))].filter((id) => !loaded.has(id));
  }

  /** Drops every cached unwrapped key (they are re-unwrapped on next use). */
  forget(): void {
    this.#cache.clear();
  }

  #create(scope: string, purpose: KeyPurpose, version: number): DataKeyRecord {
    const plain = randomBytes(KEY_BYTES);
    const masterKeyId = this.#provider.currentKeyId;
    const record: DataKeyRecord = {
      scope,
      purpose,
      version,
      masterKeyId,
      wrapped: this.#provider.wrap(plain, dataKeyAad(scope, purpose, version, masterKeyId)),
      createdAt: this.#clock.now().toISOString(),
    };
    plain.fill(0);
    if (this.#store.insertIfAbsent(record)) return record;
    // Another connection created this version first: use theirs.
    const winner = this.#store.get(scope, purpose, version);
    if (!winner) throw new FaceLedgerError('INTERNAL', `could not create data key for scope ${scope}`);
    return winner;
  }

  #unwrap(record: DataKeyRecord): DataKey {
    const { scope, purpose, version } = record;
    const cacheKey = `${purpose}|${scope}|${version}`;
    const cached = this.#cache.get(cacheKey);
    if (cached?.wrapped.equals(record.wrapped)) return { scope, purpose, version, key: cached.key };
    const plain = this.#provider.unwrap(
      record.masterKeyId,
      record.wrapped,
      dataKeyAad(scope, purpose, version, record.masterKeyId),
    );
    if (plain.length !== KEY_BYTES) {
      plain.fill(0);
      throw new FaceLedgerError('INTERNAL', `data key ${scope}/${purpose}/v${version} has the wrong length`);
    }
    const key = createSecretKey(plain);
    plain.fill(0);
    this.#cache.set(cacheKey, { wrapped: Buffer.from(record.wrapped), key });
    return { scope, purpose, version, key };
  }
}
