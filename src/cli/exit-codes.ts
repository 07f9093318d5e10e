import type { ErrorCode } from '../core/errors.js';

/** Stable exit codes: scripts branch on these. 2 = the input was at fault, 3 = the image held no face. */
export const EXIT = {
  ok: 0,
  failure: 1,
  badInput: 2,
  noFace: 3,
  setup: 4,
  denied: 5,
  tryLater: 6,
  tampered: 7,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'NO_FACE':
      return EXIT.noFace;
    case 'BAD_IMAGE':
    case 'UNSUPPORTED_TYPE':
    case 'TOO_LARGE':
    case 'NOT_FOUND':
    case 'BAD_INPUT':
    case 'CONFLICT':
      return EXIT.badInput;
    case 'FORBIDDEN':
    case 'UNAUTHENTICATED':
      return EXIT.denied;
    case 'LOCKED':
    case 'QUOTA':
      return EXIT.tryLater;
    case 'TAMPERED':
      return EXIT.tampered;
    case 'MODEL_MISSING':
    case 'MODEL_CORRUPT':
      return EXIT.setup;
    default:
      return EXIT.failure;
  }
}
