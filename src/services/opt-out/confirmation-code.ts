import { createHash, randomBytes } from 'node:crypto';

/** Crockford base32: no I, L, O or U, so a code read aloud or retyped survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 4;
const GROUP_LENGTH = 5;

/**
 * A confirmation code shown once to the person who opted out: 20 symbols, 100 random bits, in groups
 * of five (`7K2QD-…`). Only its SHA-256 is stored — with 100 bits of entropy no salt or slow hash is
 * needed to make guessing hopeless.
 */
export function newConfirmationCode(): string {
  const bytes = randomBytes(GROUPS * GROUP_LENGTH);
  const symbols = [...bytes].map((b) => ALPHABET[b & 31]);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++)
    groups.push(symbols.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH).join(''));
  return groups.join('-');
}

/** The stored form: case, spaces and dashes do not matter, nor the letters Crockford reads as digits. */
export function confirmationCodeHash(code: string): string {
  const normal = code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return createHash('sha256').update(`faceledger.opt-out.code.v1\n${normal}`).digest('hex');
}
