/**
 * One mapping from error codes to HTTP answers. Clients get `{ error: { code, message, requestId } }`
 * and never a stack trace; anything unexpected becomes a bare 500 whose details stay in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, FaceLedgerError } from '../core/errors.js';

export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  NO_FACE: 422,
  BAD_IMAGE: 422,
  UNSUPPORTED_TYPE: 415,
  TOO_LARGE: 413,
  NOT_FOUND: 404,
  BAD_INPUT: 400,
  MODEL_MISSING: 503,
  MODEL_CORRUPT: 503,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  LOCKED: 423,
  QUOTA: 429,
  CONFLICT: 409,
  TAMPERED: 500,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

/** Fastify's own client errors (body parsing, content type, size) in our vocabulary. */
function fromFramework(err: FastifyError): FaceLedgerError | undefined {
  const status = err.statusCode ?? 500;
  if (status >= 500) return undefined;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new FaceLedgerError('TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new FaceLedgerError('UNSUPPORTED_TYPE', 'unsupported content type for this route');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new FaceLedgerError('BAD_INPUT', 'the JSON body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new FaceLedgerError('BAD_INPUT', 'the body is not valid JSON');
    default:
      if (status === 429) return new FaceLedgerError('QUOTA', 'too many requests; try again later');
      if (status === 413) return new FaceLedgerError('TOO_LARGE', 'the request body is too large');
      if (status === 415) return new FaceLedgerError('UNSUPPORTED_TYPE', 'unsupported content type');
      if (status === 404) return new FaceLedgerError('NOT_FOUND', 'not found');
      // Other framework 4xx: their messages describe the request, never server internals.
      return new FaceLedgerError('BAD_INPUT', err.message);
  }
}

export function toFaceLedgerError(err: unknown): FaceLedgerError {
  if (err instanceof FaceLedgerError) return err;
  if (err instanceof SyntaxError && 'statusCode' in err)
    return new FaceLedgerError('BAD_INPUT', 'the body is not valid JSON');
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const known = fromFramework(err as FastifyError);
    if (known) return known;
  }
  return new FaceLedgerError('INTERNAL', 'internal error', { cause: err });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const known = toFaceLedgerError(err);
  const status = STATUS_OF[known.code];
  if (status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ code: known.code }, 'request refused');
  if (known.retryAfterSeconds !== undefined)
    void reply.header('retry-after', String(Math.max(1, Math.ceil(known.retryAfterSeconds))));
  const message = status >= 500 && known.code === 'INTERNAL' ? 'internal error' : known.message;
  const body: ErrorBody = { error: { code: known.code, message, requestId: request.id } };
  return reply.code(status).type('application/json').send(body);
}
