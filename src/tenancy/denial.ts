/**
 * How the tenancy room says "no" when it throws. Core has no FORBIDDEN / UNAUTHENTICATED / LOCKED /
 * QUOTA codes yet (see README: requested), so a denial is a FaceLedgerError with code NOT_FOUND — the
 * safe choice until then: a shell maps it to 404 / a not-found exit, which never reveals whether the
 * thing exists in another tenant — and the precise reason rides in `cause`, readable with
 * `denialOf(err)`. When core gains the codes, only `deny` changes.
 *
 * Authentication itself never throws for a wrong password, a locked account or an exhausted quota:
 * those return discriminated-union results (`{ ok: false, reason }`).
 */
import { FaceLedgerError } from '../core/errors.js';

export const DENIAL_REASONS = ['forbidden', 'unauthenticated', 'locked', 'quota'] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

const DENIAL = Symbol.for('faceledger.tenancy.denial');

interface DenialCause {
  readonly [DENIAL]: true;
  readonly reason: DenialReason;
  readonly action: string | null;
}

/** A FaceLedgerError meaning "not permitted"; `action` names the policy action (never a resource). */
export function deny(reason: DenialReason, message: string, action: string | null = null): FaceLedgerError {
  const cause: DenialCause = { [DENIAL]: true, reason, action };
  return new FaceLedgerError('NOT_FOUND', message, { cause });
}

/** The denial carried by `err`, or undefined when `err` is some other error (a real not-found included). */
export function denialOf(err: unknown): { reason: DenialReason; action: string | null } | undefined {
  if (!(err instanceof FaceLedgerError)) return undefined;
  const cause = err.cause as Partial<DenialCause> | undefined;
  if (typeof cause !== 'object' || cause === null || cause[DENIAL] !== true) return undefined;
  return { reason: cause.reason as DenialReason, action: cause.action ?? null };
}

/** NOT_FOUND for a thing the caller's scope does not hold: the same answer whether it exists elsewhere or not. */
export function notFound(what: string): FaceLedgerError {
  return new FaceLedgerError('NOT_FOUND', `${what} not found`);
}
