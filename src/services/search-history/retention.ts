/**
 * How long an org keeps search probes and search history, and the sweep that enforces it. Probe photos
 * go first (default 30 days); the history row (sealed case, purpose and result) stays longer (365
 * days). The audit log keeps its own, longer retention: the search.run entry outlives both.
 */
import type Database from 'better-sqlite3';
import { SYSTEM_ACTOR } from '../../audit/audit-event.js';
import type { AuditLog } from '../../audit/index.js';
import { type Clock, DAY_MS } from '../../core/clock.js';
import { FaceLedgerError } from '../../core/errors.js';
import { TenantSql } from '../../tenancy/context.js';
import { authorize, type Caller, isGenuineCaller } from '../../tenancy/index.js';

export interface SearchRetention {
  probeDays: number;
  historyDays: number;
}

export const DEFAULT_SEARCH_RETENTION: Readonly<SearchRetention> = Object.freeze({
  probeDays: 30,
  historyDays: 365,
});

export const RETENTION_MAX_DAYS = 3650;

export interface SearchRetentionView extends SearchRetention {
  /** The installation's defaults, in force where the org set nothing. */
  defaults: SearchRetention;
  /** Which values the org set itself. */
  overridden: { probeDays: boolean; historyDays: boolean };
  updatedBy: string | null;
  updatedAt: string | null;
}

/** A change to an org's retention: a number of days, null for the default, absent to leave as is. */
export interface SearchRetentionChange {
  probeDays?: number | null;
  historyDays?: number | null;
}

export interface SearchPurgeCounts {
  /** Probe photos removed (a compare holds two). */
  probes: number;
  /** History rows removed. */
  searches: number;
}

interface RetentionRow {
  probe_days: number | null;
  history_days: number | null;
  updated_by: string;
  updated_at: string;
}

export interface RetentionDeps {
  db: Database.Database;
  audit: AuditLog;
  clock: Clock;
}

export function checkRetention(value: SearchRetention): SearchRetention {
  for (const [name, days] of Object.entries(value)) {
    if (!Number.isInteger(days) || days < 1 || days > RETENTION_MAX_DAYS)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `${name} must be a whole number of days from 1 to ${RETENTION_MAX_DAYS}`,
      );
  }
  if (value.probeDays > value.historyDays)
    throw new FaceLedgerError(
      'BAD_INPUT',
      'probes cannot be kept longer than the search history they belong to',
    );
  return { probeDays: value.probeDays, historyDays: value.historyDays };
}

function readRow(sql: TenantSql): RetentionRow | undefined {
  return sql.get<RetentionRow>(
    'SELECT probe_days, history_days, updated_by, updated_at FROM search_retention WHERE org_id = @org',
  );
}

function effective(row: RetentionRow | undefined, defaults: SearchRetention): SearchRetention {
  return {
    probeDays: row?.probe_days ?? defaults.probeDays,
    historyDays: row?.history_days ?? defaults.historyDays,
  };
}

/** One org's retention settings, through its caller: org-admins and auditors read, org-admins set. */
export class SearchRetentionRepo {
  readonly #deps: RetentionDeps;
  readonly #sql: TenantSql;
  readonly #caller: Caller;
  readonly #defaults: SearchRetention;

  constructor(deps: RetentionDeps, caller: Caller, defaults: SearchRetention) {
    if (!isGenuineCaller(caller))
      throw new FaceLedgerError('INTERNAL', 'caller was not produced by authentication');
    authorize(caller, 'search.read.org');
    this.#deps = deps;
    this.#sql = new TenantSql(deps.db, caller.orgId);
    this.#caller = caller;
    this.#defaults = defaults;
  }

  get(): SearchRetentionView {
    const row = readRow(this.#sql);
    return {
      ...effective(row, this.#defaults),
      defaults: { ...this.#defaults },
      overridden: { probeDays: row?.probe_days != null, historyDays: row?.history_days != null },
      updatedBy: row?.updated_by ?? null,
      updatedAt: row?.updated_at ?? null,
    };
  }

  /** Sets or clears the org's overrides; audited as config.changed in the org's chain. */
  set(change: SearchRetentionChange): SearchRetentionView {
    authorize(this.#caller, 'search.retention.manage');
    return this.#deps.db
      .transaction(() => {
        const before = readRow(this.#sql);
        const next = {
          probe_days: change.probeDays === undefined ? (before?.probe_days ?? null) : change.probeDays,
          history_days:
            change.historyDays === undefined ? (before?.history_days ?? null) : change.historyDays,
        };
        checkRetention(effective({ ...next, updated_by: '', updated_at: '' }, this.#defaults));
        const changes = (['probe_days', 'history_days'] as const)
          .filter((k) => (before?.[k] ?? null) !== next[k])
          .map((k) => ({
            key: `retention.search.${k === 'probe_days' ? 'probeDays' : 'historyDays'}`,
            from: before?.[k] == null ? null : String(before[k]),
            to: next[k] === null ? null : String(next[k]),
          }));
        if (changes.length === 0) return this.get();
        this.#sql.run(
          `INSERT INTO search_retention (org_id, probe_days, history_days, updated_by, updated_at)
         VALUES (@org, @probeDays, @historyDays, @actor, @now)
         ON CONFLICT (org_id) DO UPDATE SET probe_days = excluded.probe_days,
           history_days = excluded.history_days, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
          {
            probeDays: next.probe_days,
            historyDays: next.history_days,
            actor: this.#caller.actor,
            now: this.#deps.clock.now().toISOString(),
          },
        );
        this.#deps.audit.append({
          type: 'config.changed',
          orgId: this.#sql.orgId,
          actor: this.#caller.actor,
          details: { changes },
        });
        return this.get();
      })
      .immediate();
  }
}

/**
 * The retention sweep over every org (a maintenance job, so no caller): removes probe photos and
 * history rows older than each org's retention at `now`, and audits each org's purge in its chain.
 */
export function purgeExpiredSearches(
  deps: Omit<RetentionDeps, 'clock'>,
  defaults: SearchRetention,
  now: Date,
  actor: string = SYSTEM_ACTOR,
): SearchPurgeCounts {
  const counts: SearchPurgeCounts = { probes: 0, searches: 0 };
  // The only unscoped read: which orgs hold history at all. Everything after runs bound to one org.
  const orgs = deps.db.prepare('SELECT DISTINCT org_id FROM searches').pluck().all() as string[];
  for (const orgId of orgs) {
    const sql = new TenantSql(deps.db, orgId);
    deps.db
      .transaction(() => {
        const keep = effective(readRow(sql), defaults);
        const probesBefore = new Date(now.getTime() - keep.probeDays * DAY_MS).toISOString();
        const historyBefore = new Date(now.getTime() - keep.historyDays * DAY_MS).toISOString();
        const probes = sql.run('DELETE FROM search_probes WHERE org_id = @org AND created_at < @before', {
          before: probesBefore,
        }).changes;
        const searches = sql.run('DELETE FROM searches WHERE org_id = @org AND created_at < @before', {
          before: historyBefore,
        }).changes;
        const audit = (scope: 'search-probes' | 'search-history', before: string, purgedCount: number) => {
          if (purgedCount > 0)
            deps.audit.append({
              type: 'retention.purge',
              orgId,
              actor,
              details: { scope, before, purgedCount },
            });
        };
        audit('search-probes', probesBefore, probes);
        audit('search-history', historyBefore, searches);
        counts.probes += probes;
        counts.searches += searches;
      })
      .immediate();
  }
  return counts;
}
