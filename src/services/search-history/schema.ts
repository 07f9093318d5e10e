import type { Migration } from '../../gallery/store/migrations.js';

/**
 * v5: the case-bound search history. One row per search or 1:1 compare an org's caller ran, with
 * everything a person could read sealed under the org's data key; probe photos in their own table so
 * probe retention can drop them while the history row stays; per-org retention overrides.
 */
export const SEARCH_HISTORY_MIGRATION: Migration = {
  version: 5,
  name: 'case-bound searches',
  sql: `
    CREATE TABLE searches (
      id TEXT PRIMARY KEY,
      org_id TEXT NOT NULL REFERENCES orgs(id),
      actor TEXT NOT NULL,                       -- user:<id> / apikey:<id>
      kind TEXT NOT NULL CHECK (kind IN ('search', 'compare')),
      created_at TEXT NOT NULL,
      case_number TEXT NOT NULL,                 -- sealed: vault(org id, 'searches.case_number')
      case_bidx TEXT NOT NULL,                   -- blind index (org scope, 'searches.case_number')
      purpose TEXT NOT NULL,                     -- sealed: vault(org id, 'searches.purpose')
      galleries TEXT NOT NULL,                   -- JSON array of gallery ids searched ([] for a compare)
      top INTEGER,
      probe_sha256 TEXT NOT NULL,
      second_sha256 TEXT,                        -- a compare's second photo
      result_count INTEGER NOT NULL,
      top_similarity REAL,
      decision TEXT NOT NULL,
      result TEXT NOT NULL                       -- sealed JSON: vault(org id, 'searches.result')
    );
    CREATE INDEX searches_org_created ON searches(org_id, created_at, id);
    CREATE INDEX searches_org_actor_created ON searches(org_id, actor, created_at, id);
    CREATE INDEX searches_org_case ON searches(org_id, case_bidx);

    CREATE TABLE search_probes (
      search_id TEXT NOT NULL REFERENCES searches(id) ON DELETE CASCADE,
      slot INTEGER NOT NULL CHECK (slot IN (0, 1)), -- 0: the probe (a compare's first photo), 1: second photo
      org_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      image BLOB NOT NULL,                       -- sealed bytes: vault(org id, 'searches.probe')
      PRIMARY KEY (search_id, slot)
    );
    CREATE INDEX search_probes_org_created ON search_probes(org_id, created_at);

    -- Per-org overrides (NULL: the installation default).
    CREATE TABLE search_retention (
      org_id TEXT PRIMARY KEY REFERENCES orgs(id),
      probe_days INTEGER CHECK (probe_days IS NULL OR probe_days >= 1),
      history_days INTEGER CHECK (history_days IS NULL OR history_days >= 1),
      updated_by TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `,
};
