/**
 * Schema history, applied in order inside one transaction each. Never edit a released migration:
 * add a new one. `schema_version` holds the highest applied number.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * The migration rebuilds a table other tables reference (SQLite cannot drop a column constraint in
   * place). Foreign keys are switched off around it, as SQLite's table-rebuild procedure asks —
   * otherwise dropping the old table would cascade-delete every row that references it — and
   * `foreign_key_check` must come back empty before it commits.
   */
  readonly rebuildsTables?: true;
}

/**
 * The gallery room's own tables (v1). Rooms above add theirs after it; the whole list the app opens
 * with is `services/schema.ts`.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'galleries, images, faces, identities, ingest jobs',
    sql: `
      CREATE TABLE galleries (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        legal_basis TEXT NOT NULL,
        source_description TEXT NOT NULL DEFAULT '',
        retention_days INTEGER,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE images (
        id TEXT PRIMARY KEY,
        gallery_id TEXT NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL,
        location TEXT NOT NULL,
        source_link TEXT,
        subject_id TEXT,
        metadata TEXT NOT NULL DEFAULT '{}',
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        job_id TEXT,
        ingested_at TEXT NOT NULL,
        UNIQUE (gallery_id, sha256)
      );
      CREATE INDEX images_subject ON images(gallery_id, subject_id);

      CREATE TABLE identities (
        id TEXT PRIMARY KEY,
        gallery_id TEXT NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
        subject_id TEXT,
        face_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE INDEX identities_gallery ON identities(gallery_id);

      -- label is the key in the gallery's vector index; AUTOINCREMENT so a deleted face's label is never reused.
      CREATE TABLE faces (
        label INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        gallery_id TEXT NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
        face_index INTEGER NOT NULL,
        box TEXT NOT NULL,
        landmarks TEXT NOT NULL,
        score REAL NOT NULL,
        quality TEXT NOT NULL,
        embedding BLOB NOT NULL,
        identity_id TEXT REFERENCES identities(id) ON DELETE SET NULL,
        -- 1 for the face the image's subject id names (the largest face); bystanders carry no subject id.
        is_subject INTEGER NOT NULL DEFAULT 0,
        UNIQUE (image_id, face_index)
      );
      CREATE INDEX faces_gallery ON faces(gallery_id, label);
      CREATE INDEX faces_identity ON faces(identity_id);

      CREATE TABLE face_thumbnails (
        face_label INTEGER PRIMARY KEY REFERENCES faces(label) ON DELETE CASCADE,
        jpeg BLOB NOT NULL
      );

      CREATE TABLE ingest_jobs (
        id TEXT PRIMARY KEY,
        gallery_id TEXT NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        items_done INTEGER NOT NULL DEFAULT 0,
        images_enrolled INTEGER NOT NULL DEFAULT 0,
        faces_enrolled INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        no_face INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        faces_filtered TEXT NOT NULL DEFAULT '{}',
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        created_by TEXT NOT NULL
      );
      CREATE INDEX ingest_jobs_source ON ingest_jobs(gallery_id, source, status);

      -- One row per source item a job has settled; resume skips keys found here.
      CREATE TABLE ingest_items (
        job_id TEXT NOT NULL REFERENCES ingest_jobs(id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        location TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('enrolled', 'duplicate', 'no_face', 'error')),
        error_code TEXT,
        error_message TEXT,
        image_id TEXT,
        faces INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, item_key)
      );

      -- How far each gallery's saved index file reaches; faces above it are replayed on open.
      CREATE TABLE index_state (
        gallery_id TEXT PRIMARY KEY REFERENCES galleries(id) ON DELETE CASCADE,
        saved_through_label INTEGER NOT NULL,
        saved_at TEXT NOT NULL
      );
    `,
  },
];
