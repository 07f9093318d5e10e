/**
 * The opt-out tables (migration v6). One row per accepted opt-out request: the person's face template
 * sealed under the platform data key — a biometric, so never in plaintext — and the SHA-256 of the
 * confirmation code they were shown once. The selfie itself is never written anywhere.
 *
 * What stays visible without the master key: how many opt-outs there are, when they arrived, by which
 * channel, and how many faces each one removed (counts, not which).
 */
export const OPT_OUT_MIGRATION = {
  version: 6,
  name: 'opt-out suppression list',
  sql: `
    CREATE TABLE opt_outs (
      id TEXT PRIMARY KEY,
      template BLOB NOT NULL,                    -- sealed: vault('platform', 'opt_outs.template'), 128 float32
      code_sha256 TEXT NOT NULL UNIQUE,          -- SHA-256 hex of the confirmation code (≥ 100 random bits)
      via TEXT NOT NULL CHECK (via IN ('public', 'cli')),
      created_at TEXT NOT NULL,
      faces_removed INTEGER NOT NULL DEFAULT 0 CHECK (faces_removed >= 0),
      images_removed INTEGER NOT NULL DEFAULT 0 CHECK (images_removed >= 0)
    );
  `,
} as const;

/**
 * Opt-outs from the public page are held before anything is erased (migration v9). The public
 * endpoint cannot check that a selfie is the sender's own face, so an erasure made at once would let
 * anyone with someone's photo wipe that person from every gallery for good. Now such a request
 * suppresses the face at once (never returned by search, never enrolled) and erases the matching faces
 * only when its hold ends — or sooner, when a platform-admin confirms it. Within the hold a
 * platform-admin may reject it: the template is destroyed and the faces, never erased, are searchable
 * again. `erasing` marks a request whose erasure has begun and not yet finished: after a crash the
 * next sweep finishes it, and it can no longer be rejected. Requests made before v9 had already erased
 * their faces: they are `confirmed`.
 */
export const OPT_OUT_HOLD_MIGRATION = {
  version: 9,
  name: 'opt-out hold and review',
  sql: `
    ALTER TABLE opt_outs ADD COLUMN status TEXT NOT NULL DEFAULT 'confirmed'
      CHECK (status IN ('held', 'erasing', 'confirmed', 'rejected'));
    ALTER TABLE opt_outs ADD COLUMN erase_after TEXT;   -- held: when the sweep confirms it; else null
    ALTER TABLE opt_outs ADD COLUMN decided_by TEXT;    -- who confirmed or rejected it (null: the sweep, or at once)
    ALTER TABLE opt_outs ADD COLUMN decided_at TEXT;
    CREATE INDEX opt_outs_held ON opt_outs(status, erase_after);
  `,
} as const;
