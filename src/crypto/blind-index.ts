/**
 * Blind indexes: deterministic keyed fingerprints of a normalised value, stored beside the sealed
 * value so repositories can find rows by equality (login by e-mail, "searches under case 2024/17")
 * without the plaintext in the database.
 *
 *   index = "b1." + base64url(HMAC-SHA256(fieldKey, normalise(field, value)))
 *   fieldKey = HKDF-SHA256(ikm = scope's index key, salt = "fl-bidx", info = "fl-bidx|v1|<scope>|<field>")
 *
 * The scope's index key is a random data key (purpose `index`) wrapped by the master key, so indexes
 * are separate per org and per field (the same e-mail in two orgs or two columns gives unrelated
 * values), and they survive master key rotation unchanged.
 *
 * Trade-offs, on purpose:
 * - Equality only: no prefix, range, fuzzy or LIKE queries.
 * - Deterministic: whoever reads the table sees which rows share a value (how often a case number
 *   recurs), though not the value. Index only what must be looked up.
 * - Without the key a low-entropy value (a case number) cannot be brute-forced from its index; with
 *   the master key it can, so the key matters as much as for sealed values.
 * - `global` scope: for lookups before the org is known (login by e-mail). It links one person's
 *   accounts across orgs by design; use org scopes everywhere else.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { FaceLedgerError } from '../core/errors.js';
import type { DataKey, KeyPurpose } from './data-keys.js';
import { checkField, checkScope, utf8 } from './primitives.js';

/** Scope for indexes that must work before an org is known, e.g. login by e-mail. */
export const GLOBAL_SCOPE = 'global';

/**
 * How a value is normalised before indexing (always Unicode NFKC first, so look-alike compatibility
 * forms such as full-width letters match their plain forms):
 * - `email`: trimmed, lower-cased. No provider-specific rewriting (dots, +tags) - not all providers
 *   treat those as the same mailbox.
 * - `name`: trimmed, runs of whitespace collapsed to one space, lower-cased ("ACME  Police " = "acme police").
 * - `identifier` (case numbers, badge numbers): all whitespace removed, upper-cased; punctuation kept,
 *   because "12-3" and "1-23" are different numbers.
 * - `exact`: no change beyond NFKC.
 */
export type Normalisation = 'email' | 'name' | 'identifier' | 'exact';

/** The normalisation per field; fields not listed use `exact`. Add a field here before indexing it. */
export const BLIND_INDEX_FIELDS: Readonly<Record<string, Normalisation>> = Object.freeze({
  'users.email': 'email',
  'users.name': 'name',
  'orgs.name': 'name',
  'orgs.contact_email': 'email',
  'searches.case_number': 'identifier',
});

export function normalise(kind: Normalisation, value: string): string {
  const v = value.normalize('NFKC');
  switch (kind) {
    case 'email':
      return v.trim().toLowerCase();
    case 'name':
      return v.trim().replace(/\s+/gu, ' ').toLowerCase();
    case 'identifier':
      return v.replace(/\s+/gu, '').toUpperCase();
    case 'exact':
      return v;
    default:
      throw new FaceLedgerError('BAD_INPUT', `unknown normalisation ${String(kind)}`);
  }
}

export function normalisationFor(
  field: string,
  fields: Readonly<Record<string, Normalisation>> = BLIND_INDEX_FIELDS,
): Normalisation {
  return Object.hasOwn(fields, field) ? (fields[field] as Normalisation) : 'exact';
}

/** What indexing needs from the key manager (DataKeyManager satisfies it). */
export interface IndexKeys {
  current(scope: string, purpose?: KeyPurpose): DataKey;
}

/** The blind index of `value` in `field` under `scope` (an org id or GLOBAL_SCOPE). */
export function blindIndex(
  keys: IndexKeys,
  scope: string,
  field: string,
  value: string,
  normalisation: Normalisation = normalisationFor(field),
): string {
  checkScope(scope);
  checkField(field);
  if (typeof value !== 'string') throw new FaceLedgerError('BAD_INPUT', `${field}: only text can be indexed`);
  const normalised = normalise(normalisation, value);
  if (normalised === '') throw new FaceLedgerError('BAD_INPUT', `${field}: cannot index an empty value`);
  const { key } = keys.current(scope, 'index');
  const fieldKey = Buffer.from(hkdfSync('sha256', key, utf8('fl-bidx'), `fl-bidx|v1|${scope}|${field}`, 32));
  const mac = createHmac('sha256', fieldKey).update(normalised, 'utf8').digest('base64url');
  fieldKey.fill(0);
  return `b1.${mac}`;
}
