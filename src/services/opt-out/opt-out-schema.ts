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
