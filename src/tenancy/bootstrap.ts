/**
 * Bootstrap: the first platform-admin (and any later one made from the command line, where whoever
 * runs it already holds the database). `faceledger admin create --email …` prints the setup token; the
 * admin sets a password with it (`AuthService.completeSetup`), then logs in and enrols a second factor
 * (admins must), receiving their recovery codes.
 */
import { actorSchema, SYSTEM_ACTOR } from '../audit/audit-event.js';
import { FaceLedgerError } from '../core/errors.js';
import { TenantSql } from './context.js';
import type { IssuedSetupToken } from './records.js';
import type { TenancyStore } from './store.js';
import { checkEmail, checkName, insertUser, issueSetupToken } from './user-records.js';

export interface NewPlatformAdmin {
  email: string;
  name?: string | null;
  /** Who is doing this, for the audit log: `cli:<os user>` from the CLI. Default `system`. */
  actor?: string;
}

/** Creates a platform-admin without a password and returns their one-time setup token (print it once). */
export function createPlatformAdmin(store: TenancyStore, input: NewPlatformAdmin): IssuedSetupToken {
  const ctx = store.ctx;
  const email = checkEmail(input.email);
  const name = checkName(input.name);
  const actor = input.actor ?? SYSTEM_ACTOR;
  if (!actorSchema.safeParse(actor).success)
    throw new FaceLedgerError('BAD_INPUT', "actor must be 'system' or 'cli:<name>'");
  const sql = new TenantSql(ctx.db, null);
  return ctx.tx(() => {
    const row = insertUser(ctx, sql, { email, name, roles: ['platform-admin'], createdBy: actor });
    const issued = issueSetupToken(ctx, sql, row.id, actor);
    ctx.event('user.changed', null, actor, {
      userId: row.id,
      change: 'created',
      rolesAfter: ['platform-admin'],
    });
    return issued;
  });
}
