/**
 * The tenancy tables (migration v4; needs v1's `galleries` and, at runtime, v3's `data_keys`).
 *
 * Nothing here is readable about a client: org names and contacts, user e-mails and names, API key
 * labels and TOTP secrets are sealed through the Vault (org values under the org's data key, platform
 * accounts under the `platform` scope); look-ups use blind indexes; secrets are stored as hashes
 * (argon2id for passwords, SHA-256 for 256-bit tokens and 80-bit recovery codes). What stays visible:
 * ids, roles, statuses, timestamps and counts per org id.
 *
 * Times are ISO-8601 UTC strings from the injected Clock (`toISOString()`), so they compare as text.
 * Every org-owned table carries `org_id`, which scoped repositories put in every statement.
 */
export const TENANCY_MIGRATION = {
  version: 4,
  name: 'tenancy',
  sql: `
    CREATE TABLE orgs (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,                        -- sealed: vault(org id, 'orgs.name')
      name_bidx TEXT NOT NULL UNIQUE,            -- blind index (global scope): one org per name
      contact TEXT,                              -- sealed JSON: vault(org id, 'orgs.contact')
      status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
      mfa_required INTEGER NOT NULL DEFAULT 0 CHECK (mfa_required IN (0, 1)),
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- org_id NULL: a platform account (its values sealed under the 'platform' scope).
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      email TEXT NOT NULL,                       -- sealed: vault(org id | platform, 'users.email')
      email_bidx TEXT NOT NULL UNIQUE,           -- blind index (global scope): login by e-mail
      name TEXT,                                 -- sealed: 'users.name'
      roles TEXT NOT NULL,                       -- comma-joined, see roles.ts
      status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
      password_hash TEXT,                        -- argon2id PHC string; NULL until set up
      password_changed_at TEXT,
      failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
      locked_until TEXT,
      totp_secret TEXT,                          -- sealed: 'users.totp_secret' (confirmed)
      totp_pending TEXT,                         -- sealed: 'users.totp_pending' (awaiting a code)
      totp_last_step INTEGER,                    -- newest accepted TOTP step (no replay)
      mfa_enrolled_at TEXT,
      last_login_at TEXT,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK ((org_id IS NULL) = (roles = 'platform-admin'))
    );
    CREATE INDEX users_org ON users(org_id);

    -- One-time tokens to set a first password (new account) or a new one (admin reset).
    CREATE TABLE setup_tokens (
      token_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );

    -- Between a good password and the second factor (or its first enrolment).
    CREATE TABLE login_challenges (
      token_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      kind TEXT NOT NULL CHECK (kind IN ('mfa', 'mfa-enrol')),
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );
    CREATE INDEX login_challenges_user ON login_challenges(user_id);

    CREATE TABLE recovery_codes (
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      code_hash TEXT NOT NULL,
      created_at TEXT NOT NULL,
      used_at TEXT,
      PRIMARY KEY (user_id, code_hash)
    );

    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      token_hash TEXT NOT NULL UNIQUE,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      org_id TEXT REFERENCES orgs(id) ON DELETE CASCADE,
      mfa INTEGER NOT NULL CHECK (mfa IN (0, 1)),
      created_at TEXT NOT NULL,
      last_seen_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,                  -- absolute lifetime
      revoked_at TEXT,
      revoked_reason TEXT
    );
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE INDEX sessions_org ON sessions(org_id);

    CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      secret_hash TEXT NOT NULL,                 -- sha256 of the whole token
      role TEXT NOT NULL CHECK (role IN ('investigator', 'auditor')),
      label TEXT,                                -- sealed: 'api_keys.label'
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      revoked_at TEXT,
      revoked_by TEXT,
      last_used_at TEXT
    );
    CREATE INDEX api_keys_org ON api_keys(org_id);

    -- Who owns a gallery (no row: the platform owns it) and which other orgs it is shared with.
    CREATE TABLE gallery_owners (
      gallery_id TEXT PRIMARY KEY REFERENCES galleries(id) ON DELETE CASCADE,
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      assigned_by TEXT NOT NULL,
      assigned_at TEXT NOT NULL
    );
    CREATE INDEX gallery_owners_org ON gallery_owners(org_id);

    CREATE TABLE gallery_grants (
      gallery_id TEXT NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      granted_by TEXT NOT NULL,
      granted_at TEXT NOT NULL,
      PRIMARY KEY (gallery_id, org_id)
    );
    CREATE INDEX gallery_grants_org ON gallery_grants(org_id);

    -- subject: 'org' (the org's ceiling, set by a platform-admin), 'user-default' (per-user default,
    -- set by the org-admin) or an actor ('user:<id>', 'apikey:<id>'). NULL limit: unlimited.
    CREATE TABLE quota_settings (
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      subject TEXT NOT NULL,
      per_minute INTEGER CHECK (per_minute IS NULL OR per_minute >= 0),
      per_day INTEGER CHECK (per_day IS NULL OR per_day >= 0),
      updated_by TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (org_id, subject)
    );

    -- Searches per subject per UTC day (kept: these are the counts org-admins and auditors read).
    CREATE TABLE search_counts (
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      day TEXT NOT NULL,
      subject TEXT NOT NULL,
      count INTEGER NOT NULL CHECK (count >= 0),
      PRIMARY KEY (org_id, day, subject)
    );

    -- Searches per subject per minute (epoch minute); only the current minute matters, older rows are pruned.
    CREATE TABLE search_minute_counts (
      org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      minute INTEGER NOT NULL,
      subject TEXT NOT NULL,
      count INTEGER NOT NULL CHECK (count >= 0),
      PRIMARY KEY (org_id, minute, subject)
    );
  `,
} as const;
