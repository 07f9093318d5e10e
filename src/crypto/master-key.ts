/**
 * Master keys: the root of envelope encryption. A master key never encrypts data itself; it only wraps
 * the per-org data keys (see data-keys.ts). It comes from the environment or from a key file, and is
 * referred to everywhere by its key id, never by its bytes.
 */
import { createHash, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { FaceLedgerError } from '../core/errors.js';
import { fromBase64Strict, gcmOpen, gcmSeal, KEY_BYTES } from './primitives.js';

export const MASTER_KEY_ENV = 'FACELEDGER_MASTER_KEY';
/** Comma-separated base64 keys that may still unwrap data keys (during and after a rotation). */
export const PREVIOUS_MASTER_KEYS_ENV = 'FACELEDGER_PREVIOUS_MASTER_KEYS';

/**
 * The DESIGN's `KeyProvider` seam. It holds one or more master keys and wraps / unwraps data keys with
 * them; callers never see master key bytes, so a KMS- or HSM-backed provider can implement it later.
 * Wrapping always uses the current key; unwrapping uses whichever key id the stored row names.
 */
export interface KeyProvider {
  /** Id of the master key new wraps use. */
  readonly currentKeyId: string;
  /** Ids of every master key this provider can unwrap with, current first. */
  readonly keyIds: readonly string[];
  /** Wraps key material with the current master key. */
  wrap(plaintext: Uint8Array, aad: Uint8Array): Buffer;
  /** Unwraps with the named master key; throws FaceLedgerError('INTERNAL') if unknown or forged. */
  unwrap(masterKeyId: string, wrapped: Uint8Array, aad: Uint8Array): Buffer;
}

/** Format byte in front of every wrapped data key (AES-256-GCM, 96-bit nonce, 128-bit tag). */
const WRAP_FORMAT_V1 = 0x01;

/**
 * The key id: the first 16 hex digits of sha256 over a key derived (HKDF) from the master key for this
 * purpose only, so the id reveals nothing usable about the key and cannot be confused with other uses.
 */
export function masterKeyId(key: Uint8Array | KeyObject): string {
  const ikm = key instanceof Uint8Array ? key : key.export();
  const idKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'fl-master-key-id|v1', 32));
  const id = createHash('sha256').update(idKey).digest('hex').slice(0, 16);
  idKey.fill(0);
  if (!(key instanceof Uint8Array)) ikm.fill(0);
  return id;
}

/** An in-process set of master keys (current + previous ones). Immutable; build a new one to rotate. */
export class MasterKeyRing implements KeyProvider {
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  readonly #keys: ReadonlyMap<string, KeyObject>;

  private constructor(keys: Map<string, KeyObject>) {
    const ids = [...keys.keys()];
    const current = ids[0];
    if (current === undefined) throw new FaceLedgerError('BAD_INPUT', 'a master key ring needs a key');
    this.currentKeyId = current;
    this.keyIds = Object.freeze(ids);
    this.#keys = keys;
  }

  /** The first key is current; the others can only unwrap. Duplicates are ignored. Inputs are not kept. */
  static fromBytes(current: Uint8Array, ...previous: Uint8Array[]): MasterKeyRing {
    const keys = new Map<string, KeyObject>();
    for (const bytes of [current, ...previous]) {
      if (bytes.length !== KEY_BYTES)
        throw new FaceLedgerError(
          'BAD_INPUT',
          `a master key must be exactly ${KEY_BYTES} bytes, got ${bytes.length}`,
        );
      const id = masterKeyId(bytes);
      if (!keys.has(id)) keys.set(id, createSecretKey(Buffer.from(bytes)));
    }
    return new MasterKeyRing(keys);
  }

  /** `current`'s current key becomes current; every key of every ring can unwrap. */
  static merge(current: MasterKeyRing, ...previous: MasterKeyRing[]): MasterKeyRing {
    const keys = new Map<string, KeyObject>();
    for (const ring of [current, ...previous])
      for (const [id, key] of ring.#keys) if (!keys.has(id)) keys.set(id, key);
    return new MasterKeyRing(keys);
  }

  has(masterKeyId: string): boolean {
    return this.#keys.has(masterKeyId);
  }

  wrap(plaintext: Uint8Array, aad: Uint8Array): Buffer {
    return gcmSeal(this.#key(this.currentKeyId), plaintext, aad, Uint8Array.of(WRAP_FORMAT_V1));
  }

  unwrap(masterKeyId: string, wrapped: Uint8Array, aad: Uint8Array): Buffer {
    const key = this.#keys.get(masterKeyId);
    if (!key)
      throw new FaceLedgerError(
        'INTERNAL',
        `data key is wrapped by master key ${masterKeyId}, which is not loaded (loaded: ${this.keyIds.join(', ')}); ` +
          `supply it as a previous master key`,
      );
    const plain = wrapped[0] === WRAP_FORMAT_V1 ? gcmOpen(key, wrapped.subarray(1), aad) : undefined;
    if (!plain)
      throw new FaceLedgerError(
        'INTERNAL',
        `wrapped data key failed authentication under master key ${masterKeyId} (wrong key or tampered row)`,
      );
    return plain;
  }

  #key(id: string): KeyObject {
    const key = this.#keys.get(id);
    if (!key) throw new FaceLedgerError('INTERNAL', `master key ${id} is not loaded`);
    return key;
  }

  toJSON(): { currentKeyId: string; keyIds: readonly string[] } {
    return { currentKeyId: this.currentKeyId, keyIds: this.keyIds };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MasterKeyRing(current=${this.currentKeyId}, keys=${this.keyIds.length})`;
  }
}

/** Parses base64 (or base64url) text holding exactly 32 bytes; `source` names where it came from. */
export function parseMasterKey(text: string, source: string): Buffer {
  const bytes = fromBase64Strict(text.trim());
  if (!bytes)
    throw new FaceLedgerError('BAD_INPUT', `${source} is not valid base64 (expected ${KEY_BYTES} bytes)`);
  if (bytes.length !== KEY_BYTES) {
    const length = bytes.length;
    bytes.fill(0);
    throw new FaceLedgerError(
      'BAD_INPUT',
      `${source} must decode to exactly ${KEY_BYTES} bytes, got ${length}; generate one with: openssl rand -base64 32`,
    );
  }
  return bytes;
}

/**
 * Master keys from `FACELEDGER_MASTER_KEY` (base64 of 32 bytes) plus optional
 * `FACELEDGER_PREVIOUS_MASTER_KEYS`; undefined when the main variable is unset (set but blank is an
 * error, not a silent fall-back to the key file).
 */
export function keyProviderFromEnv(env: NodeJS.ProcessEnv = process.env): MasterKeyRing | undefined {
  const current = env[MASTER_KEY_ENV];
  if (current === undefined) return undefined;
  if (current.trim() === '')
    throw new FaceLedgerError(
      'BAD_INPUT',
      `${MASTER_KEY_ENV} is set but empty; unset it to use the key file`,
    );
  const keys = [parseMasterKey(current, MASTER_KEY_ENV)];
  const previous = env[PREVIOUS_MASTER_KEYS_ENV] ?? '';
  for (const [i, text] of previous.split(',').entries())
    if (text.trim() !== '') keys.push(parseMasterKey(text, `${PREVIOUS_MASTER_KEYS_ENV}[${i}]`));
  const [first, ...rest] = keys as [Buffer, ...Buffer[]];
  const ring = MasterKeyRing.fromBytes(first, ...rest);
  for (const k of keys) k.fill(0);
  return ring;
}

/**
 * Reads a master key file: exactly 32 raw bytes, or their base64 text. Refuses a file that group or
 * others may read (on POSIX), anything but a regular file, and any other length.
 */
export function loadMasterKeyFile(path: string): MasterKeyRing {
  const bytes = readKeyFile(path);
  try {
    return MasterKeyRing.fromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}

/**
 * Loads the key file, creating it first (32 random bytes, mode 0600, parent folder 0700) if absent.
 * Creation is atomic: the key is written and fsynced under a temporary name and then hard-linked into
 * place, so two processes starting together agree on one key and nobody reads a half-written file.
 */
export function loadOrCreateMasterKeyFile(path: string): MasterKeyRing {
  try {
    return loadMasterKeyFile(path);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  createMasterKeyFile(path);
  return loadMasterKeyFile(path);
}

/**
 * Writes a new random master key to `path` (mode 0600); refuses to overwrite. Returns the key id. Use
 * it to mint the next key before `Vault.rotateMasterKey`; keep the old file until rotation succeeded.
 */
export function createMasterKeyFile(path: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const key = randomBytes(KEY_BYTES);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new FaceLedgerError('BAD_INPUT', `master key file ${path} already exists; not overwriting it`);
      throw err;
    }
    syncDir(dirname(path));
    return masterKeyId(key);
  } finally {
    key.fill(0);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

/**
 * The usual way to get the provider: the environment wins when `FACELEDGER_MASTER_KEY` is set,
 * otherwise the key file (created on first run). `previousKeyFiles` add keys that may only unwrap.
 */
export function resolveKeyProvider(options: {
  keyFile: string;
  env?: NodeJS.ProcessEnv;
  previousKeyFiles?: readonly string[];
}): MasterKeyRing {
  const current =
    keyProviderFromEnv(options.env ?? process.env) ?? loadOrCreateMasterKeyFile(options.keyFile);
  const previous = (options.previousKeyFiles ?? []).map((p) => loadMasterKeyFile(p));
  return MasterKeyRing.merge(current, ...previous);
}

function readKeyFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (err) {
    if (isMissing(err)) throw err;
    throw new FaceLedgerError('BAD_INPUT', `cannot open master key file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FaceLedgerError('BAD_INPUT', `master key file ${path} is not a regular file`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `master key file ${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); ` +
          `restrict it with: chmod 600 ${path}`,
      );
    // A base64 text key is 44 characters plus a newline; anything much larger is not a key file.
    if (st.size > 256)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `master key file ${path} must hold exactly ${KEY_BYTES} bytes (raw) or their base64, but is ${st.size} bytes`,
      );
    const raw = Buffer.alloc(st.size);
    let read = 0;
    while (read < raw.length) {
      const n = readSync(fd, raw, read, raw.length - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read === KEY_BYTES) return raw;
    const text = raw.subarray(0, read).toString('latin1').trim();
    raw.fill(0);
    if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return parseMasterKey(text, `master key file ${path}`);
    throw new FaceLedgerError(
      'BAD_INPUT',
      `master key file ${path} must hold exactly ${KEY_BYTES} bytes (raw) or their base64, but holds ${read} bytes`,
    );
  } finally {
    closeSync(fd);
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a directory; the file itself is already durable.
  }
}
