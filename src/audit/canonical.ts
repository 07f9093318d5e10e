/**
 * The one deterministic serialisation the audit chain is hashed and signed over. Anyone holding an
 * export (JSONL) or the SQLite file can recompute every hash from this file alone — no keys needed.
 *
 * Entry hash      = sha256_hex( "faceledger.audit.entry.v1\n" + canonicalJson(ten named fields) )
 * Checkpoint sig  = Ed25519( "faceledger.audit.checkpoint.v1\n" + canonicalJson(nine named fields) )
 * canonicalJson   = JSON with object keys sorted (UTF-16 code-unit order), no whitespace, strings
 *                   escaped as JSON.stringify does, finite numbers only, no undefined, plain objects only.
 *
 * `details` enters the entry hash as the exact string stored in the row (plaintext canonical JSON, or
 * whatever a sealer produced), so verifying never needs the keys that open sealed details.
 * Changing anything here is a new version prefix, never an edit: old entries must keep verifying.
 */
import { createHash } from 'node:crypto';
import { FaceLedgerError } from '../core/errors.js';

export const ENTRY_HASH_PREFIX = 'faceledger.audit.entry.v1\n';
export const CHECKPOINT_SIGNING_PREFIX = 'faceledger.audit.checkpoint.v1\n';

/** The "previous hash" of the first entry of a chain (global or per org) that has no anchor. */
export const GENESIS_HASH = '0'.repeat(64);

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Deterministic JSON: sorted keys, no whitespace. Refuses what JSON cannot say exactly (undefined in
 * arrays, NaN/Infinity, bigint, functions, class instances such as Date or Buffer); object properties
 * whose value is undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw notCanonical(path, 'a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        const items = Array.from(value as unknown[], (item, i) => {
          if (item === undefined) throw notCanonical(`${path}[${i}]`, 'undefined');
          return write(item, `${path}[${i}]`);
        });
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw notCanonical(path, 'a class instance');
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${write(item, `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw notCanonical(path, typeof value);
  }
}

function notCanonical(path: string, what: string): FaceLedgerError {
  return new FaceLedgerError('BAD_INPUT', `cannot serialise ${what} at ${path} canonically`);
}

/** Exactly the fields an entry's hash covers; `hash` itself is the output. */
export interface HashedEntryFields {
  seq: number;
  id: string;
  orgId: string | null;
  orgSeq: number | null;
  actor: string;
  at: string;
  type: string;
  details: string;
  prevHash: string;
  orgPrevHash: string | null;
}

export const HASHED_ENTRY_FIELDS = [
  'actor',
  'at',
  'details',
  'id',
  'orgId',
  'orgPrevHash',
  'orgSeq',
  'prevHash',
  'seq',
  'type',
] as const satisfies readonly (keyof HashedEntryFields)[];

/**
 * The exact text an entry's hash is taken over: canonicalJson of the named fields only (extra
 * properties are ignored). Written out directly — the field list is fixed and already sorted — because
 * verification runs this once per stored entry; a test holds it equal to the generic canonicalJson.
 */
export function entryHashInput(entry: HashedEntryFields): string {
  return (
    `${ENTRY_HASH_PREFIX}{"actor":${text(entry.actor, 'actor')},"at":${text(entry.at, 'at')}` +
    `,"details":${text(entry.details, 'details')},"id":${text(entry.id, 'id')}` +
    `,"orgId":${entry.orgId === null ? 'null' : text(entry.orgId, 'orgId')}` +
    `,"orgPrevHash":${entry.orgPrevHash === null ? 'null' : text(entry.orgPrevHash, 'orgPrevHash')}` +
    `,"orgSeq":${entry.orgSeq === null ? 'null' : integer(entry.orgSeq, 'orgSeq')}` +
    `,"prevHash":${text(entry.prevHash, 'prevHash')},"seq":${integer(entry.seq, 'seq')},"type":${text(entry.type, 'type')}}`
  );
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string')
    throw new FaceLedgerError('BAD_INPUT', `entry field ${field} must be a string`);
  return JSON.stringify(value);
}

function integer(value: unknown, field: string): string {
  if (!Number.isSafeInteger(value))
    throw new FaceLedgerError('BAD_INPUT', `entry field ${field} must be an integer`);
  return String(value);
}

export function computeEntryHash(entry: HashedEntryFields): string {
  return sha256Hex(entryHashInput(entry));
}

/** Exactly the fields a checkpoint's signature covers; the two org-head maps enter as their stored text. */
export interface SignedCheckpointFields {
  seq: number;
  at: string;
  headHash: string;
  orgHeads: string;
  baseSeq: number;
  baseHash: string;
  baseOrgHeads: string;
  keyId: string;
}

export const SIGNED_CHECKPOINT_FIELDS = [
  'at',
  'baseHash',
  'baseOrgHeads',
  'baseSeq',
  'headHash',
  'keyId',
  'orgHeads',
  'seq',
] as const satisfies readonly (keyof SignedCheckpointFields)[];

/** The exact text a checkpoint's Ed25519 signature is made over. */
export function checkpointSigningInput(checkpoint: SignedCheckpointFields): string {
  return CHECKPOINT_SIGNING_PREFIX + canonicalJson(pick(checkpoint, SIGNED_CHECKPOINT_FIELDS, 'checkpoint'));
}

function pick<T extends object>(source: T, fields: readonly (keyof T & string)[], what: string) {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = source[field];
    if (value === undefined) throw new FaceLedgerError('BAD_INPUT', `${what} field ${field} is missing`);
    out[field] = value;
  }
  return out;
}
