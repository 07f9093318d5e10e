/**
 * Search quotas and counts.
 *
 * Limits (null = unlimited) come from `quota_settings`, per org:
 * - subject `org`: the org's ceiling over all its users and keys (set by a platform-admin);
 * - subject `user-default`: each user's / key's limit unless overridden (set by the org-admin);
 * - subject `user:<id>` / `apikey:<id>`: an override for one user or key (org-admin);
 * falling back to the service defaults. Windows are fixed: the current UTC minute and the current UTC
 * day, so `retryAfterSeconds` is the time to the next minute or to midnight UTC (a burst of up to
 * twice the per-minute limit across a minute boundary is possible, by design of fixed windows).
 *
 * Counts per subject per UTC day stay in `search_counts`; only the org's org-admins and auditors read
 * them (`counts.read`), through the caller-scoped repository. Platform-admins cannot.
 */
import { FaceLedgerError } from '../core/errors.js';
import { assertCallerOfTenant, assertGenuineCaller, type Caller, type OrgCaller } from './caller.js';
import { type TenancyContext, TenantSql } from './context.js';
import { deny, notFound } from './denial.js';
import { authorize } from './policy.js';
import type { QuotaLimits, SearchCountRow } from './records.js';
import { OrgScopedRepo } from './scoped-repo.js';

export interface QuotaDefaults {
  /** The org-wide ceiling when a platform-admin set none. */
  org: QuotaLimits;
  /** Each user's / key's limit when the org-admin set none. */
  user: QuotaLimits;
}

export const DEFAULT_QUOTAS: Readonly<QuotaDefaults> = Object.freeze({
  org: { perMinute: null, perDay: null },
  user: { perMinute: 10, perDay: 500 },
});

export const QUOTA_WINDOWS = ['user-minute', 'user-day', 'org-minute', 'org-day'] as const;
export type QuotaWindow = (typeof QUOTA_WINDOWS)[number];

export type QuotaDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; exceeded: QuotaWindow[] };

export interface QuotaSettingsView {
  /** The org's ceiling (platform-set) as in force now. */
  org: QuotaLimits;
  /** The per-user default as in force now. */
  userDefault: QuotaLimits;
  /** Overrides for single users / keys. */
  overrides: { subject: string; limits: QuotaLimits }[];
}

export interface DayRange {
  /** First UTC day, inclusive (`YYYY-MM-DD`). */
  from?: string;
  /** Last UTC day, inclusive. */
  to?: string;
}

const SUBJECT = /^(user|apikey):[0-9a-f-]{36}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_LIMIT = 1_000_000_000;

export function checkLimits(limits: QuotaLimits): QuotaLimits {
  const one = (name: string, v: unknown): number | null => {
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_LIMIT)
      throw new FaceLedgerError('BAD_INPUT', `${name} must be a whole number from 0, or null for unlimited`);
    return v;
  };
  if (typeof limits !== 'object' || limits === null)
    throw new FaceLedgerError('BAD_INPUT', 'limits must be { perMinute, perDay }');
  return { perMinute: one('perMinute', limits.perMinute), perDay: one('perDay', limits.perDay) };
}

function checkRange(range: DayRange): { from: string; to: string } {
  for (const d of [range.from, range.to]) {
    if (d !== undefined && (typeof d !== 'string' || !DAY.test(d)))
      throw new FaceLedgerError('BAD_INPUT', 'days are YYYY-MM-DD');
  }
  return { from: range.from ?? '0000-01-01', to: range.to ?? '9999-12-31' };
}

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function epochMinute(at: Date): number {
  return Math.floor(at.getTime() / 60_000);
}

interface SettingRow {
  subject: string;
  per_minute: number | null;
  per_day: number | null;
}

function readSetting(sql: TenantSql, subject: string): QuotaLimits | undefined {
  const row = sql.get<SettingRow>(
    'SELECT subject, per_minute, per_day FROM quota_settings WHERE org_id = @org AND subject = @subject',
    { subject },
  );
  return row && { perMinute: row.per_minute, perDay: row.per_day };
}

export function writeSetting(
  ctx: TenancyContext,
  sql: TenantSql,
  subject: string,
  limits: QuotaLimits | null,
  actor: string,
): void {
  const before = readSetting(sql, subject);
  if (limits === null) {
    sql.run('DELETE FROM quota_settings WHERE org_id = @org AND subject = @subject', { subject });
  } else {
    sql.run(
      `INSERT INTO quota_settings (org_id, subject, per_minute, per_day, updated_by, updated_at)
       VALUES (@org, @subject, @perMinute, @perDay, @actor, @now)
       ON CONFLICT (org_id, subject) DO UPDATE SET per_minute = excluded.per_minute,
         per_day = excluded.per_day, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      { subject, ...limits, actor, now: ctx.now().toISOString() },
    );
  }
  const show = (l: QuotaLimits | undefined | null) =>
    l ? `perMinute=${l.perMinute ?? 'unlimited'},perDay=${l.perDay ?? 'unlimited'}` : null;
  ctx.event('config.changed', sql.orgId, actor, {
    changes: [{ key: `quota.${subject}`, from: show(before), to: show(limits) }],
  });
}

/** The org's quota settings and override list, for `counts.read` holders (org-admins, auditors). */
export class QuotasRepo extends OrgScopedRepo {
  readonly #defaults: QuotaDefaults;

  constructor(ctx: TenancyContext, sql: TenantSql, caller: Caller, defaults: QuotaDefaults) {
    super(ctx, sql, caller);
    this.#defaults = defaults;
  }

  settings(): QuotaSettingsView {
    authorize(this.caller, 'counts.read');
    const overrides = this.sql
      .all<SettingRow>(
        `SELECT subject, per_minute, per_day FROM quota_settings
         WHERE org_id = @org AND subject NOT IN ('org', 'user-default') ORDER BY subject`,
      )
      .map((r) => ({ subject: r.subject, limits: { perMinute: r.per_minute, perDay: r.per_day } }));
    return {
      org: readSetting(this.sql, 'org') ?? { ...this.#defaults.org },
      userDefault: readSetting(this.sql, 'user-default') ?? { ...this.#defaults.user },
      overrides,
    };
  }

  /** The per-user default for this org (null: back to the installation default). */
  setUserDefault(limits: QuotaLimits | null): void {
    authorize(this.caller, 'quotas.manage');
    const checked = limits === null ? null : checkLimits(limits);
    this.ctx.tx(() => writeSetting(this.ctx, this.sql, 'user-default', checked, this.caller.actor));
  }

  /** An override for one user (`user:<id>`) or key (`apikey:<id>`) of this org; null removes it. */
  setForSubject(subject: string, limits: QuotaLimits | null): void {
    authorize(this.caller, 'quotas.manage');
    if (typeof subject !== 'string' || !SUBJECT.test(subject))
      throw new FaceLedgerError('BAD_INPUT', 'subject must be user:<id> or apikey:<id>');
    const checked = limits === null ? null : checkLimits(limits);
    this.ctx.tx(() => {
      const [kind, id] = subject.split(':') as [string, string];
      const exists =
        kind === 'user'
          ? this.sql.get('SELECT id FROM users WHERE id = @id AND org_id = @org', { id })
          : this.sql.get('SELECT id FROM api_keys WHERE id = @id AND org_id = @org', { id });
      if (!exists) throw notFound(kind === 'user' ? 'user' : 'API key');
      writeSetting(this.ctx, this.sql, subject, checked, this.caller.actor);
    });
  }
}

/** Search counts of one org (`counts.read`: its org-admins and auditors). */
export class CountsRepo {
  readonly #sql: TenantSql;
  readonly #caller: Caller;

  constructor(sql: TenantSql, caller: Caller) {
    assertCallerOfTenant(caller, sql.orgId);
    this.#sql = sql;
    this.#caller = caller;
  }

  /** Searches per subject per UTC day, oldest day first. */
  daily(range: DayRange = {}): SearchCountRow[] {
    authorize(this.#caller, 'counts.read');
    const { from, to } = checkRange(range);
    return this.#sql.all<SearchCountRow>(
      `SELECT day, subject, count FROM search_counts
       WHERE org_id = @org AND day >= @from AND day <= @to ORDER BY day, subject`,
      { from, to },
    );
  }

  /** The org's searches per UTC day. */
  totals(range: DayRange = {}): { day: string; count: number }[] {
    authorize(this.#caller, 'counts.read');
    const { from, to } = checkRange(range);
    return this.#sql.all<{ day: string; count: number }>(
      `SELECT day, SUM(count) AS count FROM search_counts
       WHERE org_id = @org AND day >= @from AND day <= @to GROUP BY day ORDER BY day`,
      { from, to },
    );
  }
}

/**
 * Enforcement. `check` and `record` take the caller (not bare ids), so they can only ever concern the
 * caller's own org and own counters; `consume` does both atomically (use it around each search).
 */
export class QuotaService {
  readonly #ctx: TenancyContext;
  readonly #defaults: QuotaDefaults;

  constructor(ctx: TenancyContext, defaults: QuotaDefaults = DEFAULT_QUOTAS) {
    this.#ctx = ctx;
    this.#defaults = { org: checkLimits(defaults.org), user: checkLimits(defaults.user) };
  }

  get defaults(): QuotaDefaults {
    return { org: { ...this.#defaults.org }, user: { ...this.#defaults.user } };
  }

  /** Whether the caller may run one more search now; if not, how long to wait. Counts nothing. */
  check(caller: Caller): QuotaDecision {
    const sql = this.#sqlFor(caller);
    const now = this.#ctx.now();
    const subject = caller.actor;
    const user = readSetting(sql, subject) ?? readSetting(sql, 'user-default') ?? this.#defaults.user;
    const org = readSetting(sql, 'org') ?? this.#defaults.org;
    const minute = epochMinute(now);
    const day = utcDay(now);
    const used = {
      userMinute:
        sql.get<{ n: number }>(
          `SELECT count AS n FROM search_minute_counts
           WHERE org_id = @org AND minute = @minute AND subject = @subject`,
          { minute, subject },
        )?.n ?? 0,
      userDay:
        sql.get<{ n: number }>(
          'SELECT count AS n FROM search_counts WHERE org_id = @org AND day = @day AND subject = @subject',
          { day, subject },
        )?.n ?? 0,
      orgMinute:
        sql.get<{ n: number | null }>(
          'SELECT SUM(count) AS n FROM search_minute_counts WHERE org_id = @org AND minute = @minute',
          { minute },
        )?.n ?? 0,
      orgDay:
        sql.get<{ n: number | null }>(
          'SELECT SUM(count) AS n FROM search_counts WHERE org_id = @org AND day = @day',
          {
            day,
          },
        )?.n ?? 0,
    };
    const exceeded: QuotaWindow[] = [];
    if (user.perMinute !== null && used.userMinute >= user.perMinute) exceeded.push('user-minute');
    if (user.perDay !== null && used.userDay >= user.perDay) exceeded.push('user-day');
    if (org.perMinute !== null && used.orgMinute >= org.perMinute) exceeded.push('org-minute');
    if (org.perDay !== null && used.orgDay >= org.perDay) exceeded.push('org-day');
    if (exceeded.length === 0) return { allowed: true };
    const ms = now.getTime();
    const toNextMinute = (minute + 1) * 60_000 - ms;
    const toMidnight = Date.parse(`${day}T00:00:00.000Z`) + 86_400_000 - ms;
    const waitMs = Math.max(...exceeded.map((w) => (w.endsWith('minute') ? toNextMinute : toMidnight)));
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), exceeded };
  }

  /** Counts `searches` (default 1) for the caller now. */
  record(caller: Caller, searches = 1): void {
    if (!Number.isInteger(searches) || searches < 1)
      throw new FaceLedgerError('BAD_INPUT', 'searches to record must be a whole number from 1');
    const sql = this.#sqlFor(caller);
    const now = this.#ctx.now();
    const minute = epochMinute(now);
    const params = { subject: caller.actor, minute, day: utcDay(now), n: searches };
    this.#ctx.tx(() => {
      sql.run(
        `INSERT INTO search_counts (org_id, day, subject, count) VALUES (@org, @day, @subject, @n)
         ON CONFLICT (org_id, day, subject) DO UPDATE SET count = count + excluded.count`,
        params,
      );
      sql.run(
        `INSERT INTO search_minute_counts (org_id, minute, subject, count) VALUES (@org, @minute, @subject, @n)
         ON CONFLICT (org_id, minute, subject) DO UPDATE SET count = count + excluded.count`,
        params,
      );
      sql.run('DELETE FROM search_minute_counts WHERE org_id = @org AND minute < @minute', params);
    });
  }

  /** `check`, and if allowed `record`, in one transaction (no two processes both take the last slot). */
  consume(caller: Caller): QuotaDecision {
    return this.#ctx.tx(() => {
      const decision = this.check(caller);
      if (decision.allowed) this.record(caller);
      return decision;
    });
  }

  /** The caller's org's daily counts; only its org-admins and auditors (`counts.read`). */
  counts(caller: Caller, range: DayRange = {}): SearchCountRow[] {
    return new CountsRepo(this.#sqlFor(caller), caller).daily(range);
  }

  #sqlFor(caller: Caller): TenantSql {
    assertGenuineCaller(caller);
    if (caller.orgId === null) throw deny('forbidden', 'platform accounts have no org quota or counts', null);
    return new TenantSql(this.#ctx.db, (caller as OrgCaller).orgId);
  }
}
