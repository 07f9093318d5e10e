import { FaceLedgerError } from '../core/errors.js';

/** Commander value parsers: a malformed flag is BAD_INPUT naming the flag, never a silent NaN. */
export function wholeNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new FaceLedgerError('BAD_INPUT', `${flag} takes a whole number, not "${value}".`);
    return n;
  };
}

export function nonNegative(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new FaceLedgerError('BAD_INPUT', `${flag} takes a number ≥ 0, not "${value}".`);
    return n;
  };
}
