/**
 * How the tenancy room says "no" when it throws: a FaceLedgerError whose code names the reason
 * (FORBIDDEN, UNAUTHENTICATED, LOCKED, QUOTA), with the reason and policy action also in `cause`,
 * readable with `denialOf(err)`. Things outside the caller's scope are NOT_FOUND (`notFound`), never
 * FORBIDDEN, so an answer never reveals whether something exists in another tenant.
 *
 * Authentication itself never throws for a wrong password, a locked account or an exhausted quota:
 * those return discriminated-union results (`{ ok: false, reason }`).
 */
import { type ErrorCode, FaceLedgerError } from '../core/errors.js';

export const DENIAL_REASONS = ['forbidden', 'unauthenticated', 'locked', 'quota'] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

const CODE_OF: Readonly<Record<DenialReason, ErrorCode>> = {
  forbidden: 'FORBIDDEN',
  unauthenticated: 'UNAUTHENTICATED',
  locked: 'LOCKED',
  quota: 'QUOTA',
};

const DENIAL = Symbol.for('faceledger.tenancy.denial');

interface DenialCause {
  readonly [DENIAL]: true;
  readonly reason: DenialReason;
  readonly action: string | null;
}

/** A FaceLedgerError meaning "not permitted"; `action` names the policy action (never a resource). */
export function deny(reason: DenialReason, message: string, action: string | null = null): FaceLedgerError {
  const cause: DenialCause = { [DENIAL]: true, reason, action };
  return new FaceLedgerError(CODE_OF[reason], message, { cause });
}

/** The denial carried by `err`, or undefined when `err` is some other error (a real not-found included). */
export function denialOf(err: unknown): { reason: DenialReason; action: string | null } | undefined {
  if (!(err instanceof FaceLedgerError)) return undefined;
  const cause = err.cause as Partial<DenialCause> | undefined;
  if (typeof cause !== 'object' || cause === null || cause[DENIAL] !== true) return undefined;
  return { reason: cause.reason as DenialReason, action: cause.action ?? null };
}

export { notFound } from '../core/errors.js';
