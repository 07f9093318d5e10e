/**
 * High-entropy secrets handed to people or machines, and how they are stored: only their SHA-256.
 * (A fast hash is right here: these are 256-bit random values, not passwords, so there is nothing to
 * brute-force. Passwords use argon2id, see passwords.ts.)
 *
 * - session tokens   `fls_<43 base64url>`           (32 random bytes)
 * - setup tokens     `flsetup_<43 base64url>`       (one-time, to set a first / reset password)
 * - login challenges `flc_<43 base64url>`           (between password and second factor)
 * - API keys         `flk_<key id (UUIDv7)>_<43 base64url>`: the id finds the row, the hash of the
 *                    whole token is compared in constant time
 * - recovery codes   `XXXX-XXXX-XXXX-XXXX`          (16 Crockford base32 characters = 80 bits)
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = {
  session: 'fls',
  setup: 'flsetup',
  challenge: 'flc',
  apiKey: 'flk',
} as const;

const SECRET_BYTES = 32;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `<prefix>_<base64url of 32 random bytes>`. */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** The stored form of a token: lowercase hex SHA-256 of the whole token. */
export function tokenHash(token: string): string {
  return sha256Hex(token);
}

/** Constant-time comparison of two lowercase hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

const TOKEN_SHAPE = /^[a-z]{2,10}_[A-Za-z0-9_-]{43}$/;

/** Cheap shape check before any database work; anything else is not a token of ours. */
export function looksLikeToken(value: unknown, prefix: string): value is string {
  return typeof value === 'string' && value.startsWith(`${prefix}_`) && TOKEN_SHAPE.test(value);
}

const API_KEY_SHAPE =
  /^flk_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function newApiKeyToken(keyId: string): string {
  return `${TOKEN_PREFIX.apiKey}_${keyId}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** The key id inside an API key token, or undefined when the text is not shaped like one. */
export function apiKeyIdOf(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  return API_KEY_SHAPE.exec(token)?.[1];
}

// Crockford base32: no I, L, O, U, so codes read aloud or copied by hand survive.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `count` recovery codes like `7K2M-QX9D-4RTB-HN3C` (80 random bits each). */
export function newRecoveryCodes(count: number): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(16);
    let text = '';
    for (let i = 0; i < 16; i++) text += CROCKFORD[(bytes[i] ?? 0) & 31];
    return text.match(/.{4}/g)?.join('-') ?? text;
  });
}

/** Upper-cases, drops separators and maps look-alikes (I/L → 1, O → 0); undefined when not a code. */
export function normaliseRecoveryCode(input: string): string | undefined {
  const text = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (text.length !== 16) return undefined;
  for (const ch of text) if (!CROCKFORD.includes(ch)) return undefined;
  return text;
}

/** Stored form of a recovery code (its normalised text, hashed). */
export function recoveryCodeHash(normalised: string): string {
  return sha256Hex(`faceledger.recovery.v1\n${normalised}`);
}
