/**
 * The search history of one org, read and written only through a caller: every statement is bound to
 * the caller's org (TenantSql refuses one that is not), and investigators see only their own rows.
 * Everything a person could read is sealed under the org's data key; the case number also gets a blind
 * index so a history can be filtered by case without opening every row.
 */
import type Database from 'better-sqlite3';
import { FaceLedgerError } from '../../core/errors.js';
import type { Vault } from '../../crypto/index.js';
// TenantSql is the tenancy room's scoped SQL runner (not on its public surface, which holds only what
// shells need); the history is org content, so it runs through the same guard as the room's own repos.
import { TenantSql } from '../../tenancy/context.js';
import { type Action, authorize, type Caller, can, isGenuineCaller } from '../../tenancy/index.js';
import type {
  NewSearchRecord,
  SearchKind,
  SearchListFilters,
  SearchPage,
  SearchSummary,
} from './search-records.js';

export const FIELDS = {
  caseNumber: 'searches.case_number',
  purpose: 'searches.purpose',
  result: 'searches.result',
  probe: 'searches.probe',
} as const;

export const HISTORY_PAGE_MAX = 100;
const HISTORY_PAGE_DEFAULT = 50;

interface SearchRow {
  id: string;
  actor: string;
  kind: SearchKind;
  created_at: string;
  case_number: string;
  purpose: string;
  galleries: string;
  top: number | null;
  probe_sha256: string;
  second_sha256: string | null;
  result_count: number;
  top_similarity: number | null;
  decision: string;
  probes: number;
}

const SUMMARY_COLUMNS = `id, actor, kind, created_at, case_number, purpose, galleries, top, probe_sha256,
  second_sha256, result_count, top_similarity, decision,
  (SELECT COUNT(*) FROM search_probes p WHERE p.search_id = searches.id) AS probes`;

function isoOf(value: Date | string | undefined, name: string): string | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new FaceLedgerError('BAD_INPUT', `${name} must be an ISO date-time`);
  return new Date(ms).toISOString();
}

function encodeCursor(row: { created_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string') return { at, id };
  } catch {
    // fall through to the one error below
  }
  throw new FaceLedgerError('BAD_INPUT', 'invalid cursor');
}

export class SearchHistoryRepo {
  readonly #sql: TenantSql;
  readonly #vault: Vault;
  readonly #caller: Caller;
  readonly #orgId: string;

  /** Platform accounts have no org and therefore no history: FORBIDDEN. */
  constructor(db: Database.Database, vault: Vault, caller: Caller) {
    authorizeAnyHistoryAction(caller);
    this.#orgId = caller.orgId as string;
    this.#sql = new TenantSql(db, this.#orgId);
    this.#vault = vault;
    this.#caller = caller;
  }

  /** Stores one search of the caller (call inside the transaction that audits it). */
  insert(record: NewSearchRecord): void {
    authorize(this.#caller, 'search.run');
    if (record.actor !== this.#caller.actor)
      throw new FaceLedgerError('INTERNAL', 'a search is recorded under its own caller only');
    const org = this.#orgId;
    this.#sql.run(
      `INSERT INTO searches (id, org_id, actor, kind, created_at, case_number, case_bidx, purpose, galleries,
         top, probe_sha256, second_sha256, result_count, top_similarity, decision, result)
       VALUES (@id, @org, @actor, @kind, @createdAt, @caseNumber, @caseBidx, @purpose, @galleries, @top,
         @probeSha256, @secondSha256, @resultCount, @topSimilarity, @decision, @result)`,
      {
        id: record.id,
        actor: record.actor,
        kind: record.kind,
        createdAt: record.createdAt,
        caseNumber: this.#vault.seal(org, FIELDS.caseNumber, record.caseNumber),
        caseBidx: this.#vault.blindIndex(org, FIELDS.caseNumber, record.caseNumber),
        purpose: this.#vault.seal(org, FIELDS.purpose, record.purpose),
        galleries: JSON.stringify(record.galleries),
        top: record.top,
        probeSha256: record.probeSha256,
        secondSha256: record.secondProbeSha256,
        resultCount: record.resultCount,
        topSimilarity: record.topSimilarity,
        decision: record.decision,
        result: this.#vault.sealJson(org, FIELDS.result, record.result),
      },
    );
    record.probes.forEach((bytes, slot) => {
      this.#sql.run(
        `INSERT INTO search_probes (search_id, slot, org_id, created_at, image)
         VALUES (@id, @slot, @org, @createdAt, @image)`,
        {
          id: record.id,
          slot,
          createdAt: record.createdAt,
          image: this.#vault.sealBytes(org, FIELDS.probe, bytes),
        },
      );
    });
  }

  /** The caller's searches (org-wide readers: the org's), newest first. */
  list(filters: SearchListFilters = {}): SearchPage {
    const actor = this.#readableActor();
    const limit = filters.limit ?? HISTORY_PAGE_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_PAGE_MAX)
      throw new FaceLedgerError('BAD_INPUT', `limit must be 1 to ${HISTORY_PAGE_MAX}`);
    if (filters.actor !== undefined && actor !== null && filters.actor !== actor)
      return { items: [], nextCursor: null };
    const caseNumber = filters.caseNumber?.trim();
    const cursor = filters.cursor ? decodeCursor(filters.cursor) : null;
    const rows = this.#sql.all<SearchRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM searches
       WHERE org_id = @org AND actor = COALESCE(@actor, actor) AND case_bidx = COALESCE(@caseBidx, case_bidx)
         AND created_at >= COALESCE(@from, '') AND created_at < COALESCE(@to, '9999')
         AND (created_at, id) < (COALESCE(@cursorAt, '9999'), COALESCE(@cursorId, ''))
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
      {
        actor: actor ?? filters.actor ?? null,
        caseBidx: caseNumber ? this.#vault.blindIndex(this.#orgId, FIELDS.caseNumber, caseNumber) : null,
        from: isoOf(filters.from, 'from'),
        to: isoOf(filters.to, 'to'),
        cursorAt: cursor?.at ?? null,
        cursorId: cursor?.id ?? null,
        limit: limit + 1,
      },
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.#summary(r)),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /** One search with its stored result, if the caller may read it (else undefined: not found). */
  get(id: string): { summary: SearchSummary; result: unknown } | undefined {
    const row = this.#row(id);
    if (!row) return undefined;
    const result = this.#sql.get<{ result: string }>(
      'SELECT result FROM searches WHERE org_id = @org AND id = @id',
      { id },
    );
    if (!result) return undefined;
    return {
      summary: this.#summary(row),
      result: this.#vault.openJson(this.#orgId, FIELDS.result, result.result),
    };
  }

  summary(id: string): SearchSummary | undefined {
    const row = this.#row(id);
    return row && this.#summary(row);
  }

  /** The probe photo (slot 1: a compare's second photo), opened; undefined if gone or not readable. */
  probe(id: string, slot: 0 | 1 = 0): Buffer | undefined {
    if (!this.#row(id)) return undefined;
    const row = this.#sql.get<{ image: Buffer }>(
      'SELECT image FROM search_probes WHERE org_id = @org AND search_id = @id AND slot = @slot',
      { id, slot },
    );
    return row && this.#vault.openBytes(this.#orgId, FIELDS.probe, row.image);
  }

  #row(id: string): SearchRow | undefined {
    if (typeof id !== 'string') return undefined;
    const actor = this.#readableActor();
    return this.#sql.get<SearchRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM searches
       WHERE org_id = @org AND id = @id AND actor = COALESCE(@actor, actor)`,
      { id, actor },
    );
  }

  /** null: the whole org's history (search.read.org); else only this actor's (search.read.own). */
  #readableActor(): string | null {
    if (can(this.#caller, 'search.read.org')) return null;
    authorize(this.#caller, 'search.read.own');
    return this.#caller.actor;
  }

  #summary(r: SearchRow): SearchSummary {
    return {
      searchId: r.id,
      kind: r.kind,
      actor: r.actor,
      createdAt: r.created_at,
      caseNumber: this.#vault.openText(this.#orgId, FIELDS.caseNumber, r.case_number),
      purpose: this.#vault.openText(this.#orgId, FIELDS.purpose, r.purpose),
      galleries: JSON.parse(r.galleries) as string[],
      top: r.top,
      probeSha256: r.probe_sha256,
      secondProbeSha256: r.second_sha256,
      resultCount: r.result_count,
      topSimilarity: r.top_similarity,
      decision: r.decision,
      probeKept: r.probes > 0,
    };
  }
}

const HISTORY_ACTIONS: readonly Action[] = ['search.run', 'search.read.own', 'search.read.org'];

/** A caller minted by authentication holding one of the history's actions in its own org, else FORBIDDEN. */
function authorizeAnyHistoryAction(caller: Caller): void {
  if (!isGenuineCaller(caller))
    throw new FaceLedgerError('INTERNAL', 'caller was not produced by authentication');
  if (!HISTORY_ACTIONS.some((action) => can(caller, action))) authorize(caller, 'search.read.own');
}
