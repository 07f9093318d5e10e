/**
 * The crypto room: what is sealed at rest. Repositories hold one `Vault` and call it for every
 * sensitive column (org names and contact data, user e-mails and names, case numbers, purposes,
 * search history and results, probe images), and for the blind indexes they look rows up by.
 *
 * Envelope encryption: a master key (KeyProvider: env or key file) wraps per-org data keys (table
 * `data_keys`, CRYPTO_MIGRATION), which seal values with AES-256-GCM. Stealing the database, its WAL or
 * the image folder without the master key yields no names, e-mails, case numbers or images. What it
 * does still show: row counts per org id and timestamps (how many searches an unnamed org ran), value
 * lengths to the nearest 32 bytes, and which rows share a blind-indexed value.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import { FaceLedgerError } from '../core/errors.js';
import { BLIND_INDEX_FIELDS, blindIndex, type Normalisation, normalisationFor } from './blind-index.js';
import {
  DataKeyManager,
  type DataKeyStore,
  type MasterRotationReport,
  SqliteDataKeyStore,
} from './data-keys.js';
import type { KeyProvider } from './master-key.js';
import { open, openBytes, openText, seal, sealBytes } from './sealed.js';

export {
  BLIND_INDEX_FIELDS,
  blindIndex,
  GLOBAL_SCOPE,
  type IndexKeys,
  type Normalisation,
  normalisationFor,
  normalise,
} from './blind-index.js';
export {
  CRYPTO_MIGRATION,
  type DataKey,
  DataKeyManager,
  type DataKeyRecord,
  type DataKeyStore,
  dataKeyAad,
  type KeyPurpose,
  type MasterRotationReport,
  PLATFORM_SCOPE,
  SqliteDataKeyStore,
} from './data-keys.js';
export {
  createMasterKeyFile,
  type KeyProvider,
  keyProviderFromEnv,
  loadMasterKeyFile,
  loadOrCreateMasterKeyFile,
  MASTER_KEY_ENV,
  MasterKeyRing,
  masterKeyId,
  PREVIOUS_MASTER_KEYS_ENV,
  parseMasterKey,
  resolveKeyProvider,
} from './master-key.js';
export { type SealingKeys, sealedKeyVersion } from './sealed.js';

export interface VaultOptions {
  provider: KeyProvider;
  store: DataKeyStore;
  clock?: Clock;
  /** Per-field normalisation for blind indexes; defaults to BLIND_INDEX_FIELDS. */
  blindIndexFields?: Readonly<Record<string, Normalisation>>;
}

/**
 * The facade repositories use. `orgId` is the org's id, or PLATFORM_SCOPE for data no org owns;
 * `field` names the column (`users.email`), and is bound into the ciphertext: a sealed value opens
 * only with the same org and field it was sealed for. All methods are synchronous (better-sqlite3).
 */
export class Vault {
  readonly #keys: DataKeyManager;
  readonly #fields: Readonly<Record<string, Normalisation>>;

  constructor(options: VaultOptions) {
    this.#keys = new DataKeyManager(options);
    this.#fields = options.blindIndexFields ?? BLIND_INDEX_FIELDS;
  }

  /** A vault whose data keys live in the `data_keys` table of this connection (CRYPTO_MIGRATION applied). */
  static forDatabase(db: Database.Database, provider: KeyProvider, clock?: Clock): Vault {
    return new Vault({ provider, store: new SqliteDataKeyStore(db), ...(clock ? { clock } : {}) });
  }

  /** The key manager, for maintenance commands and tests. */
  get keys(): DataKeyManager {
    return this.#keys;
  }

  /** Id of the master key new data keys are wrapped with (safe to print). */
  get masterKeyId(): string {
    return this.#keys.provider.currentKeyId;
  }

  /**
   * Call at startup: fails with BAD_INPUT unless the provider holds every master key the data key table
   * uses, so a mis-set key (say, an empty env var falling back to a fresh key file) stops the process
   * instead of wrapping new orgs' keys under a key that the existing ones do not share.
   */
  assertMasterKeysLoaded(): void {
    const missing = this.#keys.unloadedMasterKeyIds();
    if (missing.length > 0)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `data keys are wrapped by master key(s) ${missing.join(', ')}, but the loaded key(s) are ` +
          `${this.#keys.provider.keyIds.join(', ')}: wrong FACELEDGER_MASTER_KEY or key file?`,
      );
  }

  /** Seals text (UTF-8) or bytes to the text format `v1.<keyVersion>.<base64url>`. */
  seal(orgId: string, field: string, value: string | Uint8Array): string {
    return seal(this.#keys, orgId, field, value);
  }

  /** `seal`, passing null/undefined through as null (for optional columns). */
  sealOptional(orgId: string, field: string, value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : seal(this.#keys, orgId, field, value);
  }

  /** Seals a JSON-serialisable value (search results, contact details). */
  sealJson(orgId: string, field: string, value: unknown): string {
    const json = JSON.stringify(value);
    if (json === undefined)
      throw new FaceLedgerError('BAD_INPUT', `${field}: value is not JSON-serialisable`);
    return seal(this.#keys, orgId, field, json);
  }

  open(orgId: string, field: string, sealed: string): Buffer {
    return open(this.#keys, orgId, field, sealed);
  }

  openText(orgId: string, field: string, sealed: string): string {
    return openText(this.#keys, orgId, field, sealed);
  }

  openOptional(orgId: string, field: string, sealed: string | null | undefined): string | null {
    return sealed === null || sealed === undefined ? null : openText(this.#keys, orgId, field, sealed);
  }

  openJson<T = unknown>(orgId: string, field: string, sealed: string): T {
    return JSON.parse(openText(this.#keys, orgId, field, sealed)) as T;
  }

  /** Seals bytes (probe images) to the compact binary format, for BLOBs and files. */
  sealBytes(orgId: string, field: string, bytes: Uint8Array): Buffer {
    return sealBytes(this.#keys, orgId, field, bytes);
  }

  openBytes(orgId: string, field: string, sealed: Uint8Array): Buffer {
    return openBytes(this.#keys, orgId, field, sealed);
  }

  /** Blind index for equality lookups; `scope` is an org id or GLOBAL_SCOPE. See blind-index.ts. */
  blindIndex(scope: string, field: string, value: string): string {
    return blindIndex(this.#keys, scope, field, value, normalisationFor(field, this.#fields));
  }

  /** Re-wraps every data key with `next`'s current master key (one transaction); uses `next` afterwards. */
  rotateMasterKey(next: KeyProvider): MasterRotationReport {
    return this.#keys.rotateMasterKey(next);
  }

  /** New sealing key version for the org; new values use it, old values still open. Returns the version. */
  rotateDataKey(orgId: string): number {
    return this.#keys.rotateDataKey(orgId);
  }

  /** Drops cached unwrapped data keys. */
  forget(): void {
    this.#keys.forget();
  }
}
