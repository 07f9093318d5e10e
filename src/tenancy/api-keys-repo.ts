/**
 * An org's API keys (machine clients), for its org-admins. A key carries one role (investigator or
 * auditor), always expires, can be revoked, and records when it was last used. The token
 * `flk_<id>_<secret>` is returned once by `create`; only its SHA-256 is stored.
 */

import { DAY_MS } from '../core/clock.js';
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { TenancyContext } from './context.js';
import { notFound } from './denial.js';
import { authorize } from './policy.js';
import type { ApiKeyRow, ApiKeyView } from './records.js';
import { type ApiKeyRole, isApiKeyRole } from './roles.js';
import { OrgScopedRepo } from './scoped-repo.js';
import { newApiKeyToken, tokenHash } from './secrets.js';

export const API_KEY_DEFAULT_DAYS = 90;

export interface NewApiKey {
  role: ApiKeyRole;
  /** What the key is for ("case system nightly sync"); sealed. */
  label?: string | null;
  /** Default 90; at most the configured maximum (365). */
  expiresInDays?: number;
}

export function toApiKeyView(ctx: TenancyContext, row: ApiKeyRow): ApiKeyView {
  const now = ctx.now().toISOString();
  return {
    id: row.id,
    orgId: row.org_id,
    role: row.role,
    label: ctx.vault.openOptional(row.org_id, 'api_keys.label', row.label),
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    status: row.revoked_at !== null ? 'revoked' : row.expires_at <= now ? 'expired' : 'active',
  };
}

export class ApiKeysRepo extends OrgScopedRepo {
  /** Creates a key; `token` is shown once and cannot be retrieved again. */
  create(input: NewApiKey): { key: ApiKeyView; token: string } {
    authorize(this.caller, 'apikeys.manage');
    if (!isApiKeyRole(input.role))
      throw new FaceLedgerError('BAD_INPUT', 'an API key is either investigator or auditor');
    const days = input.expiresInDays ?? Math.min(API_KEY_DEFAULT_DAYS, this.ctx.settings.apiKeyMaxDays);
    if (!Number.isInteger(days) || days < 1 || days > this.ctx.settings.apiKeyMaxDays)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `API keys expire in 1 to ${this.ctx.settings.apiKeyMaxDays} days`,
      );
    const label = input.label?.trim() || null;
    if (label !== null && label.length > 200)
      throw new FaceLedgerError('BAD_INPUT', 'API key label must be at most 200 characters');
    const orgId = this.caller.orgId as string;
    const id = newId();
    const token = newApiKeyToken(id);
    const now = this.ctx.now();
    const expiresAt = new Date(now.getTime() + days * DAY_MS).toISOString();
    return this.ctx.tx(() => {
      this.sql.run(
        `INSERT INTO api_keys (id, org_id, secret_hash, role, label, created_by, created_at, expires_at)
         VALUES (@id, @org, @hash, @role, @label, @createdBy, @now, @expiresAt)`,
        {
          id,
          hash: tokenHash(token),
          role: input.role,
          label: this.ctx.vault.sealOptional(orgId, 'api_keys.label', label),
          createdBy: this.caller.actor,
          now: now.toISOString(),
          expiresAt,
        },
      );
      this.ctx.event('apikey.changed', orgId, this.caller.actor, {
        keyId: id,
        change: 'created',
        scopes: [input.role],
        expiresAt,
      });
      return { key: this.#view(id), token };
    });
  }

  list(): ApiKeyView[] {
    authorize(this.caller, 'apikeys.manage');
    return this.sql
      .all<ApiKeyRow>('SELECT * FROM api_keys WHERE org_id = @org ORDER BY created_at, id')
      .map((row) => toApiKeyView(this.ctx, row));
  }

  get(keyId: string): ApiKeyView | undefined {
    authorize(this.caller, 'apikeys.manage');
    const row = this.#row(keyId);
    return row && toApiKeyView(this.ctx, row);
  }

  /** Revokes the key at once (idempotent). */
  revoke(keyId: string): ApiKeyView {
    authorize(this.caller, 'apikeys.manage');
    return this.ctx.tx(() => {
      const row = this.#row(keyId);
      if (!row) throw notFound('API key');
      if (row.revoked_at === null) {
        this.sql.run(
          `UPDATE api_keys SET revoked_at = @now, revoked_by = @by
           WHERE id = @id AND org_id = @org AND revoked_at IS NULL`,
          { id: row.id, now: this.ctx.now().toISOString(), by: this.caller.actor },
        );
        this.ctx.event('apikey.changed', row.org_id, this.caller.actor, {
          keyId: row.id,
          change: 'revoked',
          scopes: [row.role],
        });
      }
      return this.#view(row.id);
    });
  }

  #row(keyId: string): ApiKeyRow | undefined {
    if (typeof keyId !== 'string') return undefined;
    return this.sql.get<ApiKeyRow>('SELECT * FROM api_keys WHERE id = @id AND org_id = @org', { id: keyId });
  }

  #view(keyId: string): ApiKeyView {
    const row = this.#row(keyId);
    if (!row) throw notFound('API key');
    return toApiKeyView(this.ctx, row);
  }
}
