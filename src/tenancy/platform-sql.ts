/**
 * The SQL runner of the platform scope. Platform-admins manage the org directory and gallery grants;
 * they never read what happens inside an org. So this runner refuses any statement naming a table of
 * org content (users, sessions, keys, codes, counters, quota overrides): a platform method that tried to
 * read them fails before it runs. (Platform accounts themselves are read through a TenantSql bound to
 * the null tenant, and org-scoped writes a platform action needs — an org's first admin, its quota
 * ceiling — go through a TenantSql bound to that org.)
 */
import type Database from 'better-sqlite3';
import { FaceLedgerError } from '../core/errors.js';
import type { Db } from './context.js';

export const ORG_CONTENT_TABLES = [
  'users',
  'sessions',
  'api_keys',
  'recovery_codes',
  'login_challenges',
  'setup_tokens',
  'quota_settings',
  'search_counts',
  'search_minute_counts',
  // The case-bound search history (services/search-history): sealed cases, results and probe photos.
  'searches',
  'search_probes',
  'search_retention',
  // Alerts about an org's people (services/alerts): for its auditors only.
  'alerts',
] as const;

const FORBIDDEN = new RegExp(`\\b(${ORG_CONTENT_TABLES.join('|')})\\b`, 'i');

export class PlatformSql {
  readonly #db: Db;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Db) {
    this.#db = db;
  }

  get<T>(sql: string, params: Record<string, unknown> = {}): T | undefined {
    return this.#prepare(sql).get(params) as T | undefined;
  }

  all<T>(sql: string, params: Record<string, unknown> = {}): T[] {
    return this.#prepare(sql).all(params) as T[];
  }

  run(sql: string, params: Record<string, unknown> = {}): Database.RunResult {
    return this.#prepare(sql).run(params);
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      const hit = FORBIDDEN.exec(sql);
      if (hit)
        throw new FaceLedgerError('INTERNAL', `platform statements may not touch org content (${hit[1]})`);
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
