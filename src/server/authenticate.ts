/**
 * Who is calling: a session cookie (browsers), or `Authorization: Bearer` with a session token or an
 * API key (machine clients). Re-checked on every request, so a disabled user, revoked key or ended
 * session stops at the next call. Cookie sessions must echo a CSRF token on unsafe methods: SameSite=
 * Strict already stops cross-site posts in modern browsers; the token also covers older ones and
 * same-site subdomains.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { FaceLedgerError } from '../core/errors.js';
import type { Caller, Tenancy } from '../tenancy/index.js';

export const SESSION_COOKIE = 'fl_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Derived from the session token, so it needs no storage and dies with the session. */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`faceledger.csrf.v1|${sessionToken}`).digest('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SESSION_REASONS: Readonly<Record<string, string>> = {
  invalid: 'not signed in',
  expired: 'your session has expired; sign in again',
  idle: 'your session ended after 30 minutes without activity; sign in again',
  revoked: 'your session was ended; sign in again',
  disabled: 'this account is disabled',
};

const KEY_REASONS: Readonly<Record<string, string>> = {
  invalid: 'invalid API key',
  expired: 'this API key has expired',
  revoked: 'this API key was revoked',
  disabled: 'this API key’s organisation is suspended',
};

/** The credential a request carries: a bearer token (session or API key), else the session cookie. */
export function credentialOf(
  request: FastifyRequest,
): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      throw new FaceLedgerError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    return { token: match[1], via: 'bearer' };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/** The caller, or null when the request carries no credentials at all; throws on bad credentials. */
export function authenticate(request: FastifyRequest, tenancy: Tenancy): Caller | null {
  const credential = credentialOf(request);
  if (!credential) return null;
  const { token, via } = credential;
  if (via === 'bearer' && token.startsWith('flk_')) {
    const check = tenancy.auth.authenticateApiKey(token, { ip: request.ip });
    if (!check.ok)
      throw new FaceLedgerError('UNAUTHENTICATED', KEY_REASONS[check.reason] ?? 'invalid API key');
    return check.caller;
  }
  const check = tenancy.auth.authenticateSession(token);
  if (!check.ok)
    throw new FaceLedgerError('UNAUTHENTICATED', SESSION_REASONS[check.reason] ?? 'not signed in', {
      cause: { reason: check.reason },
    });
  if (via === 'cookie' && !SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, csrfTokenFor(token)))
      throw new FaceLedgerError('FORBIDDEN', 'missing or wrong CSRF token (send the X-CSRF-Token header)');
  }
  return check.caller;
}
