/**
 * TOTP (RFC 6238) with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s steps,
 * ±1 step of clock drift. Secrets are 160 random bits, stored sealed (users.totp_secret), never plain.
 * A code is accepted once: the step it matched is remembered and later codes must be newer, so a code
 * seen over someone's shoulder cannot be replayed inside its 90-second window.
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = 'account', issuer = 'FaceLedger'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The `otpauth://totp/...` URI an authenticator app scans (as a QR code) during enrolment. */
export function totpUri(secretBase32: string, label: string, issuer: string): string {
  return totp(secretBase32, label, issuer).toString();
}

/**
 * The time step `code` is valid for (within ±1 step of `nowMs`) and newer than `lastStep`, or null.
 */
export function matchTotp(
  secretBase32: string,
  code: string,
  nowMs: number,
  lastStep: number | null,
): number | null {
  const token = code.replace(/\s/g, '');
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(token)) return null;
  const t = totp(secretBase32);
  const delta = t.validate({ token, timestamp: nowMs, window: WINDOW });
  if (delta === null) return null;
  const step = t.counter({ timestamp: nowMs }) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The current code (tests, and nothing else: servers never generate codes for users). */
export function totpCode(secretBase32: string, nowMs: number): string {
  return totp(secretBase32).generate({ timestamp: nowMs });
}
