import type { Migration } from '../../gallery/store/migrations.js';

/**
 * The alerts tables (migration v7; needs v4's `orgs`).
 *
 * An alert names who or what it is about (`subject`: an actor such as `user:<id>` / `apikey:<id>`, or
 * `probe:<sha256>` for a burst on one probe) and the UTC day of the event that raised it; at most one
 * alert per (org, kind, subject, day) is open at a time. `details` is JSON of counts, thresholds and
 * times only — never a case number, purpose, e-mail, name or probe image — so it needs no sealing.
 *
 * `alert_scan_cursor` remembers the last audit entry the sweep evaluated, so a sweep reads each entry
 * once however often it runs.
 */
export const ALERTS_MIGRATION: Migration = {
  version: 7,
  name: 'alerts',
  sql: `
    CREATE TABLE alerts (
      id TEXT PRIMARY KEY,
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      subject TEXT NOT NULL,
      day TEXT NOT NULL,                         -- UTC day of the triggering event (YYYY-MM-DD)
      triggered_at TEXT NOT NULL,                -- time of the triggering event
      created_at TEXT NOT NULL,
      details TEXT NOT NULL,                     -- JSON: counts, thresholds, times, search ids
      acknowledged_at TEXT,
      acknowledged_by TEXT,
      CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
    );
    CREATE UNIQUE INDEX alerts_open_once ON alerts(org_id, kind, subject, day) WHERE acknowledged_at IS NULL;
    CREATE INDEX alerts_org_id ON alerts(org_id, id);

    CREATE TABLE alert_scan_cursor (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      seq INTEGER NOT NULL,
      at TEXT NOT NULL
    );
  `,
};
