/**
 * Sealed values: AES-256-GCM under the org's data key, with a random 96-bit nonce and associated data
 * binding the ciphertext to its org, its field and the key version. A value copied into another org's
 * row, another column, or relabelled with another key version fails to open.
 *
 * Text format (for TEXT columns):   `v1.<keyVersion>.<base64url(nonce | ciphertext | tag)>`
 * Binary format (for images/BLOBs): `"FLS" 0x01 | keyVersion (uint32 BE) | nonce | ciphertext | tag`
 * Associated data (both):           `fl-seal|v1|<orgId>|<field>|<keyVersion>`
 *
 * Text plaintexts are padded (0x80 then zeros) to a multiple of 32 bytes before encryption, so a
 * sealed org name or e-mail reveals its length only to the nearest 32 bytes. Images are not padded.
 * One data key version should seal fewer than 2^32 values (random-nonce GCM limit); rotate long before.
 */
import { FaceLedgerError } from '../core/errors.js';
import type { DataKey, KeyPurpose } from './data-keys.js';
import {
  checkField,
  checkScope,
  fromBase64UrlStrict,
  gcmOpen,
  gcmSeal,
  NONCE_BYTES,
  TAG_BYTES,
  utf8,
} from './primitives.js';

/** What sealing needs from the key manager (DataKeyManager satisfies it). */
export interface SealingKeys {
  current(scope: string, purpose?: KeyPurpose): DataKey;
  byVersion(scope: string, version: number, purpose?: KeyPurpose): DataKey;
}

export const PAD_BLOCK = 32;
const TEXT_PREFIX = 'v1.';
const TEXT_FORMAT = /^v1\.([1-9][0-9]{0,9})\.([A-Za-z0-9_-]+)$/;
const BINARY_MAGIC = Buffer.from([0x46, 0x4c, 0x53, 0x01]); // "FLS" + format 1
const BINARY_HEADER = BINARY_MAGIC.length + 4;
const MAX_VERSION = 0xffffffff;

function sealAad(orgId: string, field: string, version: number): Buffer {
  return utf8(`fl-seal|v1|${orgId}|${field}|${version}`);
}

function toBytes(value: Uint8Array | string): Uint8Array {
  if (typeof value === 'string') return utf8(value);
  if (value instanceof Uint8Array) return value;
  throw new FaceLedgerError('BAD_INPUT', 'only strings and byte arrays can be sealed');
}

function pad(plain: Uint8Array): Buffer {
  const out = Buffer.alloc((Math.floor(plain.length / PAD_BLOCK) + 1) * PAD_BLOCK);
  out.set(plain, 0);
  out[plain.length] = 0x80;
  return out;
}

function unpad(padded: Buffer): Buffer | undefined {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  return end >= 0 && padded[end] === 0x80 ? padded.subarray(0, end) : undefined;
}

function authFailure(orgId: string, field: string): FaceLedgerError {
  return new FaceLedgerError(
    'INTERNAL',
    `sealed value failed authentication (org ${orgId}, field ${field}): wrong key, wrong row or column, or tampered`,
  );
}

function malformed(orgId: string, field: string): FaceLedgerError {
  return new FaceLedgerError('INTERNAL', `malformed sealed value (org ${orgId}, field ${field})`);
}

/** Seals a string (as UTF-8) or bytes into the text format, with the org's current data key. */
export function seal(
  keys: SealingKeys,
  orgId: string,
  field: string,
  plaintext: Uint8Array | string,
): string {
  checkScope(orgId);
  checkField(field);
  const padded = pad(toBytes(plaintext));
  const { version, key } = keys.current(orgId);
  const box = gcmSeal(key, padded, sealAad(orgId, field, version));
  padded.fill(0);
  return `${TEXT_PREFIX}${version}.${box.toString('base64url')}`;
}

/** Opens a text-format sealed value; throws FaceLedgerError('INTERNAL') if it does not authenticate. */
export function open(keys: SealingKeys, orgId: string, field: string, sealed: string): Buffer {
  checkScope(orgId);
  checkField(field);
  const match = typeof sealed === 'string' ? TEXT_FORMAT.exec(sealed) : null;
  const version = Number(match?.[1]);
  const box = match?.[2] === undefined ? undefined : fromBase64UrlStrict(match[2]);
  if (!box || version > MAX_VERSION || box.length < NONCE_BYTES + PAD_BLOCK + TAG_BYTES)
    throw malformed(orgId, field);
  const { key } = keys.byVersion(orgId, version);
  const padded = gcmOpen(key, box, sealAad(orgId, field, version));
  if (!padded) throw authFailure(orgId, field);
  const plain = unpad(padded);
  if (!plain) throw malformed(orgId, field);
  return plain;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Opens a sealed value as UTF-8 text. */
export function openText(keys: SealingKeys, orgId: string, field: string, sealed: string): string {
  const bytes = open(keys, orgId, field, sealed);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new FaceLedgerError('INTERNAL', `sealed value (org ${orgId}, field ${field}) is not UTF-8 text`);
  } finally {
    bytes.fill(0);
  }
}

/** Seals bytes (probe images, up to tens of MB) into the binary format. No padding. */
export function sealBytes(keys: SealingKeys, orgId: string, field: string, plaintext: Uint8Array): Buffer {
  checkScope(orgId);
  checkField(field);
  const bytes = toBytes(plaintext);
  const { version, key } = keys.current(orgId);
  const header = Buffer.alloc(BINARY_HEADER);
  BINARY_MAGIC.copy(header, 0);
  header.writeUInt32BE(version, BINARY_MAGIC.length);
  return gcmSeal(key, bytes, sealAad(orgId, field, version), header);
}

/** Opens the binary format. */
export function openBytes(keys: SealingKeys, orgId: string, field: string, sealed: Uint8Array): Buffer {
  checkScope(orgId);
  checkField(field);
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (
    buf.length < BINARY_HEADER + NONCE_BYTES + TAG_BYTES ||
    !buf.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC)
  )
    throw malformed(orgId, field);
  const version = buf.readUInt32BE(BINARY_MAGIC.length);
  if (version < 1) throw malformed(orgId, field);
  const { key } = keys.byVersion(orgId, version);
  const plain = gcmOpen(key, buf.subarray(BINARY_HEADER), sealAad(orgId, field, version));
  if (!plain) throw authFailure(orgId, field);
  return plain;
}

/**
 * The data key version a sealed value (either format) was made with, or undefined if it is not a
 * sealed value: lets a re-encryption job find rows still on an old version after `rotateDataKey`.
 */
export function sealedKeyVersion(sealed: string | Uint8Array): number | undefined {
  if (typeof sealed === 'string') {
    const match = TEXT_FORMAT.exec(sealed);
    return match ? Number(match[1]) : undefined;
  }
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buf.length < BINARY_HEADER || !buf.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC))
    return undefined;
  return buf.readUInt32BE(BINARY_MAGIC.length) || undefined;
}
