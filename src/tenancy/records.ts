/**
 * Row shapes and the views the tenancy room hands out. Views carry opened (decrypted) values and never
 * a secret or a hash: no password hash, TOTP secret, token hash or key hash leaves the room.
 */
import { z } from 'zod';
import type { ApiKeyRole, Role } from './roles.js';

export interface OrgRow {
  id: string;
  name: string;
  name_bidx: string;
  contact: string | null;
  status: 'active' | 'suspended';
  mfa_required: 0 | 1;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface UserRow {
  id: string;
  org_id: string | null;
  email: string;
  email_bidx: string;
  name: string | null;
  roles: string;
  status: 'active' | 'disabled';
  password_hash: string | null;
  password_changed_at: string | null;
  failed_attempts: number;
  locked_until: string | null;
  totp_secret: string | null;
  totp_pending: string | null;
  totp_last_step: number | null;
  mfa_enrolled_at: string | null;
  last_login_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  org_id: string | null;
  mfa: 0 | 1;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export interface ApiKeyRow {
  id: string;
  org_id: string;
  secret_hash: string;
  role: ApiKeyRole;
  label: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
}

/** Contact details of a client org; sealed as one JSON value. */
export const orgContactSchema = z.strictObject({
  person: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().min(3).max(320).optional(),
  phone: z.string().trim().min(1).max(64).optional(),
  address: z.string().trim().min(1).max(1000).optional(),
  notes: z.string().trim().min(1).max(2000).optional(),
});
export type OrgContact = z.output<typeof orgContactSchema>;

export interface OrgView {
  id: string;
  name: string;
  contact: OrgContact | null;
  status: 'active' | 'suspended';
  /** Whether every user of the org must use a second factor (admins always must). */
  mfaRequired: boolean;
  createdAt: string;
}

export interface UserView {
  id: string;
  /** Null for platform accounts. */
  orgId: string | null;
  email: string;
  name: string | null;
  roles: Role[];
  status: 'active' | 'disabled';
  /** True until the user has set a password with their setup token. */
  setupPending: boolean;
  mfaEnrolled: boolean;
  /** Set while locked out (until then); null otherwise. */
  lockedUntil: string | null;
  failedAttempts: number;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface SessionView {
  id: string;
  userId: string;
  mfa: boolean;
  createdAt: string;
  lastSeenAt: string;
  /** The absolute end; the session ends earlier when idle for `sessionIdleSeconds`. */
  expiresAt: string;
  revokedAt: string | null;
}

export interface ApiKeyView {
  id: string;
  orgId: string;
  role: ApiKeyRole;
  label: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

/** A limit of null means unlimited. */
export interface QuotaLimits {
  perMinute: number | null;
  perDay: number | null;
}

export interface SearchCountRow {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** `user:<id>` or `apikey:<id>`. */
  subject: string;
  count: number;
}

/** What a one-time secret comes back as: shown once, never stored or retrievable again. */
export interface IssuedSetupToken {
  userId: string;
  setupToken: string;
  expiresAt: string;
}
