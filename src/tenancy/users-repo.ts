/**
 * The user directory of one tenant: an org's users (for its org-admins; auditors may read), or the
 * platform accounts (for platform-admins). Bound to its tenant at construction; every statement goes
 * through TenantSql, and every method authorises the caller first.
 */
import { FaceLedgerError } from '../core/errors.js';
import type { DetailsOf } from './context.js';
import { notFound } from './denial.js';
import { authorize } from './policy.js';
import type { IssuedSetupToken, UserRow, UserView } from './records.js';
import { parseRoles, type Role, readStoredRoles } from './roles.js';
import { OrgScopedRepo } from './scoped-repo.js';
import {
  activeHolders,
  checkEmail,
  checkName,
  emailIndex,
  emailTaken,
  insertUser,
  issueSetupToken,
  isUniqueViolation,
  revokeUserSessions,
  toUserView,
  userRow,
} from './user-records.js';

export interface NewUser {
  email: string;
  name?: string | null;
  roles: readonly Role[];
}

export class UsersRepo extends OrgScopedRepo {
  get #tenant(): 'platform' | 'org' {
    return this.sql.orgId === null ? 'platform' : 'org';
  }

  get #adminRole(): Role {
    return this.sql.orgId === null ? 'platform-admin' : 'org-admin';
  }

  #authorize(action: 'users.read' | 'users.manage'): void {
    authorize(this.caller, action, { orgId: this.sql.orgId });
  }

  /** Every user of the tenant, oldest first. */
  list(): UserView[] {
    this.#authorize('users.read');
    return this.sql
      .all<UserRow>('SELECT * FROM users WHERE org_id IS @org ORDER BY created_at, id')
      .map((row) => toUserView(this.ctx, row));
  }

  get(userId: string): UserView | undefined {
    this.#authorize('users.read');
    const row = userRow(this.sql, userId);
    return row && toUserView(this.ctx, row);
  }

  /** Creates a user without a password; hand them the setup token (shown once) to set one. */
  create(input: NewUser): { user: UserView } & IssuedSetupToken {
    this.#authorize('users.manage');
    const email = checkEmail(input.email);
    const name = checkName(input.name);
    const roles = parseRoles(input.roles, this.#tenant);
    return this.ctx.tx(() => {
      const row = insertUser(this.ctx, this.sql, { email, name, roles, createdBy: this.caller.actor });
      const issued = issueSetupToken(this.ctx, this.sql, row.id, this.caller.actor);
      this.#audit('user.changed', { userId: row.id, change: 'created', rolesAfter: roles });
      return { user: toUserView(this.ctx, row), ...issued };
    });
  }

  /** Changes e-mail and/or name. */
  update(userId: string, changes: { email?: string; name?: string | null }): UserView {
    this.#authorize('users.manage');
    const email = changes.email === undefined ? undefined : checkEmail(changes.email);
    const name = changes.name === undefined ? undefined : checkName(changes.name);
    return this.ctx.tx(() => {
      const row = this.#require(userId);
      const scope = this.ctx.sealScope(this.sql.orgId);
      const fields: string[] = [];
      if (email !== undefined) {
        try {
          this.sql.run(
            'UPDATE users SET email = @email, email_bidx = @bidx WHERE id = @id AND org_id IS @org',
            {
              id: row.id,
              email: this.ctx.vault.seal(scope, 'users.email', email),
              bidx: emailIndex(this.ctx, email),
            },
          );
        } catch (err) {
          if (isUniqueViolation(err)) throw emailTaken();
          throw err;
        }
        fields.push('email');
      }
      if (name !== undefined) {
        this.sql.run('UPDATE users SET name = @name WHERE id = @id AND org_id IS @org', {
          id: row.id,
          name: this.ctx.vault.sealOptional(scope, 'users.name', name),
        });
        fields.push('name');
      }
      if (fields.length > 0) {
        this.#touch(row.id);
        this.#audit('user.changed', { userId: row.id, change: 'updated', fields });
      }
      return this.#view(row.id);
    });
  }

  /** Replaces the user's roles; their sessions end (the next login applies the new MFA rule). */
  setRoles(userId: string, roles: readonly Role[]): UserView {
    this.#authorize('users.manage');
    const next = parseRoles(roles, this.#tenant);
    return this.ctx.tx(() => {
      const row = this.#require(userId);
      const before = readStoredRoles(row.roles);
      if (before.join(',') === next.join(',')) return toUserView(this.ctx, row);
      if (before.includes(this.#adminRole) && !next.includes(this.#adminRole)) this.#keepAnAdmin(row.id);
      this.sql.run('UPDATE users SET roles = @roles WHERE id = @id AND org_id IS @org', {
        id: row.id,
        roles: next.join(','),
      });
      this.#touch(row.id);
      revokeUserSessions(this.ctx, this.sql, row.id, 'roles-changed');
      this.#audit('user.changed', {
        userId: row.id,
        change: 'roles-changed',
        rolesBefore: before,
        rolesAfter: next,
      });
      return this.#view(row.id);
    });
  }

  /** Blocks the user from logging in and ends their sessions. */
  disable(userId: string): UserView {
    this.#authorize('users.manage');
    return this.ctx.tx(() => {
      const row = this.#require(userId);
      if (row.status === 'disabled') return toUserView(this.ctx, row);
      if (readStoredRoles(row.roles).includes(this.#adminRole)) this.#keepAnAdmin(row.id);
      this.sql.run("UPDATE users SET status = 'disabled' WHERE id = @id AND org_id IS @org", { id: row.id });
      this.#touch(row.id);
      revokeUserSessions(this.ctx, this.sql, row.id, 'disabled');
      this.#audit('user.changed', { userId: row.id, change: 'disabled' });
      return this.#view(row.id);
    });
  }

  enable(userId: string): UserView {
    this.#authorize('users.manage');
    return this.ctx.tx(() => {
      const row = this.#require(userId);
      if (row.status === 'active') return toUserView(this.ctx, row);
      this.sql.run("UPDATE users SET status = 'active' WHERE id = @id AND org_id IS @org", { id: row.id });
      this.#touch(row.id);
      this.#audit('user.changed', { userId: row.id, change: 'enabled' });
      return this.#view(row.id);
    });
  }

  /** Lifts a lockout now (audited as `auth.unlock` by admin) and clears the failed-attempt count. */
  unlock(userId: string): UserView {
    this.#authorize('users.manage');
    return this.ctx.tx(() => {
      const row = this.#require(userId);
      const wasLocked = row.locked_until !== null;
      this.sql.run(
        'UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = @id AND org_id IS @org',
        { id: row.id },
      );
      if (wasLocked) this.#audit('auth.unlock', { userId: row.id, by: 'admin' });
      return this.#view(row.id);
    });
  }

  /**
   * Clears the password (and, with `resetMfa`, the second factor and recovery codes), ends sessions,
   * lifts any lockout, and returns a new one-time setup token for the user.
   */
  resetCredentials(userId: string, options: { resetMfa?: boolean } = {}): IssuedSetupToken {
    this.#authorize('users.manage');
    return this.ctx.tx(() => {
      const row = this.#require(userId);
      const now = this.ctx.now().toISOString();
      this.sql.run(
        `UPDATE users SET password_hash = NULL, password_changed_at = @now, failed_attempts = 0,
         locked_until = NULL WHERE id = @id AND org_id IS @org`,
        { id: row.id, now },
      );
      if (row.locked_until !== null) this.#audit('auth.unlock', { userId: row.id, by: 'password-reset' });
      if (options.resetMfa) {
        this.sql.run(
          `UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL,
           mfa_enrolled_at = NULL WHERE id = @id AND org_id IS @org`,
          { id: row.id },
        );
        this.sql.run('DELETE FROM recovery_codes WHERE user_id = @id AND org_id IS @org', { id: row.id });
        this.#audit('auth.mfa.changed', { userId: row.id, change: 'reset' });
      }
      this.#touch(row.id);
      revokeUserSessions(this.ctx, this.sql, row.id, 'credentials-reset');
      const issued = issueSetupToken(this.ctx, this.sql, row.id, this.caller.actor);
      this.#audit('user.changed', { userId: row.id, change: 'password-changed', fields: ['setup-token'] });
      return issued;
    });
  }

  #require(userId: string): UserRow {
    const row = userRow(this.sql, userId);
    if (!row) throw notFound('user');
    return row;
  }

  #view(userId: string): UserView {
    return toUserView(this.ctx, this.#require(userId));
  }

  #touch(userId: string): void {
    this.sql.run('UPDATE users SET updated_at = @now WHERE id = @id AND org_id IS @org', {
      id: userId,
      now: this.ctx.now().toISOString(),
    });
  }

  /** Refuses to leave the tenant without an active admin (nobody could manage it any more). */
  #keepAnAdmin(leavingUserId: string): void {
    const others = activeHolders(this.sql, this.#adminRole).filter((id) => id !== leavingUserId);
    if (others.length === 0)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `the last active ${this.#adminRole} cannot be removed or disabled`,
      );
  }

  #audit<T extends 'user.changed' | 'auth.unlock' | 'auth.mfa.changed'>(
    type: T,
    details: DetailsOf<T>,
  ): void {
    this.ctx.event(type, this.sql.orgId, this.caller.actor, details);
  }
}
