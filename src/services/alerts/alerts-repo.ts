/**
 * The SQL behind alerts: the `alerts` table, the sweep's cursor, and the read-only look-ups the rules
 * need from tenancy's tables (daily search counts, account state). Every statement about org content
 * names `org_id = ?` with the org the service resolved from a genuine caller or an audit entry.
 */
import type Database from 'better-sqlite3';
import { FaceLedgerError } from '../../core/errors.js';
import type { AlertKind } from './alert-rules.js';

type Db = Database.Database;

export interface Alert {
  id: string;
  orgId: string;
  kind: AlertKind;
  /** `user:<id>`, `apikey:<id>` or `probe:<sha256>`. */
  subject: string;
  /** UTC day of the triggering event. */
  day: string;
  triggeredAt: string;
  createdAt: string;
  details: Record<string, unknown>;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

interface AlertRow {
  id: string;
  org_id: string;
  kind: AlertKind;
  subject: string;
  day: string;
  triggered_at: string;
  created_at: string;
  details: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

const COLUMNS =
  'id, org_id, kind, subject, day, triggered_at, created_at, details, acknowledged_at, acknowledged_by';

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind,
    subject: row.subject,
    day: row.day,
    triggeredAt: row.triggered_at,
    createdAt: row.created_at,
    details: JSON.parse(row.details) as Record<string, unknown>,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
  };
}

export interface AlertListQuery {
  status: 'open' | 'acknowledged' | 'all';
  kind?: AlertKind;
  limit: number;
  /** Id of the last alert of the previous page (newest first). */
  after?: string;
}

export class AlertsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  transaction<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  /**
   * Whether a new alert for this key is due: none is open, and none was acknowledged at or after the
   * triggering event (what happened before an acknowledgement was part of what was acknowledged).
   */
  isDue(orgId: string, kind: AlertKind, subject: string, day: string, triggeredAt: string): boolean {
    const row = this.#db
      .prepare(
        `SELECT 1 FROM alerts WHERE org_id = ? AND kind = ? AND subject = ? AND day = ?
         AND (acknowledged_at IS NULL OR acknowledged_at >= ?) LIMIT 1`,
      )
      .get(orgId, kind, subject, day, triggeredAt);
    return row === undefined;
  }

  /** Inserts unless an open alert holds the key (the partial unique index); returns whether it did. */
  insert(alert: Alert): boolean {
    const changes = this.#db
      .prepare(
        `INSERT OR IGNORE INTO alerts (${COLUMNS}) VALUES
         (@id, @orgId, @kind, @subject, @day, @triggeredAt, @createdAt, @details, NULL, NULL)`,
      )
      .run({ ...alert, details: JSON.stringify(alert.details) }).changes;
    return changes === 1;
  }

  get(orgId: string, id: string): Alert | undefined {
    const row = this.#db
      .prepare(`SELECT ${COLUMNS} FROM alerts WHERE org_id = ? AND id = ?`)
      .get(orgId, id) as AlertRow | undefined;
    return row && toAlert(row);
  }

  list(orgId: string, query: AlertListQuery): Alert[] {
    const where = ['org_id = ?'];
    const params: (string | number)[] = [orgId];
    if (query.status === 'open') where.push('acknowledged_at IS NULL');
    if (query.status === 'acknowledged') where.push('acknowledged_at IS NOT NULL');
    if (query.kind !== undefined) {
      where.push('kind = ?');
      params.push(query.kind);
    }
    if (query.after !== undefined) {
      where.push('id < ?');
      params.push(query.after);
    }
    const rows = this.#db
      .prepare(`SELECT ${COLUMNS} FROM alerts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
      .all(...params, query.limit) as AlertRow[];
    return rows.map(toAlert);
  }

  acknowledge(orgId: string, id: string, at: string, by: string): boolean {
    return (
      this.#db
        .prepare(
          `UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?
           WHERE org_id = ? AND id = ? AND acknowledged_at IS NULL`,
        )
        .run(at, by, orgId, id).changes === 1
    );
  }

  /** The subject's searches per UTC day in [fromDay, toDay] (inclusive), from tenancy's counts. */
  dailySearchCounts(orgId: string, subject: string, fromDay: string, toDay: string): Map<string, number> {
    const rows = this.#db
      .prepare(
        `SELECT day, count FROM search_counts
         WHERE org_id = ? AND subject = ? AND day >= ? AND day <= ?`,
      )
      .all(orgId, subject, fromDay, toDay) as { day: string; count: number }[];
    return new Map(rows.map((r) => [r.day, r.count]));
  }

  /** Why an org's account may not act at `at`, or null when it may (or is unknown). */
  inactiveReason(
    orgId: string,
    subject: string,
    at: string,
  ): 'locked' | 'disabled' | 'revoked' | 'expired' | null {
    const [kind, id] = splitActor(subject);
    if (kind === 'user') {
      const row = this.#db
        .prepare('SELECT status, locked_until FROM users WHERE org_id = ? AND id = ?')
        .get(orgId, id) as { status: string; locked_until: string | null } | undefined;
      if (!row) return null;
      if (row.status !== 'active') return 'disabled';
      if (row.locked_until !== null && row.locked_until > at) return 'locked';
      return null;
    }
    if (kind === 'apikey') {
      const row = this.#db
        .prepare('SELECT expires_at, revoked_at FROM api_keys WHERE org_id = ? AND id = ?')
        .get(orgId, id) as { expires_at: string; revoked_at: string | null } | undefined;
      if (!row) return null;
      if (row.revoked_at !== null && row.revoked_at <= at) return 'revoked';
      if (row.expires_at <= at) return 'expired';
    }
    return null;
  }

  /** Ids of the org's API keys (to tell which key a hashed failed-login name stands for). */
  apiKeyIds(orgId: string): string[] {
    return (this.#db.prepare('SELECT id FROM api_keys WHERE org_id = ?').all(orgId) as { id: string }[]).map(
      (r) => r.id,
    );
  }

  /** Whether the org still exists (alerts reference it). */
  orgExists(orgId: string): boolean {
    return this.#db.prepare('SELECT 1 FROM orgs WHERE id = ?').get(orgId) !== undefined;
  }

  scanCursor(): { seq: number; at: string } | null {
    return (
      (this.#db.prepare('SELECT seq, at FROM alert_scan_cursor WHERE id = 1').get() as
        | { seq: number; at: string }
        | undefined) ?? null
    );
  }

  saveScanCursor(seq: number, at: string): void {
    this.#db
      .prepare(
        `INSERT INTO alert_scan_cursor (id, seq, at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, at = excluded.at`,
      )
      .run(seq, at);
  }
}

function splitActor(subject: string): [string, string] {
  const colon = subject.indexOf(':');
  if (colon < 1) throw new FaceLedgerError('INTERNAL', 'alert subject is not an actor');
  return [subject.slice(0, colon), subject.slice(colon + 1)];
}
