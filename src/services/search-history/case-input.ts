/**
 * What ties a search to a case: a case number and a purpose from the installation's list. Checked in
 * the service (not only at the HTTP edge) so the CLI and the server enforce the same rule.
 */
import { FaceLedgerError } from '../../core/errors.js';

/** Offence categories a search may be run for (an installation may configure its own list). */
export const DEFAULT_PURPOSES: readonly string[] = Object.freeze([
  'homicide',
  'missing-person',
  'child-sexual-abuse',
  'human-trafficking',
  'terrorism',
  'kidnapping',
  'sexual-assault',
  'robbery',
  'fraud',
  'victim-identification',
]);

export const CASE_NUMBER_MAX_CHARS = 64;
const PURPOSE = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Letters, marks, digits, punctuation, symbols and spaces: no control, format or private-use characters. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u;

export interface CaseBinding {
  caseNumber: string;
  purpose: string;
}

/** Checks an installation's purpose list once, at start-up. */
export function checkPurposeList(purposes: readonly string[]): readonly string[] {
  if (purposes.length === 0) throw new FaceLedgerError('BAD_INPUT', 'the purpose list is empty');
  for (const p of purposes) {
    if (typeof p !== 'string' || !PURPOSE.test(p))
      throw new FaceLedgerError(
        'BAD_INPUT',
        `purpose "${String(p)}" must be lower-case letters, digits and dashes`,
      );
  }
  return Object.freeze([...new Set(purposes)]);
}

/** The trimmed case number and the purpose, or BAD_INPUT saying what is missing or wrong. */
export function checkCaseBinding(
  input: { caseNumber?: unknown; purpose?: unknown },
  purposes: readonly string[],
): CaseBinding {
  const caseNumber = typeof input.caseNumber === 'string' ? input.caseNumber.trim() : '';
  if (!caseNumber)
    throw new FaceLedgerError('BAD_INPUT', 'a case number is required: every search is tied to a case');
  if ([...caseNumber].length > CASE_NUMBER_MAX_CHARS)
    throw new FaceLedgerError(
      'BAD_INPUT',
      `the case number is longer than ${CASE_NUMBER_MAX_CHARS} characters`,
    );
  if (!PRINTABLE.test(caseNumber))
    throw new FaceLedgerError('BAD_INPUT', 'the case number holds characters that are not printable');
  const purpose = typeof input.purpose === 'string' ? input.purpose.trim() : '';
  if (!purpose)
    throw new FaceLedgerError('BAD_INPUT', `a purpose is required, one of: ${purposes.join(', ')}`);
  if (!purposes.includes(purpose))
    throw new FaceLedgerError('BAD_INPUT', `unknown purpose; use one of: ${purposes.join(', ')}`);
  return { caseNumber, purpose };
}
