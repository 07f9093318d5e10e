/**
 * Gallery names are unique per owner, not per installation (migration v8). v1 made `galleries.name`
 * UNIQUE across the whole table, so an org choosing a name another org already used was refused — and
 * that refusal told it the other org holds a gallery of that name. Ownership is the tenancy room's
 * (`gallery_owners`), and SQLite cannot enforce a uniqueness that spans two tables, so the rule "one
 * name per owner (an org, or the platform)" is checked where galleries are created or change owner;
 * this migration only drops the old constraint, rebuilding the table as SQLite requires.
 */
export const GALLERY_NAMES_PER_OWNER_MIGRATION = {
  version: 8,
  name: 'gallery names unique per owner',
  rebuildsTables: true,
  sql: `
    CREATE TABLE galleries_v8 (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      legal_basis TEXT NOT NULL,
      source_description TEXT NOT NULL DEFAULT '',
      retention_days INTEGER,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
    INSERT INTO galleries_v8 (id, name, description, legal_basis, source_description, retention_days, created_by, created_at)
      SELECT id, name, description, legal_basis, source_description, retention_days, created_by, created_at FROM galleries;
    DROP TABLE galleries;
    ALTER TABLE galleries_v8 RENAME TO galleries;
    CREATE INDEX galleries_name ON galleries(name);
  `,
} as const;
