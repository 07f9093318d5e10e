/**
 * The audit tables, their append-only triggers, and the mapping between rows and entries.
 *
 * `audit_entries.seq` is the global chain position (INTEGER PRIMARY KEY, assigned by AuditLog, never
 * AUTOINCREMENT-style reuse) and `(org_id, org_seq)` the org chain position. The triggers stop app code
 * from changing or deleting entries by mistake; they do not stop someone holding the file (they can
 * drop triggers) — the hash chains and signed checkpoints are what catch that.
 *
 * `audit_checkpoints` holds Ed25519-signed statements "the chain from base (base_seq, base_hash,
 * base_org_heads) reaches head (seq, head_hash, org_heads)". The base is the anchor left by the last
 * retention purge (seq 0 / genesis before any purge), so verification restarts there.
 */
import { z } from 'zod';
import type { AuditEntry, AuditEventType } from './audit-event.js';
import { canonicalJson, GENESIS_HASH, SHA256_HEX } from './canonical.js';

export const AUDIT_ENTRIES_NO_UPDATE_TRIGGER = `
  CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
  BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: entries cannot be changed'); END;`;

export const AUDIT_ENTRIES_NO_DELETE_TRIGGER = `
  CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
  BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: only the audit retention purge removes entries'); END;`;

export const AUDIT_MIGRATION = {
  version: 2,
  name: 'audit log',
  sql: `
    CREATE TABLE audit_entries (
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      id TEXT NOT NULL UNIQUE,
      org_id TEXT,
      org_seq INTEGER,
      actor TEXT NOT NULL,
      at TEXT NOT NULL,
      type TEXT NOT NULL,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      org_prev_hash TEXT,
      hash TEXT NOT NULL,
      CHECK ((org_id IS NULL AND org_seq IS NULL AND org_prev_hash IS NULL)
          OR (org_id IS NOT NULL AND org_seq > 0 AND org_prev_hash IS NOT NULL))
    );
    CREATE UNIQUE INDEX audit_entries_org ON audit_entries(org_id, org_seq);
    CREATE INDEX audit_entries_at ON audit_entries(at);
    CREATE INDEX audit_entries_type ON audit_entries(type, seq);
    CREATE INDEX audit_entries_actor ON audit_entries(actor, seq);
    ${AUDIT_ENTRIES_NO_UPDATE_TRIGGER}
    ${AUDIT_ENTRIES_NO_DELETE_TRIGGER}

    CREATE TABLE audit_checkpoints (
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      at TEXT NOT NULL,
      head_hash TEXT NOT NULL,
      org_heads TEXT NOT NULL,
      base_seq INTEGER NOT NULL CHECK (base_seq >= 0),
      base_hash TEXT NOT NULL,
      base_org_heads TEXT NOT NULL,
      key_id TEXT NOT NULL,
      signature TEXT NOT NULL
    );
    CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
    CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
  `,
} as const;

/** A row of audit_entries as better-sqlite3 returns it. */
export interface AuditEntryRow {
  seq: number;
  id: string;
  org_id: string | null;
  org_seq: number | null;
  actor: string;
  at: string;
  type: string;
  details: string;
  prev_hash: string;
  org_prev_hash: string | null;
  hash: string;
}

export const ENTRY_COLUMNS =
  'seq, id, org_id, org_seq, actor, at, type, details, prev_hash, org_prev_hash, hash';

export function rowToEntry(row: AuditEntryRow): AuditEntry {
  return {
    id: row.id,
    seq: row.seq,
    orgId: row.org_id,
    orgSeq: row.org_seq,
    actor: row.actor,
    at: row.at,
    // Not validated here: verify must see (and hash) whatever is stored, even a forged type.
    type: row.type as AuditEventType,
    details: row.details,
    prevHash: row.prev_hash,
    orgPrevHash: row.org_prev_hash,
    hash: row.hash,
  };
}

/** The last entry of one org chain: where the next org entry links to. */
export interface OrgHead {
  orgSeq: number;
  hash: string;
}

/** Where a chain starts: genesis (seq 0) or the last entry a retention purge removed. */
export interface ChainBase {
  seq: number;
  hash: string;
  orgHeads: ReadonlyMap<string, OrgHead>;
}

export const GENESIS_BASE: ChainBase = { seq: 0, hash: GENESIS_HASH, orgHeads: new Map() };

/** A signed checkpoint, as stored (org-head maps as their canonical JSON text, which is what is signed). */
export interface CheckpointRecord {
  seq: number;
  at: string;
  headHash: string;
  orgHeads: string;
  baseSeq: number;
  baseHash: string;
  baseOrgHeads: string;
  keyId: string;
  /** base64 Ed25519 signature over canonical.checkpointSigningInput(this). */
  signature: string;
}

export interface CheckpointRow {
  seq: number;
  at: string;
  head_hash: string;
  org_heads: string;
  base_seq: number;
  base_hash: string;
  base_org_heads: string;
  key_id: string;
  signature: string;
}

export function rowToCheckpoint(row: CheckpointRow): CheckpointRecord {
  return {
    seq: row.seq,
    at: row.at,
    headHash: row.head_hash,
    orgHeads: row.org_heads,
    baseSeq: row.base_seq,
    baseHash: row.base_hash,
    baseOrgHeads: row.base_org_heads,
    keyId: row.key_id,
    signature: row.signature,
  };
}

export const checkpointRecordSchema = z.strictObject({
  seq: z.int().min(1),
  at: z.string().min(1),
  headHash: z.string().regex(SHA256_HEX),
  orgHeads: z.string(),
  baseSeq: z.int().min(0),
  baseHash: z.string().regex(SHA256_HEX),
  baseOrgHeads: z.string(),
  keyId: z.string().min(1),
  signature: z.string().min(1),
});

const orgHeadsSchema = z.record(z.string(), z.tuple([z.int().min(1), z.string().regex(SHA256_HEX)]));

/** Org heads travel as canonical JSON `{"<orgId>":[orgSeq,"<hash>"],…}`. */
export function formatOrgHeads(heads: ReadonlyMap<string, OrgHead>): string {
  const out: Record<string, [number, string]> = {};
  for (const [orgId, head] of heads) out[orgId] = [head.orgSeq, head.hash];
  return canonicalJson(out);
}

/** Parses stored org heads; undefined when the text is not a well-formed org-head map. */
export function parseOrgHeads(text: string): Map<string, OrgHead> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = orgHeadsSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  return new Map(Object.entries(parsed.data).map(([orgId, [orgSeq, hash]]) => [orgId, { orgSeq, hash }]));
}

/** The base a checkpoint records; undefined when its stored org heads are malformed. */
export function checkpointBase(checkpoint: CheckpointRecord): ChainBase | undefined {
  const orgHeads = parseOrgHeads(checkpoint.baseOrgHeads);
  return orgHeads && { seq: checkpoint.baseSeq, hash: checkpoint.baseHash, orgHeads };
}
