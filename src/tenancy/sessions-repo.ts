/**
 * Live sessions of one tenant's users. A user sees and ends their own; an admin (`users.manage`)
 * those of anyone in the tenant (audited as a `user.changed` of field `sessions`).
 */
import { notFound } from './denial.js';
import { authorize } from './policy.js';
import type { SessionRow, SessionView } from './records.js';
import { OrgScopedRepo } from './scoped-repo.js';
import { revokeUserSessions, toSessionView } from './user-records.js';

export class SessionsRepo extends OrgScopedRepo {
  /** The caller's own live sessions. */
  listMine(): SessionView[] {
    return this.caller.userId === null ? [] : this.#live(this.caller.userId);
  }

  /** A user's live sessions (oneself, or anyone in the tenant with `users.manage`). */
  list(userId: string): SessionView[] {
    this.#authorizeFor(userId);
    return this.#live(userId);
  }

  /** Ends one session (idempotent). */
  revoke(sessionId: string): SessionView {
    const row =
      typeof sessionId === 'string'
        ? this.sql.get<SessionRow>('SELECT * FROM sessions WHERE id = @id AND org_id IS @org', {
            id: sessionId,
          })
        : undefined;
    if (!row) throw notFound('session');
    this.#authorizeFor(row.user_id);
    return this.ctx.tx(() => {
      const changes = this.sql.run(
        `UPDATE sessions SET revoked_at = @now, revoked_reason = @reason
         WHERE id = @id AND org_id IS @org AND revoked_at IS NULL`,
        { id: row.id, now: this.ctx.now().toISOString(), reason: this.#reason(row.user_id) },
      ).changes;
      if (changes > 0) this.#auditIfAdmin(row.user_id);
      const after = this.sql.get<SessionRow>('SELECT * FROM sessions WHERE id = @id AND org_id IS @org', {
        id: row.id,
      });
      if (!after) throw notFound('session');
      return toSessionView(after);
    });
  }

  /** Ends every session of the user; returns how many were live. */
  revokeAll(userId: string): number {
    this.#authorizeFor(userId);
    return this.ctx.tx(() => {
      const exists = this.sql.get<{ id: string }>('SELECT id FROM users WHERE id = @id AND org_id IS @org', {
        id: userId,
      });
      if (!exists) throw notFound('user');
      const n = revokeUserSessions(this.ctx, this.sql, userId, this.#reason(userId));
      if (n > 0) this.#auditIfAdmin(userId);
      return n;
    });
  }

  #live(userId: string): SessionView[] {
    if (typeof userId !== 'string') return [];
    const now = this.ctx.now();
    const idleCutoff = new Date(now.getTime() - this.ctx.settings.sessionIdleSeconds * 1000).toISOString();
    return this.sql
      .all<SessionRow>(
        `SELECT * FROM sessions WHERE org_id IS @org AND user_id = @userId AND revoked_at IS NULL
         AND expires_at > @now AND last_seen_at > @idleCutoff ORDER BY created_at, id`,
        { userId, now: now.toISOString(), idleCutoff },
      )
      .map(toSessionView);
  }

  #authorizeFor(userId: string): void {
    if (this.caller.userId !== null && userId === this.caller.userId) return;
    authorize(this.caller, 'users.manage', { orgId: this.sql.orgId });
  }

  #reason(userId: string): string {
    return userId === this.caller.userId ? 'logout' : 'revoked-by-admin';
  }

  #auditIfAdmin(userId: string): void {
    if (userId === this.caller.userId) return;
    this.ctx.event('user.changed', this.sql.orgId, this.caller.actor, {
      userId,
      change: 'updated',
      fields: ['sessions'],
    });
  }
}
