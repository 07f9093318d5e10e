/**
 * Reading and checking the audit log, for a caller: an org's auditors see, export and verify their
 * org's chain (`audit.read`); platform-admins see and export platform entries (no org) and verify the
 * whole log (`audit.read.platform`) — which reports positions, never another org's details. Everyone
 * else is refused. Exports and verifications are themselves audited.
 *
 * The CLI operator, who holds the database file and the keys anyway, uses the `…AsOperator` methods.
 *
 * The app does not seal whole details today (AuditLog has no `sealDetails`); values that must not be
 * plaintext (case numbers, purposes) are sealed inside the details by the service that records them,
 * and stay sealed here. If a sealer is ever configured, pass `openDetails` and an org's auditors (only
 * they) get the opened text.
 */
import { createHash } from 'node:crypto';
import { type AuditEntry, type AuditEventType, isPlainDetails } from '../audit/audit-event.js';
import type { AuditLog, AuditQuery } from '../audit/audit-log.js';
import type { VerifyReport } from '../audit/verify.js';
import { FaceLedgerError } from '../core/errors.js';
import { authorize, type Caller, can, isGenuineCaller } from '../tenancy/index.js';

/** The log's filters, less the org (always the caller's) and the order (newest first). */
export type AuditServiceFilters = Omit<AuditQuery, 'orgId' | 'order'>;

/** A stored entry plus its details parsed (null when sealed and not opened for this caller). */
export interface AuditEntryView extends AuditEntry {
  data: Record<string, unknown> | null;
}

export interface AuditViewPage {
  entries: AuditEntryView[];
  nextCursor: string | null;
}

export interface ExportResult {
  /** Lines written. */
  count: number;
  /** sha256 of everything written, as recorded in the `export` audit entry. */
  sha256: string;
}

/** Opens sealed details of an org's entry (crypto's business); must return canonical JSON. */
export type DetailsOpener = (entry: { orgId: string; type: AuditEventType; details: string }) => string;

export interface AuditServiceOptions {
  openDetails?: DetailsOpener;
}

/** Which chain a caller reads: one org's, or the platform's (org-less entries). */
type Scope = { kind: 'org'; orgId: string } | { kind: 'platform' };

export class AuditService {
  readonly #log: AuditLog;
  readonly #open: DetailsOpener | undefined;

  constructor(deps: { audit: AuditLog }, options: AuditServiceOptions = {}) {
    this.#log = deps.audit;
    this.#open = options.openDetails;
  }

  query(caller: Caller, filters: AuditServiceFilters = {}): AuditViewPage {
    const scope = scopeOf(caller);
    const page = this.#log.query({ ...pick(filters), orgId: scopeOrg(scope) });
    return { entries: page.entries.map((e) => this.#view(e, scope)), nextCursor: page.nextCursor };
  }

  /**
   * Writes the caller's entries as JSON lines (oldest first, every stored field, so they re-verify
   * with computeEntryHash alone) and appends an `export` entry — also when writing failed part-way,
   * since what was written has left.
   */
  exportJsonl(caller: Caller, filters: AuditServiceFilters, write: (line: string) => void): ExportResult {
    const scope = scopeOf(caller);
    return this.#export(caller.actor, scopeOrg(scope), filters, write);
  }

  /** Verifies the caller's org chain (auditor) or the whole log (platform-admin); audits the outcome. */
  verify(caller: Caller): VerifyReport {
    const scope = scopeOf(caller);
    return this.#verify(caller.actor, scope.kind === 'org' ? scope.orgId : null);
  }

  /**
   * The same, with the chains walked in a worker thread (AuditLog.verifyOffThread): what the server
   * uses, so a long log does not stall other requests. Callers sharing one run each get their own
   * `audit.verified` entry, as each asked and was answered.
   */
  async verifyOffThread(caller: Caller): Promise<VerifyReport> {
    const orgId = scopeOrg(scopeOf(caller));
    const report = await this.#log.verifyOffThread(orgId === null ? {} : { orgId });
    this.#recordVerified(caller.actor, orgId, report);
    return report;
  }

  /** The CLI operator (`cli:<os user>`): the whole log, or one org's chain. */
  verifyAsOperator(actor: string, options: { orgId?: string } = {}): VerifyReport {
    return this.#verify(operatorActor(actor), options.orgId ?? null);
  }

  /** The CLI operator: every entry, or one org's (`orgId`), or platform entries only (`orgId: null`). */
  exportAsOperator(
    actor: string,
    filters: AuditServiceFilters & { orgId?: string | null },
    write: (line: string) => void,
  ): ExportResult {
    return this.#export(operatorActor(actor), filters.orgId, filters, write);
  }

  #verify(actor: string, orgId: string | null): VerifyReport {
    const report = this.#log.verify(orgId === null ? {} : { orgId });
    this.#recordVerified(actor, orgId, report);
    return report;
  }

  #recordVerified(actor: string, orgId: string | null, report: VerifyReport): void {
    const bad = report.firstBad;
    try {
      this.#log.append({
        type: 'audit.verified',
        orgId,
        actor,
        details: {
          scope: orgId === null ? 'global' : 'org',
          ok: report.ok,
          checked: report.checked,
          ...(bad ? { firstBad: { seq: bad.seq, reason: bad.reason } } : {}),
        },
      });
    } catch (err) {
      // A log too damaged to extend (a forged checkpoint blocks new ones) must still get its report out.
      if (report.ok) throw err;
    }
  }

  #export(
    actor: string,
    orgId: string | null | undefined,
    filters: AuditServiceFilters,
    write: (line: string) => void,
  ): ExportResult {
    const hash = createHash('sha256');
    let count = 0;
    const { limit: _limit, cursor: _cursor, ...rest } = pick(filters);
    const record = () =>
      this.#log.append({
        type: 'export',
        orgId: orgId ?? null,
        actor,
        details: {
          kind: 'audit',
          format: 'jsonl',
          itemCount: count,
          contentSha256: hash.copy().digest('hex'),
        },
      });
    try {
      this.#log.exportJsonl({ ...rest, ...(orgId !== undefined ? { orgId } : {}) }, (line) => {
        write(line);
        hash.update(line);
        count++;
      });
    } catch (err) {
      record();
      throw err;
    }
    record();
    return { count, sha256: hash.digest('hex') };
  }

  #view(entry: AuditEntry, scope: Scope): AuditEntryView {
    let text: string | null = entry.details;
    if (!isPlainDetails(text)) {
      text =
        this.#open && scope.kind === 'org' && entry.orgId === scope.orgId
          ? this.#open({ orgId: entry.orgId, type: entry.type, details: entry.details })
          : null;
    }
    return { ...entry, data: text === null ? null : (JSON.parse(text) as Record<string, unknown>) };
  }
}

function scopeOf(caller: Caller): Scope {
  if (!isGenuineCaller(caller))
    throw new FaceLedgerError('INTERNAL', 'caller was not produced by authentication');
  if (caller.orgId !== null && can(caller, 'audit.read')) return { kind: 'org', orgId: caller.orgId };
  if (caller.orgId === null && can(caller, 'audit.read.platform', { orgId: null }))
    return { kind: 'platform' };
  authorize(caller, caller.orgId === null ? 'audit.read.platform' : 'audit.read');
  throw new FaceLedgerError('FORBIDDEN', 'not permitted: audit.read');
}

function scopeOrg(scope: Scope): string | null {
  return scope.kind === 'org' ? scope.orgId : null;
}

/** Only the filters a caller may set: never `orgId` (the scope decides it). */
function pick(filters: AuditServiceFilters): AuditServiceFilters {
  const out: AuditServiceFilters = {};
  if (filters.types !== undefined) out.types = filters.types;
  if (filters.actor !== undefined) out.actor = filters.actor;
  if (filters.from !== undefined) out.from = filters.from;
  if (filters.to !== undefined) out.to = filters.to;
  if (filters.limit !== undefined) out.limit = filters.limit;
  if (filters.cursor !== undefined) out.cursor = filters.cursor;
  return out;
}

function operatorActor(actor: string): string {
  if (!/^cli:\S{1,200}$/.test(actor))
    throw new FaceLedgerError('INTERNAL', 'operator actions are recorded as cli:<os user>');
  return actor;
}
