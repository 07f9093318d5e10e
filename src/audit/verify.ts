/**
 * Verification of the audit chains, streaming (one row in memory at a time, plus one head per org and
 * the checkpoint list). Needs the public key(s) only — never the signing key, never sealing keys.
 *
 * Order of work:
 * 1. Checkpoints (database rows plus the optional witness copy) are checked against their Ed25519
 *    signatures. Bad ones are reported ('bad-signature') and not trusted. The newest trusted one gives
 *    the base (anchor left by the last retention purge) the walk starts from.
 * 2. The walk reads entries in seq order (global) or org_seq order (one org) and stops at the first
 *    entry that breaks a rule: seq gap-free from the base, hash recomputes, links to its predecessor in
 *    both chains, and equals the head hash every trusted checkpoint signed for that position.
 * 3. Only then (the connection is free again) the failure is diagnosed with a few extra look-ups:
 *    - gap in seq                                   → 'deleted' (names the first missing seq)
 *    - hash mismatch, content hashes at another seq → 'reordered' (its predecessor still exists) or
 *                                                    'deleted'/'inserted' (rows were renumbered to hide it)
 *    - hash mismatch otherwise                      → 'modified'
 *    - hash fine, link wrong: predecessor hash exists elsewhere → 'reordered'; other entries still link
 *      to the missing hash → the predecessor was 'modified' and re-hashed; else → 'inserted' (forged)
 *    - chain consistent but differs from a signed head → 'rewritten'; ends before one → 'truncated'
 * A wholly rewritten tail after the newest checkpoint is undetectable by any hash chain: checkpoint often.
 */
import type { KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  type AuditEntryRow,
  type ChainBase,
  type CheckpointRecord,
  type CheckpointRow,
  checkpointBase,
  ENTRY_COLUMNS,
  GENESIS_BASE,
  type OrgHead,
  parseOrgHeads,
  rowToCheckpoint,
  rowToEntry,
} from './audit-schema.js';
import { checkpointSigningInput, computeEntryHash, GENESIS_HASH } from './canonical.js';
import { keyIdOf, verifyCheckpointSignature } from './checkpoint-signer.js';

type Db = Database.Database;

export const VERIFY_FAILURE_REASONS = [
  'modified',
  'deleted',
  'inserted',
  'reordered',
  'truncated',
  'rewritten',
  'bad-signature',
] as const;
export type VerifyFailureReason = (typeof VERIFY_FAILURE_REASONS)[number];

export interface VerifyFailure {
  reason: VerifyFailureReason;
  /**
   * Global position of the bad entry; for a missing one, where it should have been. Null only when
   * unknown (an org entry missing in an org-only check).
   */
  seq: number | null;
  /** The entry now stored at `seq`, when there is one. */
  id: string | null;
  orgId: string | null;
  orgSeq: number | null;
  /** For people; names positions, never details. */
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  scope: 'global' | 'org';
  orgId: string | null;
  /** Entries that passed every check before the first failure (all of them when ok). */
  checked: number;
  /** Where the walk started: the anchor of the last purge, or genesis (seq 0). */
  base: { seq: number; orgSeq: number | null; hash: string };
  /** Last entry that passed, or null when none did. */
  head: { seq: number; orgSeq: number | null; hash: string } | null;
  checkpoints: {
    total: number;
    trusted: number;
    /** Seq of the newest trusted checkpoint. */
    latestSeq: number | null;
    /** False when no public key was given: checkpoints were then taken on trust. */
    signaturesChecked: boolean;
  };
  firstBad?: VerifyFailure;
}

export interface VerifyOptions {
  /** Verify one org's chain only (org_seq order) instead of the global chain plus every org chain. */
  orgId?: string;
  /** Keys whose checkpoint signatures are accepted (current and rotated-out ones). */
  publicKeys?: readonly KeyObject[];
  /** The latest checkpoint as kept outside the database (see checkpoint-witness.ts). */
  witness?: CheckpointRecord | null;
}

interface TrustedCheckpoint {
  record: CheckpointRecord;
  base: ChainBase;
  orgHeads: Map<string, OrgHead>;
}

/** A signed claim "the entry at this position has this hash". */
interface Claim {
  position: number;
  hash: string;
  checkpointSeq: number;
}

type Problem =
  | { kind: 'gap'; expected: number; row: AuditEntryRow }
  | { kind: 'org-gap'; expectedOrgSeq: number; row: AuditEntryRow }
  | { kind: 'self'; row: AuditEntryRow }
  | { kind: 'link'; row: AuditEntryRow }
  | { kind: 'org-link'; row: AuditEntryRow; orgPrevSeq: number | null }
  | { kind: 'org-order'; row: AuditEntryRow; orgPrevSeq: number }
  | { kind: 'claim'; row: AuditEntryRow; claim: Claim; sinceSeq: number }
  | { kind: 'truncated'; lastSeq: number; lastOrgSeq: number | null; claim: Claim };

interface Walk {
  checked: number;
  head: { seq: number; orgSeq: number | null; hash: string } | null;
  problem?: Problem;
}

/** How far from its stored seq a renumbered entry is looked for, on failure only. */
const RENUMBER_WINDOW = 32;

export function verifyAuditChain(db: Db, options: VerifyOptions = {}): VerifyReport {
  const keys = new Map((options.publicKeys ?? []).map((key) => [keyIdOf(key), key]));
  const signaturesChecked = keys.size > 0;
  const { trusted, total, badSignature } = loadCheckpoints(db, options.witness ?? null, keys);
  const latest = trusted[trusted.length - 1];
  const base = latest?.base ?? GENESIS_BASE;
  const orgId = options.orgId ?? null;

  const walk = orgId === null ? walkGlobal(db, base, trusted) : walkOrg(db, orgId, base, trusted);
  const chainFailure = walk.problem && diagnose(db, walk.problem, base, orgId);
  const sigFailure = badSignature && signatureFailure(db, badSignature, keys);
  const firstBad = earliest(chainFailure, sigFailure);

  const orgBase = orgId === null ? null : (base.orgHeads.get(orgId) ?? { orgSeq: 0, hash: GENESIS_HASH });
  const report: VerifyReport = {
    ok: firstBad === undefined,
    scope: orgId === null ? 'global' : 'org',
    orgId,
    checked: walk.checked,
    base:
      orgBase === null
        ? { seq: base.seq, orgSeq: null, hash: base.hash }
        : { seq: base.seq, orgSeq: orgBase.orgSeq, hash: orgBase.hash },
    head: walk.head,
    checkpoints: { total, trusted: trusted.length, latestSeq: latest?.record.seq ?? null, signaturesChecked },
  };
  if (firstBad) report.firstBad = firstBad;
  return report;
}

function loadCheckpoints(
  db: Db,
  witness: CheckpointRecord | null,
  keys: ReadonlyMap<string, KeyObject>,
): { trusted: TrustedCheckpoint[]; total: number; badSignature?: CheckpointRecord } {
  const records = (db.prepare('SELECT * FROM audit_checkpoints ORDER BY seq').all() as CheckpointRow[]).map(
    rowToCheckpoint,
  );
  if (witness && !records.some((r) => r.seq === witness.seq && r.signature === witness.signature)) {
    records.push(witness);
    records.sort((a, b) => a.seq - b.seq);
  }
  const trusted: TrustedCheckpoint[] = [];
  let badSignature: CheckpointRecord | undefined;
  for (const record of records) {
    const base = checkpointBase(record);
    const orgHeads = parseOrgHeads(record.orgHeads);
    const signed = keys.size === 0 || signatureValid(record, keys);
    if (base && orgHeads && signed) trusted.push({ record, base, orgHeads });
    else badSignature ??= record;
  }
  return { trusted, total: records.length, badSignature };
}

function signatureValid(record: CheckpointRecord, keys: ReadonlyMap<string, KeyObject>): boolean {
  const key = keys.get(record.keyId);
  return (
    key !== undefined && verifyCheckpointSignature(key, checkpointSigningInput(record), record.signature)
  );
}

/** The global chain, and every org chain alongside it (one head per org in memory). */
function walkGlobal(db: Db, base: ChainBase, trusted: readonly TrustedCheckpoint[]): Walk {
  const claims = trusted
    .filter((t) => t.record.seq > base.seq)
    .map((t) => ({ position: t.record.seq, hash: t.record.headHash, checkpointSeq: t.record.seq }));
  const orgs = new Map<string, OrgHead & { seq: number | null }>();
  for (const [orgId, head] of base.orgHeads) orgs.set(orgId, { ...head, seq: null });

  let expected = base.seq + 1;
  let prevHash = base.hash;
  let claimIndex = 0;
  let lastMatchedClaim = base.seq;
  const walk: Walk = { checked: 0, head: null };
  const rows = db
    .prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE seq > ? ORDER BY seq`)
    .iterate(base.seq) as IterableIterator<AuditEntryRow>;
  for (const row of rows) {
    if (row.seq !== expected) walk.problem = { kind: 'gap', expected, row };
    else if (computeEntryHash(rowToEntry(row)) !== row.hash) walk.problem = { kind: 'self', row };
    else if (row.prev_hash !== prevHash) walk.problem = { kind: 'link', row };
    else if (row.org_id === null) {
      if (row.org_seq !== null || row.org_prev_hash !== null)
        walk.problem = { kind: 'org-link', row, orgPrevSeq: null };
    } else {
      const org = orgs.get(row.org_id) ?? { orgSeq: 0, hash: GENESIS_HASH, seq: null };
      if (row.org_seq !== org.orgSeq + 1)
        walk.problem = { kind: 'org-gap', expectedOrgSeq: org.orgSeq + 1, row };
      else if (row.org_prev_hash !== org.hash) walk.problem = { kind: 'org-link', row, orgPrevSeq: org.seq };
      else orgs.set(row.org_id, { orgSeq: row.org_seq, hash: row.hash, seq: row.seq });
    }
    while (!walk.problem && claimIndex < claims.length && (claims[claimIndex]?.position ?? 0) <= row.seq) {
      const claim = claims[claimIndex++] as Claim;
      if (claim.hash !== row.hash) walk.problem = { kind: 'claim', row, claim, sinceSeq: lastMatchedClaim };
      else lastMatchedClaim = row.seq;
    }
    if (walk.problem) break;
    walk.checked++;
    walk.head = { seq: row.seq, orgSeq: row.org_seq, hash: row.hash };
    prevHash = row.hash;
    expected++;
  }
  const last = claims[claims.length - 1];
  if (!walk.problem && last && last.position > (walk.head?.seq ?? base.seq)) {
    walk.problem = { kind: 'truncated', lastSeq: walk.head?.seq ?? base.seq, lastOrgSeq: null, claim: last };
  }
  return walk;
}

/** One org's chain in org_seq order; checkpoints vouch for its head through their org-head maps. */
function walkOrg(db: Db, orgId: string, base: ChainBase, trusted: readonly TrustedCheckpoint[]): Walk {
  const start = base.orgHeads.get(orgId) ?? { orgSeq: 0, hash: GENESIS_HASH };
  const claims: Claim[] = [];
  for (const t of trusted) {
    const head = t.orgHeads.get(orgId);
    if (t.record.seq > base.seq && head && head.orgSeq > start.orgSeq) {
      claims.push({ position: head.orgSeq, hash: head.hash, checkpointSeq: t.record.seq });
    }
  }
  claims.sort((a, b) => a.position - b.position);

  let expected = start.orgSeq + 1;
  let prevHash = start.hash;
  let prevSeq: number | null = null;
  let claimIndex = 0;
  let lastMatchedClaim = start.orgSeq;
  const walk: Walk = { checked: 0, head: null };
  const rows = db
    .prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE org_id = ? AND org_seq > ? ORDER BY org_seq`)
    .iterate(orgId, start.orgSeq) as IterableIterator<AuditEntryRow>;
  for (const row of rows) {
    const orgSeq = row.org_seq ?? 0;
    if (orgSeq !== expected) walk.problem = { kind: 'org-gap', expectedOrgSeq: expected, row };
    else if (computeEntryHash(rowToEntry(row)) !== row.hash) walk.problem = { kind: 'self', row };
    else if (row.org_prev_hash !== prevHash) walk.problem = { kind: 'org-link', row, orgPrevSeq: prevSeq };
    else if (prevSeq !== null && row.seq <= prevSeq)
      walk.problem = { kind: 'org-order', row, orgPrevSeq: prevSeq };
    while (!walk.problem && claimIndex < claims.length && (claims[claimIndex]?.position ?? 0) <= orgSeq) {
      const claim = claims[claimIndex++] as Claim;
      if (claim.hash !== row.hash) walk.problem = { kind: 'claim', row, claim, sinceSeq: lastMatchedClaim };
      else lastMatchedClaim = orgSeq;
    }
    if (walk.problem) break;
    walk.checked++;
    walk.head = { seq: row.seq, orgSeq, hash: row.hash };
    prevHash = row.hash;
    prevSeq = row.seq;
    expected++;
  }
  const last = claims[claims.length - 1];
  const lastOrgSeq = walk.head?.orgSeq ?? start.orgSeq;
  if (!walk.problem && last && last.position > lastOrgSeq) {
    walk.problem = { kind: 'truncated', lastSeq: walk.head?.seq ?? base.seq, lastOrgSeq, claim: last };
  }
  return walk;
}

function diagnose(db: Db, problem: Problem, base: ChainBase, scopeOrg: string | null): VerifyFailure {
  switch (problem.kind) {
    case 'gap': {
      const { expected, row } = problem;
      const range =
        row.seq - 1 > expected ? `entries ${expected}–${row.seq - 1} are` : `entry ${expected} is`;
      return failure('deleted', expected, null, null, null, `${range} missing from the log`);
    }
    case 'org-gap': {
      const { expectedOrgSeq, row } = problem;
      if ((row.org_seq ?? 0) < expectedOrgSeq) {
        return failure(
          'reordered',
          row.seq,
          row.id,
          row.org_id,
          row.org_seq,
          `entry ${row.seq} repeats org position ${row.org_seq} out of order`,
        );
      }
      // In an org-only walk the missing entries' global positions are unknown.
      return failure(
        'deleted',
        scopeOrg === null ? row.seq : null,
        scopeOrg === null ? row.id : null,
        row.org_id,
        expectedOrgSeq,
        `org entries ${expectedOrgSeq}–${(row.org_seq ?? 0) - 1} are missing before entry ${row.seq}`,
      );
    }
    case 'self':
      return diagnoseHashMismatch(db, problem.row);
    case 'link':
      return diagnoseBrokenLink(
        db,
        problem.row,
        'prev_hash',
        problem.row.seq - 1 > base.seq ? problem.row.seq - 1 : null,
      );
    case 'org-link':
      return diagnoseBrokenLink(db, problem.row, 'org_prev_hash', problem.orgPrevSeq);
    case 'org-order': {
      const { row, orgPrevSeq } = problem;
      return failure(
        'reordered',
        row.seq,
        row.id,
        row.org_id,
        row.org_seq,
        `org entry ${row.org_seq} sits at seq ${row.seq}, before its org predecessor at seq ${orgPrevSeq}`,
      );
    }
    case 'claim': {
      const { row, claim, sinceSeq } = problem;
      // The signed entry may still exist, moved to another seq by renumbering: diagnose it there.
      const moved = scopeOrg === null ? findByHash(db, claim.hash, row.seq) : undefined;
      const movedRow = moved && rowAt(db, moved.seq);
      if (movedRow) return diagnoseHashMismatch(db, movedRow);
      const where = scopeOrg === null ? `seq ${claim.position}` : `org position ${claim.position}`;
      return failure(
        'rewritten',
        row.seq,
        row.id,
        row.org_id,
        row.org_seq,
        `the checkpoint signed at seq ${claim.checkpointSeq} vouches for a different entry at ${where}: ` +
          `entries after ${scopeOrg === null ? 'seq' : 'org position'} ${sinceSeq} were rewritten`,
      );
    }
    case 'truncated': {
      const { lastSeq, lastOrgSeq, claim } = problem;
      if (scopeOrg === null) {
        return failure(
          'truncated',
          lastSeq + 1,
          null,
          null,
          null,
          `the checkpoint signed at seq ${claim.checkpointSeq} covers entries up to seq ${claim.position}, ` +
            `but the log ends at seq ${lastSeq}`,
        );
      }
      return failure(
        'truncated',
        null,
        null,
        scopeOrg,
        (lastOrgSeq ?? 0) + 1,
        `the checkpoint signed at seq ${claim.checkpointSeq} covers org entries up to ${claim.position}, ` +
          `but the org chain ends at ${lastOrgSeq ?? 0}`,
      );
    }
  }
}

/** The entry's stored hash is not the hash of its content: edited, or moved to another seq. */
function diagnoseHashMismatch(db: Db, row: AuditEntryRow): VerifyFailure {
  const entry = rowToEntry(row);
  const predecessor = findByHash(db, row.prev_hash, row.seq);
  const candidates = new Set<number>();
  if (predecessor) candidates.add(predecessor.seq + 1);
  for (let d = 1; d <= RENUMBER_WINDOW; d++) candidates.add(row.seq + d).add(row.seq - d);
  let writtenAs: number | undefined;
  for (const seq of candidates) {
    if (seq > 0 && seq !== row.seq && computeEntryHash({ ...entry, seq }) === row.hash) {
      writtenAs = seq;
      break;
    }
  }
  if (writtenAs === undefined) {
    return failure(
      'modified',
      row.seq,
      row.id,
      row.org_id,
      row.org_seq,
      `entry ${row.seq} no longer matches its hash`,
    );
  }
  if (writtenAs > row.seq && predecessor) {
    return failure(
      'reordered',
      row.seq,
      row.id,
      row.org_id,
      row.org_seq,
      `entry ${row.seq} was written as seq ${writtenAs}: entries were moved`,
    );
  }
  if (writtenAs > row.seq) {
    return failure(
      'deleted',
      row.seq,
      null,
      null,
      null,
      `entries were deleted and the rest renumbered: the entry now at seq ${row.seq} was written as seq ${writtenAs}`,
    );
  }
  const inserted = idAt(db, writtenAs);
  return failure(
    'inserted',
    writtenAs,
    inserted,
    null,
    null,
    `entries were inserted from seq ${writtenAs} and the rest renumbered: the entry now at seq ${row.seq} was written as seq ${writtenAs}`,
  );
}

/**
 * The entry hashes correctly but does not link to its predecessor (global or org chain). Tells a moved
 * entry, a re-hashed predecessor and a forged entry apart.
 */
function diagnoseBrokenLink(
  db: Db,
  row: AuditEntryRow,
  column: 'prev_hash' | 'org_prev_hash',
  predecessorSeq: number | null,
): VerifyFailure {
  const chain = column === 'prev_hash' ? 'the previous entry' : `org ${row.org_id}'s previous entry`;
  const linked = column === 'prev_hash' ? row.prev_hash : row.org_prev_hash;
  if (linked !== null) {
    const target = findByHash(db, linked, row.seq);
    if (target && target.seq !== predecessorSeq) {
      return failure(
        'reordered',
        row.seq,
        row.id,
        row.org_id,
        row.org_seq,
        `entry ${row.seq} links to the entry at seq ${target.seq} instead of ${chain}`,
      );
    }
    if (predecessorSeq !== null && countLinksTo(db, linked, row.seq) > 0) {
      const id = idAt(db, predecessorSeq);
      return failure(
        'modified',
        predecessorSeq,
        id,
        null,
        null,
        `entry ${predecessorSeq} was changed and re-hashed: later entries still link to its original hash`,
      );
    }
  }
  return failure(
    'inserted',
    row.seq,
    row.id,
    row.org_id,
    row.org_seq,
    `entry ${row.seq} does not link to ${chain}: it was inserted or forged`,
  );
}

function signatureFailure(
  db: Db,
  record: CheckpointRecord,
  keys: ReadonlyMap<string, KeyObject>,
): VerifyFailure {
  const why =
    keys.size > 0 && !keys.has(record.keyId)
      ? `is signed by unknown key ${record.keyId}`
      : 'does not match its signature (or is malformed)';
  return failure(
    'bad-signature',
    record.seq,
    idAt(db, record.seq),
    null,
    null,
    `the checkpoint at seq ${record.seq} ${why}`,
  );
}

function earliest(a: VerifyFailure | undefined, b: VerifyFailure | undefined): VerifyFailure | undefined {
  if (!a || !b) return a ?? b;
  return (b.seq ?? Number.POSITIVE_INFINITY) < (a.seq ?? Number.POSITIVE_INFINITY) ? b : a;
}

function failure(
  reason: VerifyFailureReason,
  seq: number | null,
  id: string | null,
  orgId: string | null,
  orgSeq: number | null,
  message: string,
): VerifyFailure {
  return { reason, seq, id, orgId, orgSeq, message };
}

// Failure-path look-ups: full scans are acceptable here, they run once per failed verification.

function findByHash(db: Db, hash: string, excludeSeq: number): { seq: number; id: string } | undefined {
  return db
    .prepare('SELECT seq, id FROM audit_entries WHERE hash = ? AND seq != ? LIMIT 1')
    .get(hash, excludeSeq) as { seq: number; id: string } | undefined;
}

function countLinksTo(db: Db, hash: string, excludeSeq: number): number {
  const row = db
    .prepare(
      'SELECT COUNT(*) AS n FROM audit_entries WHERE (prev_hash = ? OR org_prev_hash = ?) AND seq != ?',
    )
    .get(hash, hash, excludeSeq) as { n: number };
  return row.n;
}

function rowAt(db: Db, seq: number): AuditEntryRow | undefined {
  return db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE seq = ?`).get(seq) as
    | AuditEntryRow
    | undefined;
}

function idAt(db: Db, seq: number): string | null {
  const row = db.prepare('SELECT id FROM audit_entries WHERE seq = ?').get(seq) as { id: string } | undefined;
  return row?.id ?? null;
}
