/**
 * The few building blocks every file in this room shares: AES-256-GCM boxes, strict base64, and the
 * validation of the names (scopes, fields) that go into associated data. Nothing here knows about
 * orgs, databases or key files.
 */
import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';
import { FaceLedgerError } from '../core/errors.js';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/**
 * Encrypts with AES-256-GCM under a fresh random 96-bit nonce and returns `nonce | ciphertext | tag`.
 * `prefix` (if given) is written in front of the box in the same buffer, saving a copy for large images.
 */
export function gcmSeal(key: KeyObject, plaintext: Uint8Array, aad: Uint8Array, prefix?: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  return Buffer.concat(prefix ? [prefix, nonce, body, tail, tag] : [nonce, body, tail, tag]);
}

/** Opens a `nonce | ciphertext | tag` box; undefined when the key, the AAD or any byte is wrong. */
export function gcmOpen(key: KeyObject, box: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (box.length < NONCE_BYTES + TAG_BYTES) return undefined;
  const nonce = box.subarray(0, NONCE_BYTES);
  const tag = box.subarray(box.length - TAG_BYTES);
  const body = box.subarray(NONCE_BYTES, box.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plain = decipher.update(body);
  try {
    const tail = decipher.final();
    return tail.length === 0 ? plain : Buffer.concat([plain, tail]);
  } catch {
    plain.fill(0);
    return undefined;
  }
}

/** Decodes base64url without padding, refusing anything that would not re-encode to the same text. */
export function fromBase64UrlStrict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** Decodes standard base64 (padding optional) or base64url, strictly: no stray characters, no slack bits. */
export function fromBase64Strict(text: string): Buffer | undefined {
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    const canonical = bytes.toString('base64');
    return canonical === text || canonical.replace(/=+$/, '') === text ? bytes : undefined;
  }
  return fromBase64UrlStrict(text);
}

const SCOPE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const FIELD = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/**
 * A key scope is an org id (UUIDv7), or one of the reserved words `platform` / `global`. Scopes and
 * fields go into associated data joined by `|`, so they are restricted to characters that cannot
 * forge a separator.
 */
export function checkScope(scope: string): string {
  if (typeof scope !== 'string' || !SCOPE.test(scope))
    throw new FaceLedgerError('BAD_INPUT', 'key scope must be an org id or a reserved scope name');
  return scope;
}

/** A field names a column, e.g. `orgs.name` or `searches.case_number`. */
export function checkField(field: string): string {
  if (typeof field !== 'string' || field.length > 64 || !FIELD.test(field))
    throw new FaceLedgerError(
      'BAD_INPUT',
      `field name ${JSON.stringify(String(field).slice(0, 64))} must look like "table.column"`,
    );
  return field;
}

export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
