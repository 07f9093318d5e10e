/**
 * One error type for the whole code base. The `code` is the stable contract: shells map it once to
 * exit codes (CLI) and HTTP statuses (server); messages are for people and may change.
 */
export const ERROR_CODES = [
  'NO_FACE',
  'BAD_IMAGE',
  'UNSUPPORTED_TYPE',
  'TOO_LARGE',
  'NOT_FOUND',
  'BAD_INPUT',
  'MODEL_MISSING',
  'MODEL_CORRUPT',
  /** The caller's role or scope does not permit the action. */
  'FORBIDDEN',
  /** No valid session or API key. */
  'UNAUTHENTICATED',
  /** The account is locked out for a while (too many failed attempts). */
  'LOCKED',
  /** A search quota is spent for now. */
  'QUOTA',
  /** The request clashes with what exists (an e-mail already registered, a name taken). */
  'CONFLICT',
  /** A chain or signature check found the stored data altered. */
  'TAMPERED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class FaceLedgerError extends Error {
  readonly code: ErrorCode;
  /** For LOCKED and QUOTA: when trying again makes sense (HTTP Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FaceLedgerError';
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/**
 * NOT_FOUND for a thing outside the caller's view: the same answer whether it exists elsewhere or not,
 * so a refusal never tells one tenant what another holds.
 */
export function notFound(what: string): FaceLedgerError {
  return new FaceLedgerError('NOT_FOUND', `${what} not found`);
}

/** Wraps anything thrown into a FaceLedgerError without losing an existing code. */
export function asFaceLedgerError(err: unknown): FaceLedgerError {
  if (err instanceof FaceLedgerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FaceLedgerError('INTERNAL', message, { cause: err });
}

/** Errors cross worker-thread boundaries as plain objects; this restores the class on the other side. */
export function reviveError(value: unknown): FaceLedgerError {
  if (value && typeof value === 'object' && 'code' in value && 'message' in value) {
    const { code, message } = value as { code: string; message: string };
    if ((ERROR_CODES as readonly string[]).includes(code))
      return new FaceLedgerError(code as ErrorCode, message);
    return new FaceLedgerError('INTERNAL', message);
  }
  return asFaceLedgerError(value);
}
