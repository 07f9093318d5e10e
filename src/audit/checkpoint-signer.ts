/**
 * Ed25519 signing of audit checkpoints. The private key lives in its own file, outside the database
 * (PKCS#8 PEM, mode 0600, refused if group/other can read it); the public key is written beside it as
 * `<path>.pub` (SPKI PEM) so a verifier needs nothing secret. The key id is the first 16 hex characters
 * of sha256 over the public key's SPKI DER encoding.
 *
 * Pin the key id somewhere the database cannot reach (config, a printed report): whoever can replace
 * the `.pub` next to a tampered database could otherwise make forged checkpoints look genuine.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign as signBytes,
  verify as verifyBytes,
} from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { FaceLedgerError } from '../core/errors.js';
import { sha256Hex } from './canonical.js';

export interface CheckpointSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** base64 Ed25519 signature over the UTF-8 bytes of `payload`. */
  sign(payload: string): string;
}

const SIGNATURE_BYTES = 64;

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

export function publicKeyPath(keyPath: string): string {
  return `${keyPath}.pub`;
}

export class Ed25519CheckpointSigner implements CheckpointSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
      throw new FaceLedgerError('BAD_INPUT', 'the audit checkpoint key must be an Ed25519 private key');
    }
    this.#privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  sign(payload: string): string {
    return signBytes(null, Buffer.from(payload, 'utf8'), this.#privateKey).toString('base64');
  }
}

/** True only for a well-formed signature by `publicKey` over exactly `payload`. */
export function verifyCheckpointSignature(publicKey: KeyObject, payload: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== SIGNATURE_BYTES) return false;
  try {
    return verifyBytes(null, Buffer.from(payload, 'utf8'), publicKey, bytes);
  } catch {
    return false;
  }
}

/**
 * Loads the signing key at `path`, creating it (and `<path>.pub`) on first use. Creation is exclusive,
 * so two processes starting together end up with the same key.
 */
export function loadOrCreateSigningKey(path: string): Ed25519CheckpointSigner {
  try {
    statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw keyFileError(path, err);
    createKeyFile(path);
  }
  return loadSigningKey(path);
}

/** Loads an existing signing key; refuses a key file that group or others can read. */
export function loadSigningKey(path: string): Ed25519CheckpointSigner {
  let pem: string;
  try {
    const stat = statSync(path);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new FaceLedgerError(
        'BAD_INPUT',
        `audit signing key ${path} is readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof FaceLedgerError) throw err;
    throw keyFileError(path, err);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new FaceLedgerError('BAD_INPUT', `audit signing key ${path} is not a PEM private key`, { cause });
  }
  const signer = new Ed25519CheckpointSigner(privateKey);
  writePublicKeyIfMissing(path, signer.publicKey);
  return signer;
}

/** Loads a public key for verification: a `.pub` (SPKI PEM) or, failing that, derives it from a private key file. */
export function loadPublicKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw keyFileError(path, err);
  }
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not Ed25519 but ${key.asymmetricKeyType}`);
    return key;
  } catch (cause) {
    throw new FaceLedgerError('BAD_INPUT', `${path} is not an Ed25519 public key`, { cause });
  }
}

/**
 * Writes the key to a private temporary file, then hard-links it into place: the link either appears
 * complete or fails with EEXIST, so a racing process never reads a half-written key.
 */
function createKeyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, pem);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw keyFileError(path, err);
  } finally {
    rmSync(temp, { force: true });
  }
}

function writePublicKeyIfMissing(path: string, publicKey: KeyObject): void {
  try {
    writeFileSync(publicKeyPath(path), publicKey.export({ type: 'spki', format: 'pem' }) as string, {
      mode: 0o644,
      flag: 'wx',
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw keyFileError(publicKeyPath(path), err);
  }
}

function keyFileError(path: string, cause: unknown): FaceLedgerError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new FaceLedgerError('BAD_INPUT', `cannot use audit key file ${path}: ${reason}`, { cause });
}
