/**
 * For tests in this room (and other rooms' tests that need a vault): a better-sqlite3 connection with
 * the same pragmas as gallery/store/database.ts and the data_keys migration applied.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import { CRYPTO_MIGRATION } from './data-keys.js';
import { Vault } from './index.js';
import { MasterKeyRing } from './master-key.js';

export function openCryptoTestDb(path = ':memory:'): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.exec(CRYPTO_MIGRATION.sql);
  return db;
}

/** A vault over a fresh in-memory (or file) database with a random master key. */
export function testVault(options: { path?: string; masterKey?: Uint8Array; clock?: Clock } = {}): {
  vault: Vault;
  db: Database.Database;
  ring: MasterKeyRing;
} {
  const db = openCryptoTestDb(options.path);
  const ring = MasterKeyRing.fromBytes(options.masterKey ?? randomBytes(32));
  return { vault: Vault.forDatabase(db, ring, options.clock), db, ring };
}
