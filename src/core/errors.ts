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
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class FaceLedgerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaceLedgerError';
    this.code = code;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
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
