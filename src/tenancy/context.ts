/**
 * What every part of the tenancy room shares: the connection, the Vault, the audit log, the clock, the
 * settings, and the one helper through which org-scoped SQL runs (`TenantSql`).
 */
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { AUDIT_DETAIL_SCHEMAS, AuditEvent, AuditEventType } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import { type Clock, systemClock } from '../core/clock.js';
import { FaceLedgerError } from '../core/errors.js';
import { PLATFORM_SCOPE, type Vault } from '../crypto/index.js';
import { type Argon2Params, DEFAULT_ARGON2, PasswordHasher } from './passwords.js';

export type Db = Database.Database;

/** The details an audit event of type T takes (as AuditLog.append validates them). */
export type DetailsOf<T extends AuditEventType> = z.input<(typeof AUDIT_DETAIL_SCHEMAS)[T]>;

export interface TenancyDeps {
  /** A connection with migrations v1–v4 applied (v4 = TENANCY_MIGRATION). */
  db: Db;
  vault: Vault;
  audit: AuditLog;
}

export interface TenancyOptions {
  clock?: Clock;
  /** argon2id cost; tests lower it. Default DEFAULT_ARGON2. */
  argon2?: Argon2Params;
  /** Consecutive failed logins (passwords or second factors) that lock an account. Default 5. */
  maxFailedAttempts?: number;
  /** How long a lockout lasts before it lifts by itself. Default 900 (15 min). */
  lockoutSeconds?: number;
  /** A session unused this long expires. Default 1800 (30 min). */
  sessionIdleSeconds?: number;
  /** A session expires this long after login, however busy. Default 43200 (12 h). */
  sessionLifetimeSeconds?: number;
  /** Time to give the second factor after a good password. Default 300. */
  challengeSeconds?: number;
  /** Life of a one-time setup token (new account, password reset). Default 86400 (24 h). */
  setupTokenSeconds?: number;
  /** API keys expire within this many days. Default 365. */
  apiKeyMaxDays?: number;
  /** Recovery codes issued per enrolment. Default 10. */
  recoveryCodeCount?: number;
  /** Issuer shown in authenticator apps. Default 'FaceLedger'. */
  totpIssuer?: string;
}

export type TenancySettings = Required<Omit<TenancyOptions, 'clock' | 'argon2'>>;

export const DEFAULT_SETTINGS: Readonly<TenancySettings> = Object.freeze({
  maxFailedAttempts: 5,
  lockoutSeconds: 15 * 60,
  sessionIdleSeconds: 30 * 60,
  sessionLifetimeSeconds: 12 * 60 * 60,
  challengeSeconds: 5 * 60,
  setupTokenSeconds: 24 * 60 * 60,
  apiKeyMaxDays: 365,
  recoveryCodeCount: 10,
  totpIssuer: 'FaceLedger',
});

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new FaceLedgerError('BAD_INPUT', `${name} must be a whole number from 1`);
  return value;
}

export class TenancyContext {
  readonly db: Db;
  readonly vault: Vault;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly settings: Readonly<TenancySettings>;
  readonly hasher: PasswordHasher;

  constructor(deps: TenancyDeps, options: TenancyOptions = {}) {
    this.db = deps.db;
    this.vault = deps.vault;
    this.audit = deps.audit;
    this.clock = options.clock ?? systemClock;
    this.hasher = new PasswordHasher(options.argon2 ?? DEFAULT_ARGON2);
    const { clock: _clock, argon2: _argon2, ...rest } = options;
    const settings = { ...DEFAULT_SETTINGS, ...rest };
    for (const [key, value] of Object.entries(settings)) {
      if (typeof value === 'number') positiveInt(key, value);
    }
    this.settings = Object.freeze(settings);
  }

  now(): Date {
    return this.clock.now();
  }

  /** `now` plus `seconds`, as stored (ISO). */
  isoIn(seconds: number): string {
    return new Date(this.now().getTime() + seconds * 1000).toISOString();
  }

  /** Runs `fn` in an IMMEDIATE transaction (a savepoint inside an enclosing one). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Appends an audit event; call inside the transaction of the action it records. */
  event<T extends AuditEventType>(type: T, orgId: string | null, actor: string, details: DetailsOf<T>): void {
    this.audit.append({ type, orgId, actor, details } as AuditEvent);
  }

  /** The Vault scope for an org's values; platform accounts use PLATFORM_SCOPE. */
  sealScope(orgId: string | null): string {
    return orgId ?? PLATFORM_SCOPE;
  }
}

/** Matches a WHERE condition binding the tenant: `org_id = @org` or `org_id IS @org` (with an alias). */
const SCOPED_CONDITION = /\b(?:\w+\.)?org_id\s+(?:=|IS)\s+@org\b/i;
/** The org's own row: `... orgs ... WHERE id = @org`. */
const OWN_ORG_ROW = /^\s*(?:SELECT\b[\s\S]*\bFROM|UPDATE)\s+orgs\b[\s\S]*\bWHERE\s+id\s+=\s+@org\b/i;

/**
 * The only way scoped repositories run SQL: the tenant (`@org`) is bound by this object, never by the
 * caller, and a statement that does not filter on it is refused before it runs. SELECT, UPDATE and
 * DELETE must contain `org_id = @org` (or `org_id IS @org`, which also matches the NULL tenant of
 * platform accounts; the `orgs` table itself: `WHERE id = @org`) and no `OR`; INSERT must write `@org`.
 */
/** Prepared statements per connection, shared by every TenantSql (scopes are made per request). */
const STATEMENTS = new WeakMap<Db, Map<string, Database.Statement>>();

export class TenantSql {
  readonly #db: Db;
  readonly #statements: Map<string, Database.Statement>;
  /** The tenant: an org id, or null for platform accounts. */
  readonly orgId: string | null;

  constructor(db: Db, orgId: string | null) {
    this.#db = db;
    this.orgId = orgId;
    let cache = STATEMENTS.get(db);
    if (!cache) {
      cache = new Map();
      STATEMENTS.set(db, cache);
    }
    this.#statements = cache;
  }

  get<T>(sql: string, params: Record<string, unknown> = {}): T | undefined {
    return this.#prepare(sql).get({ ...params, org: this.orgId }) as T | undefined;
  }

  all<T>(sql: string, params: Record<string, unknown> = {}): T[] {
    return this.#prepare(sql).all({ ...params, org: this.orgId }) as T[];
  }

  run(sql: string, params: Record<string, unknown> = {}): Database.RunResult {
    return this.#prepare(sql).run({ ...params, org: this.orgId });
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      assertTenantScoped(sql);
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** Throws INTERNAL unless `sql` is bound to the tenant (see TenantSql). Exported for tests. */
export function assertTenantScoped(sql: string): void {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  // A disjunction could sidestep the tenant condition (`org_id = @org OR 1 = 1`): scoped SQL has none.
  if (/\bOR\b/i.test(sql))
    throw new FaceLedgerError(
      'INTERNAL',
      'scoped statements may not use OR (it could bypass the tenant filter)',
    );
  const ok =
    verb === 'INSERT'
      ? /@org\b/.test(sql)
      : (verb === 'SELECT' || verb === 'UPDATE' || verb === 'DELETE' || verb === 'WITH') &&
        (SCOPED_CONDITION.test(sql) || OWN_ORG_ROW.test(sql));
  if (!ok)
    throw new FaceLedgerError('INTERNAL', 'scoped statement does not filter on the tenant (org_id = @org)');
}
