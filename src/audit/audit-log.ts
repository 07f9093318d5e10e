/**
 * The audit log: append-only, hash-chained twice (one global chain, one chain per org), with periodic
 * Ed25519-signed checkpoints of the global head.
 *
 * Appends run in one IMMEDIATE transaction (head reads, hashing, insert, maybe a checkpoint), so
 * concurrent writers — other connections, worker threads, processes — serialise on SQLite's write lock
 * and the unique (seq) and (org_id, org_seq) keys back that up. Called inside a caller's transaction,
 * the entry commits or rolls back with the caller's own rows: "no audit entry, no action".
 *
 * The only deletion is purgeOlderThan: it verifies the whole log first, removes a prefix (never a hole)
 * with the delete trigger lifted inside the same transaction, and leaves an anchor — the last removed
 * entry's hash and every org's head at that point — in a signed checkpoint, so verification restarts
 * from the first kept entry. It records a `retention.purge` event.
 *
 * better-sqlite3 is synchronous: verify and export over millions of entries block the event loop for
 * seconds; a server verifies through verifyOffThread (a worker with its own connection). Export still
 * runs here.
 */
import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { type Clock, DAY_MS } from '../core/clock.js';
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import {
  AUDIT_EVENT_TYPES,
  type AuditEntry,
  type AuditEvent,
  type AuditEventType,
  actorSchema,
  parseAuditEvent,
  SYSTEM_ACTOR,
} from './audit-event.js';
import {
  AUDIT_ENTRIES_NO_DELETE_TRIGGER,
  type AuditEntryRow,
  type ChainBase,
  type CheckpointRecord,
  type CheckpointRow,
  checkpointBase,
  ENTRY_COLUMNS,
  formatOrgHeads,
  GENESIS_BASE,
  type OrgHead,
  parseOrgHeads,
  rowToCheckpoint,
  rowToEntry,
} from './audit-schema.js';
import { canonicalJson, checkpointSigningInput, computeEntryHash } from './canonical.js';
import { type CheckpointSigner, keyIdOf, verifyCheckpointSignature } from './checkpoint-signer.js';
import { writeCheckpointWitness } from './checkpoint-witness.js';
import type { VerifyReport } from './verify.js';
import { verifyLog } from './verify-log.js';
import { OffThreadVerifier } from './verify-off-thread.js';

type Db = Database.Database;

/** Default retention of audit entries: over a year, so a full year is always on record. */
export const AUDIT_RETENTION_DAYS = 400;
/** No configuration may keep audit entries for less than a year. */
export const AUDIT_MIN_RETENTION_DAYS = 365;
/** Entries between automatic checkpoints. */
export const AUDIT_CHECKPOINT_EVERY = 100;
export const AUDIT_QUERY_MAX_LIMIT = 1000;

const EXPORT_PAGE = 500;

/**
 * Replaces the canonical JSON of an event's details with a sealed string (crypto's business). Must
 * return the plaintext unchanged or a string that does not start with `{`. Runs before the transaction.
 */
export type DetailsSealer = (input: {
  type: AuditEventType;
  orgId: string | null;
  plaintext: string;
}) => string;

export interface AuditLogOptions {
  /** Sign the head automatically every this many entries (needs a signer); 0 turns it off. Default 100. */
  checkpointEvery?: number;
  sealDetails?: DetailsSealer;
  /** Default AUDIT_RETENTION_DAYS; refused below minRetentionDays. */
  retentionDays?: number;
  /** Default AUDIT_MIN_RETENTION_DAYS. */
  minRetentionDays?: number;
  /** File (outside the DB) that keeps a copy of the latest checkpoint; see checkpoint-witness.ts. */
  witnessPath?: string;
  /** Older public keys whose checkpoints still count (after a key rotation). */
  publicKeys?: readonly KeyObject[];
}

export interface AuditQuery {
  /** A string: that org's entries; null: platform entries only; absent: all. */
  orgId?: string | null;
  types?: readonly AuditEventType[];
  actor?: string;
  /** Inclusive lower bound on `at`. */
  from?: Date | string;
  /** Exclusive upper bound on `at`. */
  to?: Date | string;
  /** 1–1000, default 100. */
  limit?: number;
  cursor?: string | null;
  /** By seq; default newest first. */
  order?: 'asc' | 'desc';
}

export type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor' | 'order'>;

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PurgeResult {
  purged: number;
  /** Last removed seq and its hash: the anchor verification now starts from. */
  throughSeq: number | null;
  anchorHash: string | null;
  /** The `retention.purge` entry and the checkpoint that records the anchor (null when nothing was due). */
  entry: AuditEntry | null;
  checkpoint: CheckpointRecord | null;
}

interface Statements {
  globalHead: Database.Statement<[], { seq: number; hash: string }>;
  orgHead: Database.Statement<[string], OrgHead>;
  insert: Database.Statement<[AuditEntryRow]>;
  latestCheckpoint: Database.Statement<[], CheckpointRow>;
  checkpointAt: Database.Statement<[number], CheckpointRow>;
  insertCheckpoint: Database.Statement<[CheckpointRow]>;
}

export class AuditLog {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #signer: CheckpointSigner | undefined;
  readonly #checkpointEvery: number;
  readonly #seal: DetailsSealer | undefined;
  readonly #retentionDays: number;
  readonly #minRetentionDays: number;
  readonly #witnessPath: string | undefined;
  readonly #publicKeys: Map<string, KeyObject>;
  readonly #stmts: Statements;
  /** A checkpoint made in the current transaction, written to the witness once it has committed. */
  #unwitnessed: CheckpointRecord | null = null;
  /** The database file, resolved while the working directory is still the one it was opened from. */
  readonly #dbPath: string | null;
  /** Made on the first verifyOffThread: it holds the one-at-a-time queue for this log. */
  #offThread: OffThreadVerifier | undefined;

  constructor(db: Db, clock: Clock, signer?: CheckpointSigner, options: AuditLogOptions = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#signer = signer;
    this.#checkpointEvery = options.checkpointEvery ?? AUDIT_CHECKPOINT_EVERY;
    this.#seal = options.sealDetails;
    this.#minRetentionDays = options.minRetentionDays ?? AUDIT_MIN_RETENTION_DAYS;
    this.#retentionDays = options.retentionDays ?? AUDIT_RETENTION_DAYS;
    this.#witnessPath = options.witnessPath;
    this.#dbPath = db.memory ? null : resolve(db.name);
    if (!Number.isInteger(this.#checkpointEvery) || this.#checkpointEvery < 0) {
      throw new FaceLedgerError('BAD_INPUT', 'checkpointEvery must be a whole number from 0');
    }
    if (this.#minRetentionDays < AUDIT_MIN_RETENTION_DAYS || this.#retentionDays < this.#minRetentionDays) {
      throw new FaceLedgerError(
        'BAD_INPUT',
        `audit retention must be at least ${AUDIT_MIN_RETENTION_DAYS} days (got ${this.#retentionDays})`,
      );
    }
    const keys = [...(options.publicKeys ?? []), ...(signer ? [signer.publicKey] : [])];
    this.#publicKeys = new Map(keys.map((key) => [keyIdOf(key), key]));
    this.#stmts = {
      globalHead: db.prepare<[], { seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1',
      ),
      orgHead: db.prepare<[string], OrgHead>(
        'SELECT org_seq AS orgSeq, hash FROM audit_entries WHERE org_id = ? ORDER BY org_seq DESC LIMIT 1',
      ),
      insert: db.prepare<[AuditEntryRow]>(
        `INSERT INTO audit_entries (${ENTRY_COLUMNS}) VALUES
         (@seq, @id, @org_id, @org_seq, @actor, @at, @type, @details, @prev_hash, @org_prev_hash, @hash)`,
      ),
      latestCheckpoint: db.prepare<[], CheckpointRow>(
        'SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1',
      ),
      checkpointAt: db.prepare<[number], CheckpointRow>('SELECT * FROM audit_checkpoints WHERE seq = ?'),
      insertCheckpoint: db.prepare<[CheckpointRow]>(
        `INSERT INTO audit_checkpoints
         (seq, at, head_hash, org_heads, base_seq, base_hash, base_org_heads, key_id, signature) VALUES
         (@seq, @at, @head_hash, @org_heads, @base_seq, @base_hash, @base_org_heads, @key_id, @signature)`,
      ),
    };
  }

  /** Validates, (maybe) seals, chains and stores one event; returns the stored entry. */
  append(event: AuditEvent): AuditEntry {
    const prepared = this.#prepare(event);
    const entry = this.#write(() => this.#appendInTransaction(prepared, undefined, true), false);
    return entry;
  }

  /** The newest entry's position and hash, or null for an empty log. */
  head(): { seq: number; hash: string } | null {
    return this.#stmts.globalHead.get() ?? null;
  }

  /** One page of entries matching every given filter. */
  query(filters: AuditQuery = {}): AuditPage {
    const limit = filters.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_QUERY_MAX_LIMIT) {
      throw new FaceLedgerError('BAD_INPUT', `limit must be 1 to ${AUDIT_QUERY_MAX_LIMIT}`);
    }
    const order = filters.order ?? 'desc';
    if (order !== 'asc' && order !== 'desc')
      throw new FaceLedgerError('BAD_INPUT', "order must be 'asc' or 'desc'");
    const { where, params } = buildWhere(filters);
    // Within one org, org_seq runs with seq: ordering by it walks the (org_id, org_seq) index
    // instead of sorting the whole org.
    const key = typeof filters.orgId === 'string' ? 'org_seq' : 'seq';
    const kind = `${order === 'asc' ? 'a' : 'd'}${key === 'seq' ? 's' : 'o'}`;
    if (filters.cursor) {
      where.push(`${key} ${order === 'desc' ? '<' : '>'} ?`);
      params.push(decodeCursor(filters.cursor, kind));
    }
    const sql =
      `SELECT ${ENTRY_COLUMNS} FROM audit_entries` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY ${key} ${order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, limit + 1) as AuditEntryRow[];
    const more = rows.length > limit;
    const entries = rows.slice(0, limit).map(rowToEntry);
    const last = entries[entries.length - 1];
    const position = last && (key === 'seq' ? last.seq : last.orgSeq);
    return { entries, nextCursor: more && position ? encodeCursor(kind, position) : null };
  }

  /**
   * Writes every matching entry, oldest first, as one JSON line (with its trailing "\n") per call of
   * `write`. Lines carry every stored field, so the export can be re-verified with canonical.ts alone.
   * Pages through the table, so `write` may use the database too. Returns the number of lines.
   */
  exportJsonl(filters: AuditFilters, write: (line: string) => void): number {
    let cursor: string | null = null;
    let count = 0;
    do {
      const page = this.query({ ...filters, order: 'asc', limit: EXPORT_PAGE, cursor });
      for (const entry of page.entries) {
        write(`${JSON.stringify(entry)}\n`);
        count++;
      }
      cursor = page.nextCursor;
    } while (cursor);
    return count;
  }

  /**
   * Signs the current global head (and every org's head) now. Returns the existing checkpoint when the
   * head is already signed, null for an empty log. Needs a signer.
   */
  checkpoint(): CheckpointRecord | null {
    this.#requireSigner('making a checkpoint');
    const record = this.#write(() => this.#checkpointInTransaction(), true);
    return record;
  }

  /** Verifies the global chain and every org chain, or one org's chain; see verify.ts. */
  verify(options: { orgId?: string } = {}): VerifyReport {
    return verifyLog(this.#db, {
      ...options,
      publicKeys: [...this.#publicKeys.values()],
      witnessPath: this.#witnessPath,
    });
  }

  /**
   * The same verification in a worker thread over its own read-only connection, so a long log does
   * not hold up the event loop; one at a time per log (see verify-off-thread.ts).
   */
  async verifyOffThread(options: { orgId?: string } = {}): Promise<VerifyReport> {
    // An in-memory database exists only inside this connection: no other thread can open it, so it
    // is verified here, synchronously (unit tests use such databases).
    if (this.#dbPath === null) return this.verify(options);
    this.#offThread ??= new OffThreadVerifier({
      dbPath: this.#dbPath,
      witnessPath: this.#witnessPath ?? null,
      publicKeysPem: [...this.#publicKeys.values()].map(
        (key) => key.export({ type: 'spki', format: 'pem' }) as string,
      ),
    });
    return this.#offThread.verify(options.orgId ?? null);
  }

  /** Settles once no off-thread verification is running or waiting: close the database after it. */
  async idle(): Promise<void> {
    await this.#offThread?.idle();
  }

  /** Removes entries older than the configured retention (AUDIT_RETENTION_DAYS by default). */
  purgeExpired(actor: string = SYSTEM_ACTOR): PurgeResult {
    return this.purgeOlderThan(new Date(this.#clock.now().getTime() - this.#retentionDays * DAY_MS), actor);
  }

  /**
   * The only way entries leave the log: removes the longest prefix whose entries are all older than
   * `cutoff`. Refuses a cutoff inside the minimum retention, a log that fails verification (that would
   * destroy evidence), and running without the signing key (the anchor must be signed).
   */
  purgeOlderThan(cutoff: Date, actor: string = SYSTEM_ACTOR): PurgeResult {
    this.#requireSigner('purging the audit log');
    if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) {
      throw new FaceLedgerError('BAD_INPUT', 'purge cutoff must be a valid date');
    }
    const earliestAllowed = this.#clock.now().getTime() - this.#minRetentionDays * DAY_MS;
    if (cutoff.getTime() > earliestAllowed) {
      throw new FaceLedgerError(
        'BAD_INPUT',
        `audit entries are kept at least ${this.#minRetentionDays} days; the cutoff ${cutoff.toISOString()} is too recent`,
      );
    }
    if (!actorSchema.safeParse(actor).success) throw new FaceLedgerError('BAD_INPUT', 'invalid purge actor');
    const report = this.verify();
    if (!report.ok) {
      throw new FaceLedgerError(
        'TAMPERED',
        `refusing to purge: the audit log fails verification (${report.firstBad?.reason} at seq ${report.firstBad?.seq}); preserve it and investigate`,
      );
    }
    const cutoffIso = cutoff.toISOString();
    const result = this.#write((): PurgeResult => {
      const oldBase = this.#currentBase();
      const firstKept = this.#db
        .prepare('SELECT MIN(seq) AS seq FROM audit_entries WHERE at >= ?')
        .get(cutoffIso) as {
        seq: number | null;
      };
      const throughSeq =
        firstKept.seq === null ? (this.#stmts.globalHead.get()?.seq ?? 0) : firstKept.seq - 1;
      if (throughSeq <= oldBase.seq) {
        return { purged: 0, throughSeq: null, anchorHash: null, entry: null, checkpoint: null };
      }
      const anchor = this.#db.prepare('SELECT hash FROM audit_entries WHERE seq = ?').get(throughSeq) as
        | { hash: string }
        | undefined;
      if (!anchor)
        throw new FaceLedgerError('INTERNAL', `audit entry ${throughSeq} vanished during the purge`);
      const orgHeads = new Map(oldBase.orgHeads);
      const purgedOrgRows = this.#db
        .prepare(
          'SELECT org_id, org_seq, hash FROM audit_entries WHERE seq > ? AND seq <= ? AND org_id IS NOT NULL ORDER BY seq',
        )
        .iterate(oldBase.seq, throughSeq) as IterableIterator<{
        org_id: string;
        org_seq: number;
        hash: string;
      }>;
      for (const row of purgedOrgRows) orgHeads.set(row.org_id, { orgSeq: row.org_seq, hash: row.hash });
      const newBase: ChainBase = { seq: throughSeq, hash: anchor.hash, orgHeads };

      this.#db.exec('DROP TRIGGER audit_entries_no_delete');
      const purged = this.#db.prepare('DELETE FROM audit_entries WHERE seq <= ?').run(throughSeq).changes;
      this.#db.exec(AUDIT_ENTRIES_NO_DELETE_TRIGGER);

      const entry = this.#appendInTransaction(
        this.#prepare({
          type: 'retention.purge',
          orgId: null,
          actor,
          details: {
            scope: 'audit',
            before: cutoffIso,
            purgedCount: purged,
            throughSeq,
            anchorHash: anchor.hash,
          },
        }),
        newBase,
        false,
      );
      const checkpoint = this.#checkpointInTransaction(newBase);
      return { purged, throughSeq, anchorHash: anchor.hash, entry, checkpoint };
    }, true);
    return result;
  }

  #prepare(event: AuditEvent): PreparedEvent {
    const parsed = parseAuditEvent(event);
    const plaintext = canonicalJson(parsed.details);
    let details = plaintext;
    if (this.#seal) {
      details = this.#seal({ type: parsed.type, orgId: parsed.orgId, plaintext });
      if (typeof details !== 'string' || (details !== plaintext && details.startsWith('{'))) {
        throw new FaceLedgerError(
          'INTERNAL',
          'the audit details sealer must return a string not starting with {',
        );
      }
    }
    return { type: parsed.type, orgId: parsed.orgId, actor: parsed.actor, details };
  }

  /** Must run inside a transaction. `base` is given by the purge (the new anchor), else read when needed. */
  #appendInTransaction(
    event: PreparedEvent,
    base: ChainBase | undefined,
    autoCheckpoint: boolean,
  ): AuditEntry {
    let knownBase = base;
    const chainBase = (): ChainBase => {
      knownBase ??= this.#currentBase();
      return knownBase;
    };
    const head = this.#stmts.globalHead.get() ?? { seq: chainBase().seq, hash: chainBase().hash };
    let orgSeq: number | null = null;
    let orgPrevHash: string | null = null;
    if (event.orgId !== null) {
      const orgHead = this.#stmts.orgHead.get(event.orgId) ??
        chainBase().orgHeads.get(event.orgId) ?? { orgSeq: 0, hash: GENESIS_BASE.hash };
      orgSeq = orgHead.orgSeq + 1;
      orgPrevHash = orgHead.hash;
    }
    const unhashed = {
      id: newId(),
      seq: head.seq + 1,
      orgId: event.orgId,
      orgSeq,
      actor: event.actor,
      at: this.#clock.now().toISOString(),
      type: event.type,
      details: event.details,
      prevHash: head.hash,
      orgPrevHash,
    };
    const entry: AuditEntry = { ...unhashed, hash: computeEntryHash(unhashed) };
    this.#stmts.insert.run({
      seq: entry.seq,
      id: entry.id,
      org_id: entry.orgId,
      org_seq: entry.orgSeq,
      actor: entry.actor,
      at: entry.at,
      type: entry.type,
      details: entry.details,
      prev_hash: entry.prevHash,
      org_prev_hash: entry.orgPrevHash,
      hash: entry.hash,
    });
    if (autoCheckpoint && this.#signer && this.#checkpointEvery > 0) {
      const last = this.#stmts.latestCheckpoint.get()?.seq ?? 0;
      if (entry.seq - last >= this.#checkpointEvery) {
        try {
          this.#db.transaction(() => this.#checkpointInTransaction())();
        } catch (err) {
          // A tampered checkpoint table must not stop the audit trail itself; verify reports it.
          if (!(err instanceof FaceLedgerError)) throw err;
        }
      }
    }
    return entry;
  }

  /** Must run inside a transaction. */
  #checkpointInTransaction(baseOverride?: ChainBase): CheckpointRecord | null {
    const signer = this.#requireSigner('making a checkpoint');
    const head = this.#stmts.globalHead.get();
    if (!head) return null;
    const existing = this.#stmts.checkpointAt.get(head.seq);
    if (existing) return rowToCheckpoint(existing);

    const previousRow = this.#stmts.latestCheckpoint.get();
    const previous = previousRow && rowToCheckpoint(previousRow);
    if (previous && !this.#trusted(previous)) {
      throw new FaceLedgerError(
        'TAMPERED',
        `the latest audit checkpoint (seq ${previous.seq}) fails its signature; run audit verify before signing more`,
      );
    }
    const base = baseOverride ?? (previous && checkpointBase(previous)) ?? GENESIS_BASE;
    // Org heads: carried from the previous checkpoint, updated with the entries since.
    const previousHeads = previous && !baseOverride ? parseOrgHeads(previous.orgHeads) : undefined;
    const orgHeads = new Map(previousHeads ?? base.orgHeads);
    const since = previousHeads && previous ? previous.seq : base.seq;
    const newer = this.#db
      .prepare(
        'SELECT org_id, org_seq, hash FROM audit_entries WHERE seq > ? AND org_id IS NOT NULL ORDER BY seq',
      )
      .iterate(since) as IterableIterator<{ org_id: string; org_seq: number; hash: string }>;
    for (const row of newer) orgHeads.set(row.org_id, { orgSeq: row.org_seq, hash: row.hash });

    const unsigned = {
      seq: head.seq,
      at: this.#clock.now().toISOString(),
      headHash: head.hash,
      orgHeads: formatOrgHeads(orgHeads),
      baseSeq: base.seq,
      baseHash: base.hash,
      baseOrgHeads: formatOrgHeads(base.orgHeads),
      keyId: signer.keyId,
    };
    const record: CheckpointRecord = {
      ...unsigned,
      signature: signer.sign(checkpointSigningInput(unsigned)),
    };
    this.#stmts.insertCheckpoint.run({
      seq: record.seq,
      at: record.at,
      head_hash: record.headHash,
      org_heads: record.orgHeads,
      base_seq: record.baseSeq,
      base_hash: record.baseHash,
      base_org_heads: record.baseOrgHeads,
      key_id: record.keyId,
      signature: record.signature,
    });
    this.#unwitnessed = record;
    return record;
  }

  /** The anchor recorded by the newest checkpoint, or genesis. */
  #currentBase(): ChainBase {
    const row = this.#stmts.latestCheckpoint.get();
    if (!row) return GENESIS_BASE;
    const record = rowToCheckpoint(row);
    const base = this.#trusted(record) ? checkpointBase(record) : undefined;
    if (!base) {
      throw new FaceLedgerError(
        'TAMPERED',
        `the latest audit checkpoint (seq ${record.seq}) fails its signature; run audit verify`,
      );
    }
    return base;
  }

  #trusted(record: CheckpointRecord): boolean {
    if (this.#publicKeys.size === 0) return true;
    const key = this.#publicKeys.get(record.keyId);
    return (
      key !== undefined && verifyCheckpointSignature(key, checkpointSigningInput(record), record.signature)
    );
  }

  #requireSigner(what: string): CheckpointSigner {
    if (!this.#signer) {
      throw new FaceLedgerError('BAD_INPUT', `${what} needs the audit checkpoint signing key`);
    }
    return this.#signer;
  }

  /**
   * Runs `fn` in an IMMEDIATE transaction (a savepoint inside a caller's transaction), then writes
   * the witness for a checkpoint it made — never for one that was rolled back.
   */
  #write<T>(fn: () => T, strictWitness: boolean): T {
    this.#unwitnessed = null;
    let result: T;
    try {
      result = this.#db.transaction(fn).immediate();
    } catch (err) {
      this.#unwitnessed = null;
      throw err;
    }
    this.#flushWitness(strictWitness);
    return result;
  }

  /** Writes the witness once the checkpoint has committed; inside a caller's transaction it waits for the next one. */
  #flushWitness(strict: boolean): void {
    const record = this.#unwitnessed;
    this.#unwitnessed = null;
    if (!record || !this.#witnessPath || this.#db.inTransaction) return;
    try {
      writeCheckpointWitness(this.#witnessPath, record);
    } catch (cause) {
      // The entry is committed; an append must not look failed because the witness copy could not be written.
      if (strict) {
        throw new FaceLedgerError(
          'INTERNAL',
          `audit checkpoint ${record.seq} saved, but its witness copy was not`,
          {
            cause,
          },
        );
      }
    }
  }
}

interface PreparedEvent {
  type: AuditEventType;
  orgId: string | null;
  actor: string;
  details: string;
}

function buildWhere(filters: AuditFilters): { where: string[]; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filters.orgId === null) where.push('org_id IS NULL');
  else if (filters.orgId !== undefined) {
    where.push('org_id = ?');
    params.push(filters.orgId);
  }
  if (filters.types !== undefined) {
    if (filters.types.length === 0)
      throw new FaceLedgerError('BAD_INPUT', 'types, when given, must name at least one type');
    for (const type of filters.types) {
      if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(type)) {
        throw new FaceLedgerError('BAD_INPUT', `unknown audit event type ${type}`);
      }
    }
    where.push(`type IN (${filters.types.map(() => '?').join(', ')})`);
    params.push(...filters.types);
  }
  if (filters.actor !== undefined) {
    where.push('actor = ?');
    params.push(filters.actor);
  }
  if (filters.from !== undefined) {
    where.push('at >= ?');
    params.push(isoTime(filters.from, 'from'));
  }
  if (filters.to !== undefined) {
    where.push('at < ?');
    params.push(isoTime(filters.to, 'to'));
  }
  return { where, params };
}

function isoTime(value: Date | string, name: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new FaceLedgerError('BAD_INPUT', `${name} must be a date or ISO time`);
  return date.toISOString();
}

/** Cursors are opaque: base64url of `<a|d><s|o><position>` (order, seq or org_seq, last position seen). */
const CURSOR_PATTERN = /^([ad][so])([1-9][0-9]{0,15})$/;

function encodeCursor(kind: string, position: number): string {
  return Buffer.from(`${kind}${position}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, kind: string): number {
  const match = CURSOR_PATTERN.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || match[1] !== kind) throw new FaceLedgerError('BAD_INPUT', 'invalid cursor for this query');
  return Number(match[2]);
}
