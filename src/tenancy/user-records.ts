/**
 * Tenant-bound building blocks for user rows, shared by the org scope, the platform scope and
 * bootstrap. No authorisation here (callers authorise first); every statement runs through TenantSql,
 * so each one is bound to one tenant.
 */
import { z } from 'zod';
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { GLOBAL_SCOPE } from '../crypto/index.js';
import type { TenancyContext, TenantSql } from './context.js';
import type { IssuedSetupToken, SessionRow, SessionView, UserRow, UserView } from './records.js';
import { formatRoles, type Role, readStoredRoles } from './roles.js';
import { newToken, TOKEN_PREFIX, tokenHash } from './secrets.js';

const emailSchema = z.email().max(320);
const nameSchema = z.string().trim().min(1).max(200);

export function checkEmail(email: unknown): string {
  const parsed = emailSchema.safeParse(typeof email === 'string' ? email.trim() : email);
  if (!parsed.success) throw new FaceLedgerError('BAD_INPUT', 'a valid e-mail address is required');
  return parsed.data;
}

export function checkName(name: unknown): string | null {
  if (name === undefined || name === null) return null;
  const parsed = nameSchema.safeParse(name);
  if (!parsed.success) throw new FaceLedgerError('BAD_INPUT', 'name must be 1 to 200 characters');
  return parsed.data;
}

/** The global blind index logins look e-mails up by. */
export function emailIndex(ctx: TenancyContext, email: string): string {
  return ctx.vault.blindIndex(GLOBAL_SCOPE, 'users.email', email);
}

export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

export function emailTaken(): FaceLedgerError {
  return new FaceLedgerError('CONFLICT', 'that e-mail address is already registered');
}

export function toUserView(ctx: TenancyContext, row: UserRow): UserView {
  const scope = ctx.sealScope(row.org_id);
  const now = ctx.now().toISOString();
  return {
    id: row.id,
    orgId: row.org_id,
    email: ctx.vault.openText(scope, 'users.email', row.email),
    name: ctx.vault.openOptional(scope, 'users.name', row.name),
    roles: readStoredRoles(row.roles),
    status: row.status,
    setupPending: row.password_hash === null,
    mfaEnrolled: row.totp_secret !== null,
    lockedUntil: row.locked_until !== null && row.locked_until > now ? row.locked_until : null,
    failedAttempts: row.failed_attempts,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
  };
}

export function toSessionView(row: SessionRow): SessionView {
  return {
    id: row.id,
    userId: row.user_id,
    mfa: row.mfa === 1,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function userRow(sql: TenantSql, userId: string): UserRow | undefined {
  if (typeof userId !== 'string') return undefined;
  return sql.get<UserRow>('SELECT * FROM users WHERE id = @id AND org_id IS @org', { id: userId });
}

/** Inserts a user without a password (they set one with the setup token). BAD_INPUT if the e-mail is taken. */
export function insertUser(
  ctx: TenancyContext,
  sql: TenantSql,
  input: { email: string; name: string | null; roles: readonly Role[]; createdBy: string },
): UserRow {
  const id = newId();
  const scope = ctx.sealScope(sql.orgId);
  const now = ctx.now().toISOString();
  try {
    sql.run(
      `INSERT INTO users (id, org_id, email, email_bidx, name, roles, created_by, created_at, updated_at)
       VALUES (@id, @org, @email, @bidx, @name, @roles, @createdBy, @now, @now)`,
      {
        id,
        email: ctx.vault.seal(scope, 'users.email', input.email),
        bidx: emailIndex(ctx, input.email),
        name: ctx.vault.sealOptional(scope, 'users.name', input.name),
        roles: formatRoles(input.roles),
        createdBy: input.createdBy,
        now,
      },
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
  const row = userRow(sql, id);
  if (!row) throw new FaceLedgerError('INTERNAL', 'user row vanished after insert');
  return row;
}

/** Replaces any earlier setup token of the user with a fresh one (shown once). */
export function issueSetupToken(
  ctx: TenancyContext,
  sql: TenantSql,
  userId: string,
  createdBy: string,
): IssuedSetupToken {
  const setupToken = newToken(TOKEN_PREFIX.setup);
  const expiresAt = ctx.isoIn(ctx.settings.setupTokenSeconds);
  sql.run('DELETE FROM setup_tokens WHERE user_id = @userId AND org_id IS @org', { userId });
  sql.run(
    `INSERT INTO setup_tokens (token_hash, user_id, org_id, created_by, created_at, expires_at)
     VALUES (@hash, @userId, @org, @createdBy, @now, @expiresAt)`,
    {
      hash: tokenHash(setupToken),
      userId,
      createdBy,
      now: ctx.now().toISOString(),
      expiresAt,
    },
  );
  return { userId, setupToken, expiresAt };
}

/** Ends every live session of the user, and any half-done login. Returns how many sessions ended. */
export function revokeUserSessions(
  ctx: TenancyContext,
  sql: TenantSql,
  userId: string,
  reason: string,
): number {
  sql.run('DELETE FROM login_challenges WHERE user_id = @userId AND org_id IS @org', { userId });
  return sql.run(
    `UPDATE sessions SET revoked_at = @now, revoked_reason = @reason
     WHERE user_id = @userId AND org_id IS @org AND revoked_at IS NULL`,
    { userId, now: ctx.now().toISOString(), reason },
  ).changes;
}

/** Active users holding `role` in the tenant (for "keep at least one admin" checks). */
export function activeHolders(sql: TenantSql, role: Role): string[] {
  const rows = sql.all<{ id: string; roles: string }>(
    "SELECT id, roles FROM users WHERE org_id IS @org AND status = 'active'",
  );
  return rows.filter((r) => readStoredRoles(r.roles).includes(role)).map((r) => r.id);
}
