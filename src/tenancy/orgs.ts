/**
 * Orgs: the client directory. `OrgProfileRepo` is an org member's view of their own org;
 * `OrgDirectory` is the platform-admin's (create, list, suspend, first admin, quota ceiling) — it sees
 * org names and contacts, never anything the org's users did.
 */
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { GLOBAL_SCOPE } from '../crypto/index.js';
import { type TenancyContext, TenantSql } from './context.js';
import { notFound } from './denial.js';
import { authorize } from './policy.js';
import { checkLimits, writeSetting } from './quota.js';
import {
  type IssuedSetupToken,
  type OrgContact,
  type OrgRow,
  type OrgView,
  orgContactSchema,
  type QuotaLimits,
} from './records.js';
import { OrgScopedRepo, PlatformScopedRepo } from './scoped-repo.js';
import { checkEmail, checkName, insertUser, issueSetupToken, isUniqueViolation } from './user-records.js';

const orgNameSchema = (name: unknown): string => {
  if (typeof name !== 'string' || name.trim().length === 0 || name.trim().length > 200)
    throw new FaceLedgerError('BAD_INPUT', 'org name must be 1 to 200 characters');
  return name.trim();
};

function checkContact(contact: unknown): OrgContact | null {
  if (contact === undefined || contact === null) return null;
  const parsed = orgContactSchema.safeParse(contact);
  if (!parsed.success)
    throw new FaceLedgerError(
      'BAD_INPUT',
      `invalid org contact: ${parsed.error.issues.map((i) => i.path.join('.') || '(contact)').join(', ')}`,
    );
  return parsed.data;
}

function nameTaken(): FaceLedgerError {
  return new FaceLedgerError('CONFLICT', 'an org with that name already exists');
}

export function toOrgView(ctx: TenancyContext, row: OrgRow): OrgView {
  return {
    id: row.id,
    name: ctx.vault.openText(row.id, 'orgs.name', row.name),
    contact:
      row.contact === null ? null : ctx.vault.openJson<OrgContact>(row.id, 'orgs.contact', row.contact),
    status: row.status,
    mfaRequired: row.mfa_required === 1,
    createdAt: row.created_at,
  };
}

/** A member's view of their own org. */
export class OrgProfileRepo extends OrgScopedRepo {
  /** The caller's org (any member may see its name, contact and policy). */
  get(): OrgView {
    const row = this.sql.get<OrgRow>('SELECT * FROM orgs WHERE id = @org');
    if (!row) throw notFound('org');
    return toOrgView(this.ctx, row);
  }

  /** Require a second factor of every user (admins always need one). Their sessions carry on. */
  setMfaRequired(required: boolean): OrgView {
    authorize(this.caller, 'users.manage');
    if (typeof required !== 'boolean')
      throw new FaceLedgerError('BAD_INPUT', 'required must be true or false');
    return this.ctx.tx(() => {
      const before = this.get().mfaRequired;
      if (before !== required) {
        this.sql.run('UPDATE orgs SET mfa_required = @v, updated_at = @now WHERE id = @org', {
          v: required ? 1 : 0,
          now: this.ctx.now().toISOString(),
        });
        this.ctx.event('config.changed', this.sql.orgId, this.caller.actor, {
          changes: [{ key: 'org.mfa_required', from: String(before), to: String(required) }],
        });
      }
      return this.get();
    });
  }
}

export interface NewOrg {
  name: string;
  contact?: OrgContact | null;
  /** Require a second factor of every user from the start. Default false (admins always need one). */
  mfaRequired?: boolean;
}

/** The platform-admin's org directory (`orgs.manage`). */
export class OrgDirectory extends PlatformScopedRepo {
  create(input: NewOrg): OrgView {
    authorize(this.caller, 'orgs.manage', { orgId: null });
    const name = orgNameSchema(input.name);
    const contact = checkContact(input.contact);
    const id = newId();
    const now = this.ctx.now().toISOString();
    return this.ctx.tx(() => {
      try {
        this.sql.run(
          `INSERT INTO orgs (id, name, name_bidx, contact, mfa_required, created_by, created_at, updated_at)
           VALUES (@id, @name, @bidx, @contact, @mfa, @by, @now, @now)`,
          {
            id,
            name: this.ctx.vault.seal(id, 'orgs.name', name),
            bidx: this.ctx.vault.blindIndex(GLOBAL_SCOPE, 'orgs.name', name),
            contact: contact === null ? null : this.ctx.vault.sealJson(id, 'orgs.contact', contact),
            mfa: input.mfaRequired ? 1 : 0,
            by: this.caller.actor,
            now,
          },
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken();
        throw err;
      }
      this.#audit(id, [{ key: 'org.status', from: null, to: 'active' }]);
      return this.#view(id);
    });
  }

  list(): OrgView[] {
    authorize(this.caller, 'orgs.manage', { orgId: null });
    return this.sql
      .all<OrgRow>('SELECT * FROM orgs ORDER BY created_at, id')
      .map((row) => toOrgView(this.ctx, row));
  }

  get(orgId: string): OrgView | undefined {
    authorize(this.caller, 'orgs.manage', { orgId });
    const row = this.#row(orgId);
    return row && toOrgView(this.ctx, row);
  }

  update(orgId: string, changes: { name?: string; contact?: OrgContact | null }): OrgView {
    authorize(this.caller, 'orgs.manage', { orgId });
    const name = changes.name === undefined ? undefined : orgNameSchema(changes.name);
    const contact = changes.contact === undefined ? undefined : checkContact(changes.contact);
    return this.ctx.tx(() => {
      const row = this.#require(orgId);
      const now = this.ctx.now().toISOString();
      const changed: string[] = [];
      if (name !== undefined) {
        try {
          this.sql.run('UPDATE orgs SET name = @name, name_bidx = @bidx, updated_at = @now WHERE id = @id', {
            id: row.id,
            name: this.ctx.vault.seal(row.id, 'orgs.name', name),
            bidx: this.ctx.vault.blindIndex(GLOBAL_SCOPE, 'orgs.name', name),
            now,
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw nameTaken();
          throw err;
        }
        changed.push('name');
      }
      if (contact !== undefined) {
        this.sql.run('UPDATE orgs SET contact = @contact, updated_at = @now WHERE id = @id', {
          id: row.id,
          contact: contact === null ? null : this.ctx.vault.sealJson(row.id, 'orgs.contact', contact),
          now,
        });
        changed.push('contact');
      }
      // Values are sealed client data: the audit records which fields changed, not what to.
      if (changed.length > 0)
        this.#audit(
          row.id,
          changed.map((f) => ({ key: `org.${f}`, to: '(changed)' })),
        );
      return this.#view(row.id);
    });
  }

  /** Suspends an org: its users cannot log in, its sessions end and its API keys stop working. */
  suspend(orgId: string): OrgView {
    return this.#setStatus(orgId, 'suspended');
  }

  reactivate(orgId: string): OrgView {
    return this.#setStatus(orgId, 'active');
  }

  /** Creates an org-admin in the org (the first, or a replacement); returns their one-time setup token. */
  createAdmin(orgId: string, input: { email: string; name?: string | null }): IssuedSetupToken {
    authorize(this.caller, 'orgs.manage', { orgId });
    const email = checkEmail(input.email);
    const name = checkName(input.name);
    return this.ctx.tx(() => {
      this.#require(orgId);
      const sql = new TenantSql(this.ctx.db, orgId);
      const row = insertUser(this.ctx, sql, {
        email,
        name,
        roles: ['org-admin'],
        createdBy: this.caller.actor,
      });
      const issued = issueSetupToken(this.ctx, sql, row.id, this.caller.actor);
      this.ctx.event('user.changed', orgId, this.caller.actor, {
        userId: row.id,
        change: 'created',
        rolesAfter: ['org-admin'],
      });
      return issued;
    });
  }

  /** The org's ceiling over all its users and keys (null: back to the installation default). */
  setQuota(orgId: string, limits: QuotaLimits | null): void {
    authorize(this.caller, 'orgs.manage', { orgId });
    const checked = limits === null ? null : checkLimits(limits);
    this.ctx.tx(() => {
      this.#require(orgId);
      writeSetting(this.ctx, new TenantSql(this.ctx.db, orgId), 'org', checked, this.caller.actor);
    });
  }

  #setStatus(orgId: string, status: 'active' | 'suspended'): OrgView {
    authorize(this.caller, 'orgs.manage', { orgId });
    return this.ctx.tx(() => {
      const row = this.#require(orgId);
      if (row.status === status) return toOrgView(this.ctx, row);
      const now = this.ctx.now().toISOString();
      this.sql.run('UPDATE orgs SET status = @status, updated_at = @now WHERE id = @id', {
        id: row.id,
        status,
        now,
      });
      if (status === 'suspended') {
        const sql = new TenantSql(this.ctx.db, orgId);
        sql.run('DELETE FROM login_challenges WHERE org_id = @org');
        sql.run(
          `UPDATE sessions SET revoked_at = @now, revoked_reason = 'org-suspended'
           WHERE org_id = @org AND revoked_at IS NULL`,
          { now },
        );
      }
      this.#audit(row.id, [{ key: 'org.status', from: row.status, to: status }]);
      return this.#view(row.id);
    });
  }

  #audit(orgId: string, changes: { key: string; from?: string | null; to?: string | null }[]): void {
    this.ctx.event('config.changed', orgId, this.caller.actor, { changes });
  }

  #row(orgId: string): OrgRow | undefined {
    if (typeof orgId !== 'string') return undefined;
    return this.sql.get<OrgRow>('SELECT * FROM orgs WHERE id = @id', { id: orgId });
  }

  #require(orgId: string): OrgRow {
    const row = this.#row(orgId);
    if (!row) throw notFound('org');
    return row;
  }

  #view(orgId: string): OrgView {
    return toOrgView(this.ctx, this.#require(orgId));
  }
}
