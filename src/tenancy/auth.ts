/**
 * Authentication: passwords (argon2id), lockout, TOTP second factor with recovery codes, sessions and
 * API keys. The only place callers are minted.
 *
 * Results, not exceptions: a wrong password, a locked account, a missing second factor come back as
 * `{ ok: false, reason }` so the failure's own bookkeeping (counter, audit entry) commits. Reasons
 * shown to clients are deliberately coarse: an unknown e-mail and a wrong password are both
 * `bad-credentials`, and an account's state (disabled) is told only to someone who knew its password.
 *
 * Lockout: `maxFailedAttempts` (5) consecutive failures — wrong passwords and wrong second-factor codes
 * alike — lock the account for `lockoutSeconds` (15 min). Each attempt takes its slot before the
 * (slow, async) password check, so parallel guesses cannot exceed the limit. The count resets only on a
 * complete login, so knowing the password buys no extra second-factor guesses. Unlocks (by time, by
 * an admin, by a password reset) and lockouts are audited.
 *
 * The lookups in `AuthLookups` are the room's only reads not bound to a tenant: they find a user by
 * the global e-mail blind index, a session or challenge by token hash, a key by id — before any caller
 * exists. Every write after a lookup goes through a TenantSql bound to the row's own org.
 */
import { actor as auditActor, SYSTEM_ACTOR } from '../audit/audit-event.js';
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { toApiKeyView } from './api-keys-repo.js';
import { assertGenuineCaller, type Caller, mintCaller } from './caller.js';
import { type TenancyContext, TenantSql } from './context.js';
import { passwordProblem } from './passwords.js';
import type { ApiKeyRow, ApiKeyView, OrgRow, SessionRow, SessionView, UserRow, UserView } from './records.js';
import { mfaRequiredFor, type Role, readStoredRoles } from './roles.js';
import {
  apiKeyIdOf,
  looksLikeToken,
  newRecoveryCodes,
  newToken,
  normaliseRecoveryCode,
  recoveryCodeHash,
  sameDigest,
  sha256Hex,
  TOKEN_PREFIX,
  tokenHash,
} from './secrets.js';
import type { TenancyStore } from './store.js';
import { matchTotp, newTotpSecret, totpUri } from './totp.js';
import { emailIndex, toSessionView, toUserView } from './user-records.js';

export interface IssuedSession {
  /** The bearer token: shown once, only its SHA-256 is stored. */
  token: string;
  sessionId: string;
  userId: string;
  orgId: string | null;
  roles: Role[];
  /** Opened with a second factor. */
  mfa: boolean;
  /** Absolute end of the session. */
  expiresAt: string;
  /** The session also ends after this long unused. */
  idleTimeoutSeconds: number;
}

export type LoginResult =
  | { ok: true; session: IssuedSession }
  /** Password accepted; give a TOTP or recovery code with `completeMfa`. */
  | { ok: false; reason: 'mfa-required'; challenge: string; expiresAt: string }
  /** Password accepted; a second factor is required but not set up: `startMfaEnrolment`, then `confirmMfaEnrolment`. */
  | { ok: false; reason: 'mfa-enrolment-required'; challenge: string; expiresAt: string }
  | { ok: false; reason: 'bad-credentials' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }
  | { ok: false; reason: 'disabled' };

export type SecondFactorResult =
  | { ok: true; session: IssuedSession; recoveryCodeUsed: boolean; recoveryCodesLeft: number }
  | { ok: false; reason: 'bad-code' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }
  | { ok: false; reason: 'invalid-challenge' }
  | { ok: false; reason: 'disabled' };

export type EnrolmentStart =
  | { ok: true; secret: string; otpauthUri: string }
  | { ok: false; reason: 'invalid-challenge' | 'disabled' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export type EnrolmentResult =
  | { ok: true; session: IssuedSession; recoveryCodes: string[] }
  | { ok: false; reason: 'bad-code' | 'invalid-challenge' | 'disabled' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export type SessionCheck =
  | { ok: true; caller: Caller; session: SessionView }
  | { ok: false; reason: 'invalid' | 'expired' | 'idle' | 'revoked' | 'disabled' };

export type ApiKeyCheck =
  | { ok: true; caller: Caller; key: ApiKeyView }
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'disabled' };

export type SetupResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid-token' }
  | { ok: false; reason: 'weak-password'; problem: string };

export type CodeCheck<T extends object = object> =
  | ({ ok: true } & T)
  | { ok: false; reason: 'bad-code' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

interface ChallengeRow {
  token_hash: string;
  user_id: string;
  org_id: string | null;
  kind: 'mfa' | 'mfa-enrol';
  created_at: string;
  expires_at: string;
}

interface SetupTokenRow {
  token_hash: string;
  user_id: string;
  org_id: string | null;
  expires_at: string;
}

type FailReason = 'bad-password' | 'bad-mfa' | 'locked' | 'disabled';

const MAX_EMAIL = 320;

/** The unscoped look-ups authentication needs before a caller exists (see the file comment). */
class AuthLookups {
  readonly #db: TenancyContext['db'];

  constructor(ctx: TenancyContext) {
    this.#db = ctx.db;
  }

  userByEmailIndex(bidx: string): UserRow | undefined {
    return this.#db.prepare('SELECT * FROM users WHERE email_bidx = ?').get(bidx) as UserRow | undefined;
  }

  challenge(hash: string): ChallengeRow | undefined {
    return this.#db.prepare('SELECT * FROM login_challenges WHERE token_hash = ?').get(hash) as
      | ChallengeRow
      | undefined;
  }

  session(hash: string): SessionRow | undefined {
    return this.#db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(hash) as
      | SessionRow
      | undefined;
  }

  apiKey(id: string): ApiKeyRow | undefined {
    return this.#db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
  }

  setupToken(hash: string): SetupTokenRow | undefined {
    return this.#db.prepare('SELECT * FROM setup_tokens WHERE token_hash = ?').get(hash) as
      | SetupTokenRow
      | undefined;
  }

  lockedUsers(now: string): { id: string; org_id: string | null }[] {
    return this.#db
      .prepare('SELECT id, org_id FROM users WHERE locked_until IS NOT NULL AND locked_until <= ?')
      .all(now) as { id: string; org_id: string | null }[];
  }
}

function cleanIp(ip: unknown): string | undefined {
  return typeof ip === 'string' && ip.length > 0 && ip.length <= 64 ? ip : undefined;
}

export class AuthService {
  readonly #ctx: TenancyContext;
  readonly #find: AuthLookups;

  constructor(store: TenancyStore) {
    this.#ctx = store.ctx;
    this.#find = new AuthLookups(store.ctx);
  }

  // ---------------------------------------------------------------- password login

  /** Step one of a login. Never throws for bad input: every failure is a result (and audited). */
  async login(input: { email: string; password: string; ip?: string }): Promise<LoginResult> {
    const email = typeof input?.email === 'string' ? input.email : '';
    const password = typeof input?.password === 'string' ? input.password : '';
    const ip = cleanIp(input?.ip);
    if (email.trim().length === 0 || email.length > MAX_EMAIL) {
      await this.#ctx.hasher.burn(password);
      return { ok: false, reason: 'bad-credentials' };
    }
    const bidx = emailIndex(this.#ctx, email);
    const found = this.#find.userByEmailIndex(bidx);
    if (!found) {
      await this.#ctx.hasher.burn(password);
      this.#ctx.tx(() =>
        this.#ctx.event('auth.login.failed', null, SYSTEM_ACTOR, {
          userId: null,
          usernameSha256: sha256Hex(bidx),
          reason: 'unknown-user',
          ...(ip ? { ip } : {}),
        }),
      );
      return { ok: false, reason: 'bad-credentials' };
    }
    const sql = new TenantSql(this.#ctx.db, found.org_id);
    const max = this.#ctx.settings.maxFailedAttempts;

    // Phase 1: refuse a locked account; otherwise take this attempt's slot in the failure count.
    const pre = this.#ctx.tx((): { retryAfterSeconds: number } | { hash: string | null } => {
      const row = this.#releaseIfExpired(sql, this.#user(sql, found.id));
      const wait = this.#lockedFor(row);
      if (wait !== null) {
        this.#failed(row, 'locked', ip);
        return { retryAfterSeconds: wait };
      }
      if (row.failed_attempts >= max) {
        // Earlier attempts still in flight have used every slot.
        this.#failed(row, 'locked', ip);
        return { retryAfterSeconds: this.#lock(sql, row) };
      }
      sql.run('UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = @id AND org_id IS @org', {
        id: row.id,
      });
      return { hash: row.password_hash };
    });
    if ('retryAfterSeconds' in pre) return { ok: false, reason: 'locked', ...pre };

    let good = false;
    if (pre.hash === null) await this.#ctx.hasher.burn(password);
    else good = await this.#ctx.hasher.verify(pre.hash, password);
    const rehash =
      good && pre.hash !== null && this.#ctx.hasher.needsRehash(pre.hash)
        ? await this.#ctx.hasher.hash(password)
        : null;

    // Phase 2: settle the attempt.
    return this.#ctx.tx((): LoginResult => {
      const row = this.#user(sql, found.id);
      if (!good) {
        this.#failed(row, 'bad-password', ip);
        if (row.failed_attempts >= max)
          return { ok: false, reason: 'locked', retryAfterSeconds: this.#lock(sql, row) };
        return { ok: false, reason: 'bad-credentials' };
      }
      const wait = this.#lockedFor(row);
      if (wait !== null) {
        // Locked by parallel failures while this password was being checked.
        this.#failed(row, 'locked', ip);
        return { ok: false, reason: 'locked', retryAfterSeconds: wait };
      }
      sql.run(
        'UPDATE users SET failed_attempts = MAX(failed_attempts - 1, 0) WHERE id = @id AND org_id IS @org',
        { id: row.id },
      );
      if (rehash !== null && row.password_hash === pre.hash)
        sql.run('UPDATE users SET password_hash = @hash WHERE id = @id AND org_id IS @org', {
          id: row.id,
          hash: rehash,
        });
      const org = this.#org(sql);
      if (!this.#usable(row, org)) {
        this.#failed(row, 'disabled', ip);
        return { ok: false, reason: 'disabled' };
      }
      if (row.totp_secret !== null) return this.#challenge(sql, row, 'mfa');
      if (mfaRequiredFor(readStoredRoles(row.roles), org?.mfa_required === 1))
        return this.#challenge(sql, row, 'mfa-enrol');
      return { ok: true, session: this.#openSession(sql, this.#user(sql, row.id), false, ip) };
    });
  }

  /** Step two: a TOTP code, or one of the recovery codes (each works once). */
  completeMfa(input: { challenge: string; code: string; ip?: string }): SecondFactorResult {
    const ip = cleanIp(input?.ip);
    const found = this.#liveChallenge(input?.challenge, 'mfa');
    if (!found) return { ok: false, reason: 'invalid-challenge' };
    const { challenge, sql } = found;
    return this.#ctx.tx((): SecondFactorResult => {
      const gate = this.#gate(sql, challenge, ip);
      if (!('row' in gate)) return gate;
      const { row } = gate;
      if (row.totp_secret === null) return { ok: false, reason: 'invalid-challenge' };
      const used = this.#secondFactor(sql, row, input?.code);
      if (used === null) return this.#badCode(sql, row, ip);
      this.#consumeChallenge(sql, challenge);
      const session = this.#openSession(sql, this.#user(sql, row.id), true, ip);
      return {
        ok: true,
        session,
        recoveryCodeUsed: used === 'recovery',
        recoveryCodesLeft: this.#recoveryCodesLeft(sql, row.id),
      };
    });
  }

  /** For `mfa-enrolment-required`: a fresh TOTP secret and its otpauth:// URI (show as a QR code). */
  startMfaEnrolment(input: { challenge: string }): EnrolmentStart {
    const found = this.#liveChallenge(input?.challenge, 'mfa-enrol');
    if (!found) return { ok: false, reason: 'invalid-challenge' };
    const { challenge, sql } = found;
    return this.#ctx.tx((): EnrolmentStart => {
      const gate = this.#gate(sql, challenge, undefined);
      if (!('row' in gate)) return gate;
      return { ok: true, ...this.#newPending(sql, gate.row) };
    });
  }

  /** Confirms enrolment with a code from the app; opens the session and returns the recovery codes (shown once). */
  confirmMfaEnrolment(input: { challenge: string; code: string; ip?: string }): EnrolmentResult {
    const ip = cleanIp(input?.ip);
    const found = this.#liveChallenge(input?.challenge, 'mfa-enrol');
    if (!found) return { ok: false, reason: 'invalid-challenge' };
    const { challenge, sql } = found;
    return this.#ctx.tx((): EnrolmentResult => {
      const gate = this.#gate(sql, challenge, ip);
      if (!('row' in gate)) return gate;
      const recoveryCodes = this.#confirmPending(sql, gate.row, input?.code, auditActor.user(gate.row.id));
      if (recoveryCodes === null) return { ok: false, reason: 'bad-code' };
      this.#consumeChallenge(sql, challenge);
      const session = this.#openSession(sql, this.#user(sql, gate.row.id), true, ip);
      return { ok: true, session, recoveryCodes };
    });
  }

  /** Sets the password with a one-time setup token (new account or admin reset); the token is spent. */
  async completeSetup(input: { setupToken: string; password: string }): Promise<SetupResult> {
    const token = input?.setupToken;
    if (!looksLikeToken(token, TOKEN_PREFIX.setup)) return { ok: false, reason: 'invalid-token' };
    const hash = tokenHash(token);
    const found = this.#find.setupToken(hash);
    const now = this.#ctx.now().toISOString();
    if (!found || found.expires_at <= now) return { ok: false, reason: 'invalid-token' };
    const sql = new TenantSql(this.#ctx.db, found.org_id);
    const user = this.#user(sql, found.user_id);
    const email = this.#ctx.vault.openText(this.#ctx.sealScope(user.org_id), 'users.email', user.email);
    const problem = passwordProblem(input?.password, email);
    if (problem !== null) return { ok: false, reason: 'weak-password', problem };
    const passwordHash = await this.#ctx.hasher.hash(input.password);
    return this.#ctx.tx((): SetupResult => {
      const spent = sql.run(
        'DELETE FROM setup_tokens WHERE token_hash = @hash AND org_id IS @org AND expires_at > @now',
        { hash, now: this.#ctx.now().toISOString() },
      ).changes;
      if (spent !== 1) return { ok: false, reason: 'invalid-token' };
      sql.run(
        `UPDATE users SET password_hash = @passwordHash, password_changed_at = @now, updated_at = @now
         WHERE id = @id AND org_id IS @org`,
        { id: user.id, passwordHash, now: this.#ctx.now().toISOString() },
      );
      this.#ctx.event('user.changed', user.org_id, auditActor.user(user.id), {
        userId: user.id,
        change: 'password-changed',
        fields: ['password'],
      });
      return { ok: true, userId: user.id };
    });
  }

  // ---------------------------------------------------------------- sessions and keys

  /** Checks a session token, refreshes its idle timer, and mints the caller from the user's current state. */
  authenticateSession(token: string): SessionCheck {
    if (!looksLikeToken(token, TOKEN_PREFIX.session)) return { ok: false, reason: 'invalid' };
    const found = this.#find.session(tokenHash(token));
    if (!found) return { ok: false, reason: 'invalid' };
    const sql = new TenantSql(this.#ctx.db, found.org_id);
    return this.#ctx.tx((): SessionCheck => {
      const row = sql.get<SessionRow>('SELECT * FROM sessions WHERE id = @id AND org_id IS @org', {
        id: found.id,
      });
      if (!row) return { ok: false, reason: 'invalid' };
      if (row.revoked_at !== null) {
        const reason =
          row.revoked_reason === 'idle' || row.revoked_reason === 'expired' ? row.revoked_reason : 'revoked';
        return { ok: false, reason };
      }
      const now = this.#ctx.now();
      const nowIso = now.toISOString();
      const idleEnd = Date.parse(row.last_seen_at) + this.#ctx.settings.sessionIdleSeconds * 1000;
      const ended: 'expired' | 'idle' | 'disabled' | null =
        row.expires_at <= nowIso ? 'expired' : idleEnd <= now.getTime() ? 'idle' : null;
      const user = this.#user(sql, row.user_id);
      const usable = this.#usable(user, this.#org(sql));
      const reason = ended ?? (usable ? null : 'disabled');
      if (reason !== null) {
        this.#endSession(sql, row.id, reason);
        return { ok: false, reason };
      }
      sql.run('UPDATE sessions SET last_seen_at = @now WHERE id = @id AND org_id IS @org', {
        id: row.id,
        now: nowIso,
      });
      const caller = mintCaller({
        kind: 'user',
        userId: user.id,
        orgId: user.org_id,
        roles: readStoredRoles(user.roles),
        sessionId: row.id,
        mfa: row.mfa === 1,
      });
      return { ok: true, caller, session: toSessionView({ ...row, last_seen_at: nowIso }) };
    });
  }

  /** Ends the session the token belongs to; false when there was no live one. */
  logout(token: string): boolean {
    if (!looksLikeToken(token, TOKEN_PREFIX.session)) return false;
    const found = this.#find.session(tokenHash(token));
    if (!found || found.revoked_at !== null) return false;
    const sql = new TenantSql(this.#ctx.db, found.org_id);
    return this.#ctx.tx(() => this.#endSession(sql, found.id, 'logout') > 0);
  }

  /** Checks an API key token (`flk_<id>_<secret>`); failures are audited, use is recorded as last_used_at. */
  authenticateApiKey(token: string, input: { ip?: string } = {}): ApiKeyCheck {
    const ip = cleanIp(input.ip);
    const keyId = apiKeyIdOf(token);
    const row = keyId === undefined ? undefined : this.#find.apiKey(keyId);
    const failed = (orgId: string | null, reason: 'bad-apikey' | 'expired' | 'disabled') =>
      this.#ctx.event('auth.login.failed', orgId, SYSTEM_ACTOR, {
        userId: null,
        usernameSha256: sha256Hex(`apikey:${keyId ?? 'malformed'}`),
        reason,
        ...(ip ? { ip } : {}),
      });
    if (!row || !sameDigest(tokenHash(token), row.secret_hash)) {
      this.#ctx.tx(() => failed(row?.org_id ?? null, 'bad-apikey'));
      return { ok: false, reason: 'invalid' };
    }
    const sql = new TenantSql(this.#ctx.db, row.org_id);
    return this.#ctx.tx((): ApiKeyCheck => {
      const now = this.#ctx.now().toISOString();
      if (row.revoked_at !== null) {
        failed(row.org_id, 'disabled');
        return { ok: false, reason: 'revoked' };
      }
      if (row.expires_at <= now) {
        failed(row.org_id, 'expired');
        return { ok: false, reason: 'expired' };
      }
      if (this.#org(sql)?.status !== 'active') {
        failed(row.org_id, 'disabled');
        return { ok: false, reason: 'disabled' };
      }
      sql.run('UPDATE api_keys SET last_used_at = @now WHERE id = @id AND org_id = @org', {
        id: row.id,
        now,
      });
      const caller = mintCaller({ kind: 'apikey', apiKeyId: row.id, orgId: row.org_id, roles: [row.role] });
      return { ok: true, caller, key: toApiKeyView(this.#ctx, { ...row, last_used_at: now }) };
    });
  }

  // ---------------------------------------------------------------- self-service (a logged-in user)

  /** The logged-in user's own account (e-mail, name, roles, MFA state): everyone may read their own. */
  profile(caller: Caller): UserView {
    const { row } = this.#self(caller);
    return toUserView(this.#ctx, row);
  }

  /** Starts (or restarts) optional enrolment for a logged-in user without a second factor. */
  beginOwnMfaEnrolment(caller: Caller): { secret: string; otpauthUri: string } {
    const { sql, row } = this.#self(caller);
    if (row.totp_secret !== null) throw new FaceLedgerError('CONFLICT', 'a second factor is already set up');
    return this.#ctx.tx(() => this.#newPending(sql, row));
  }

  /** Confirms enrolment; returns the recovery codes (shown once). Marks the current session as MFA. */
  confirmOwnMfaEnrolment(caller: Caller, code: string): CodeCheck<{ recoveryCodes: string[] }> {
    const { sql, row } = this.#self(caller);
    return this.#ctx.tx((): CodeCheck<{ recoveryCodes: string[] }> => {
      const recoveryCodes = this.#confirmPending(sql, this.#user(sql, row.id), code, caller.actor);
      if (recoveryCodes === null) return { ok: false, reason: 'bad-code' };
      if (caller.sessionId !== null)
        sql.run('UPDATE sessions SET mfa = 1 WHERE id = @id AND org_id IS @org', { id: caller.sessionId });
      return { ok: true, recoveryCodes };
    });
  }

  /** Removes the second factor (needs a current code); refused where policy requires one. */
  removeOwnMfa(caller: Caller, code: string): CodeCheck | { ok: false; reason: 'mfa-required' } {
    const { sql, row } = this.#self(caller);
    return this.#ctx.tx(() => {
      const user = this.#user(sql, row.id);
      if (user.totp_secret === null) return { ok: true };
      if (mfaRequiredFor(readStoredRoles(user.roles), this.#org(sql)?.mfa_required === 1))
        return { ok: false, reason: 'mfa-required' as const };
      const wait = this.#lockedFor(user);
      if (wait !== null) return { ok: false, reason: 'locked' as const, retryAfterSeconds: wait };
      if (this.#secondFactor(sql, user, code) === null) return this.#badCodeSelf(sql, user);
      this.#clearMfa(sql, user.id);
      this.#ctx.event('auth.mfa.changed', user.org_id, caller.actor, { userId: user.id, change: 'removed' });
      return { ok: true };
    });
  }

  /** Replaces all recovery codes (needs a current TOTP code); returns the new ones (shown once). */
  regenerateRecoveryCodes(caller: Caller, code: string): CodeCheck<{ recoveryCodes: string[] }> {
    const { sql, row } = this.#self(caller);
    return this.#ctx.tx((): CodeCheck<{ recoveryCodes: string[] }> => {
      const user = this.#user(sql, row.id);
      if (user.totp_secret === null) throw new FaceLedgerError('BAD_INPUT', 'no second factor is set up');
      const wait = this.#lockedFor(user);
      if (wait !== null) return { ok: false, reason: 'locked', retryAfterSeconds: wait };
      if (this.#secondFactor(sql, user, code, { allowRecovery: false }) === null)
        return this.#badCodeSelf(sql, user);
      const recoveryCodes = this.#replaceRecoveryCodes(sql, user.id);
      this.#ctx.event('auth.mfa.changed', user.org_id, caller.actor, {
        userId: user.id,
        change: 'recovery-codes-regenerated',
      });
      return { ok: true, recoveryCodes };
    });
  }

  /** Changes one's password; ends one's other sessions. A wrong current password counts as a failed login. */
  async changePassword(
    caller: Caller,
    input: { currentPassword: string; newPassword: string },
  ): Promise<
    | { ok: true }
    | { ok: false; reason: 'bad-password' }
    | { ok: false; reason: 'locked'; retryAfterSeconds: number }
    | { ok: false; reason: 'weak-password'; problem: string }
  > {
    const { sql, row } = this.#self(caller);
    const email = this.#ctx.vault.openText(this.#ctx.sealScope(row.org_id), 'users.email', row.email);
    const problem = passwordProblem(input?.newPassword, email);
    if (problem !== null) return { ok: false, reason: 'weak-password', problem };
    const wait = this.#lockedFor(row);
    if (wait !== null) return { ok: false, reason: 'locked', retryAfterSeconds: wait };
    const good =
      row.password_hash !== null && (await this.#ctx.hasher.verify(row.password_hash, input.currentPassword));
    const next = good ? await this.#ctx.hasher.hash(input.newPassword) : null;
    return this.#ctx.tx(() => {
      const user = this.#user(sql, row.id);
      if (next === null) {
        sql.run('UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = @id AND org_id IS @org', {
          id: user.id,
        });
        const after = this.#user(sql, user.id);
        this.#failed(after, 'bad-password', undefined);
        if (after.failed_attempts >= this.#ctx.settings.maxFailedAttempts)
          return { ok: false, reason: 'locked' as const, retryAfterSeconds: this.#lock(sql, after) };
        return { ok: false, reason: 'bad-password' as const };
      }
      const now = this.#ctx.now().toISOString();
      sql.run(
        `UPDATE users SET password_hash = @next, password_changed_at = @now, updated_at = @now, failed_attempts = 0
         WHERE id = @id AND org_id IS @org`,
        { id: user.id, next, now },
      );
      sql.run(
        `UPDATE sessions SET revoked_at = @now, revoked_reason = 'password-changed'
         WHERE user_id = @id AND org_id IS @org AND revoked_at IS NULL AND id IS NOT @keep`,
        { id: user.id, now, keep: caller.sessionId },
      );
      this.#ctx.event('user.changed', user.org_id, caller.actor, {
        userId: user.id,
        change: 'password-changed',
        fields: ['password'],
      });
      return { ok: true as const };
    });
  }

  // ---------------------------------------------------------------- maintenance

  /** Lifts every lockout whose time is up (each audited as `auth.unlock` by timeout); returns how many. */
  releaseExpiredLockouts(): number {
    let released = 0;
    for (const { id, org_id } of this.#find.lockedUsers(this.#ctx.now().toISOString())) {
      const sql = new TenantSql(this.#ctx.db, org_id);
      this.#ctx.tx(() => {
        const row = this.#user(sql, id);
        if (this.#releaseIfExpired(sql, row) !== row) released++;
      });
    }
    return released;
  }

  /** Deletes spent login challenges and setup tokens, and sessions that ended over `keepDays` ago. */
  purgeExpired(keepDays = 30): { challenges: number; setupTokens: number; sessions: number } {
    const now = this.#ctx.now();
    const cutoff = new Date(now.getTime() - keepDays * 86_400_000).toISOString();
    const idleCutoff = new Date(
      Date.parse(cutoff) - this.#ctx.settings.sessionIdleSeconds * 1000,
    ).toISOString();
    const db = this.#ctx.db;
    return this.#ctx.tx(() => ({
      challenges: db.prepare('DELETE FROM login_challenges WHERE expires_at <= ?').run(now.toISOString())
        .changes,
      setupTokens: db.prepare('DELETE FROM setup_tokens WHERE expires_at <= ?').run(now.toISOString())
        .changes,
      sessions: db
        .prepare(
          'DELETE FROM sessions WHERE (revoked_at IS NOT NULL AND revoked_at <= ?) OR expires_at <= ? OR last_seen_at <= ?',
        )
        .run(cutoff, cutoff, idleCutoff).changes,
    }));
  }

  // ---------------------------------------------------------------- internals

  #user(sql: TenantSql, userId: string): UserRow {
    const row = sql.get<UserRow>('SELECT * FROM users WHERE id = @id AND org_id IS @org', { id: userId });
    if (!row) throw new FaceLedgerError('INTERNAL', 'account vanished during authentication');
    return row;
  }

  #org(sql: TenantSql): OrgRow | undefined {
    return sql.orgId === null ? undefined : sql.get<OrgRow>('SELECT * FROM orgs WHERE id = @org');
  }

  #usable(row: UserRow, org: OrgRow | undefined): boolean {
    return row.status === 'active' && (row.org_id === null || org?.status === 'active');
  }

  /** Seconds until the lockout ends, or null when not locked. */
  #lockedFor(row: UserRow): number | null {
    if (row.locked_until === null) return null;
    const ms = Date.parse(row.locked_until) - this.#ctx.now().getTime();
    return ms > 0 ? Math.ceil(ms / 1000) : null;
  }

  /** Lifts a lockout whose time is up (audited once, by whoever gets there first). Returns the current row. */
  #releaseIfExpired(sql: TenantSql, row: UserRow): UserRow {
    if (row.locked_until === null || this.#lockedFor(row) !== null) return row;
    const changed = sql.run(
      `UPDATE users SET locked_until = NULL, failed_attempts = 0
       WHERE id = @id AND org_id IS @org AND locked_until = @until`,
      { id: row.id, until: row.locked_until },
    ).changes;
    if (changed > 0)
      this.#ctx.event('auth.unlock', row.org_id, SYSTEM_ACTOR, { userId: row.id, by: 'timeout' });
    return this.#user(sql, row.id);
  }

  /** Locks the account now (audited once) and drops half-done logins; returns seconds until it lifts. */
  #lock(sql: TenantSql, row: UserRow): number {
    const until = this.#ctx.isoIn(this.#ctx.settings.lockoutSeconds);
    const changed = sql.run(
      'UPDATE users SET locked_until = @until WHERE id = @id AND org_id IS @org AND locked_until IS NULL',
      { id: row.id, until },
    ).changes;
    sql.run('DELETE FROM login_challenges WHERE user_id = @id AND org_id IS @org', { id: row.id });
    if (changed > 0)
      this.#ctx.event('auth.lockout', row.org_id, SYSTEM_ACTOR, {
        userId: row.id,
        failedAttempts: row.failed_attempts,
        lockedUntil: until,
      });
    return this.#lockedFor(this.#user(sql, row.id)) ?? this.#ctx.settings.lockoutSeconds;
  }

  #failed(row: UserRow, reason: FailReason, ip: string | undefined): void {
    this.#ctx.event('auth.login.failed', row.org_id, SYSTEM_ACTOR, {
      userId: row.id,
      usernameSha256: sha256Hex(row.email_bidx),
      reason,
      ...(ip ? { ip } : {}),
    });
  }

  /** A wrong second-factor code during login: counts, is audited, may lock. */
  #badCode(sql: TenantSql, row: UserRow, ip: string | undefined): SecondFactorResult {
    sql.run('UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = @id AND org_id IS @org', {
      id: row.id,
    });
    const after = this.#user(sql, row.id);
    this.#failed(after, 'bad-mfa', ip);
    if (after.failed_attempts >= this.#ctx.settings.maxFailedAttempts)
      return { ok: false, reason: 'locked', retryAfterSeconds: this.#lock(sql, after) };
    return { ok: false, reason: 'bad-code' };
  }

  #badCodeSelf(sql: TenantSql, row: UserRow): CodeCheck<never> {
    const result = this.#badCode(sql, row, undefined);
    return result.ok === false && result.reason === 'locked' ? result : { ok: false, reason: 'bad-code' };
  }

  /** A live challenge of `kind` for the token, and a TenantSql bound to its user's org. */
  #liveChallenge(
    token: unknown,
    kind: ChallengeRow['kind'],
  ): { challenge: ChallengeRow; sql: TenantSql } | undefined {
    if (!looksLikeToken(token, TOKEN_PREFIX.challenge)) return undefined;
    const challenge = this.#find.challenge(tokenHash(token));
    if (!challenge || challenge.kind !== kind || challenge.expires_at <= this.#ctx.now().toISOString())
      return undefined;
    return { challenge, sql: new TenantSql(this.#ctx.db, challenge.org_id) };
  }

  /** Inside the transaction: the challenge is still there, the account usable and not locked. */
  #gate(
    sql: TenantSql,
    challenge: ChallengeRow,
    ip: string | undefined,
  ):
    | { row: UserRow }
    | { ok: false; reason: 'invalid-challenge' | 'disabled' }
    | { ok: false; reason: 'locked'; retryAfterSeconds: number } {
    const still = sql.get('SELECT 1 AS x FROM login_challenges WHERE token_hash = @hash AND org_id IS @org', {
      hash: challenge.token_hash,
    });
    if (!still) return { ok: false, reason: 'invalid-challenge' };
    const row = this.#releaseIfExpired(sql, this.#user(sql, challenge.user_id));
    const wait = this.#lockedFor(row);
    if (wait !== null) {
      this.#failed(row, 'locked', ip);
      return { ok: false, reason: 'locked', retryAfterSeconds: wait };
    }
    if (!this.#usable(row, this.#org(sql))) {
      this.#consumeChallenge(sql, challenge);
      this.#failed(row, 'disabled', ip);
      return { ok: false, reason: 'disabled' };
    }
    return { row };
  }

  #consumeChallenge(sql: TenantSql, challenge: ChallengeRow): void {
    sql.run('DELETE FROM login_challenges WHERE token_hash = @hash AND org_id IS @org', {
      hash: challenge.token_hash,
    });
  }

  #challenge(sql: TenantSql, row: UserRow, kind: ChallengeRow['kind']): LoginResult {
    const challenge = newToken(TOKEN_PREFIX.challenge);
    const expiresAt = this.#ctx.isoIn(this.#ctx.settings.challengeSeconds);
    sql.run('DELETE FROM login_challenges WHERE user_id = @id AND org_id IS @org', { id: row.id });
    sql.run(
      `INSERT INTO login_challenges (token_hash, user_id, org_id, kind, created_at, expires_at)
       VALUES (@hash, @id, @org, @kind, @now, @expiresAt)`,
      { hash: tokenHash(challenge), id: row.id, kind, now: this.#ctx.now().toISOString(), expiresAt },
    );
    return kind === 'mfa'
      ? { ok: false, reason: 'mfa-required', challenge, expiresAt }
      : { ok: false, reason: 'mfa-enrolment-required', challenge, expiresAt };
  }

  /** Which second factor `code` is (a fresh TOTP code, or an unused recovery code, which it spends), or null. */
  #secondFactor(
    sql: TenantSql,
    row: UserRow,
    code: unknown,
    options: { allowRecovery?: boolean } = {},
  ): 'totp' | 'recovery' | null {
    if (typeof code !== 'string' || row.totp_secret === null || code.length > 64) return null;
    const secret = this.#ctx.vault.openText(
      this.#ctx.sealScope(row.org_id),
      'users.totp_secret',
      row.totp_secret,
    );
    const step = matchTotp(secret, code, this.#ctx.now().getTime(), row.totp_last_step);
    if (step !== null) {
      sql.run('UPDATE users SET totp_last_step = @step WHERE id = @id AND org_id IS @org', {
        id: row.id,
        step,
      });
      return 'totp';
    }
    if (options.allowRecovery === false) return null;
    const normalised = normaliseRecoveryCode(code);
    if (normalised === undefined) return null;
    const spent = sql.run(
      `UPDATE recovery_codes SET used_at = @now
       WHERE user_id = @id AND org_id IS @org AND code_hash = @hash AND used_at IS NULL`,
      { id: row.id, hash: recoveryCodeHash(normalised), now: this.#ctx.now().toISOString() },
    ).changes;
    return spent === 1 ? 'recovery' : null;
  }

  #recoveryCodesLeft(sql: TenantSql, userId: string): number {
    return (
      sql.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = @id AND org_id IS @org AND used_at IS NULL',
        { id: userId },
      )?.n ?? 0
    );
  }

  #replaceRecoveryCodes(sql: TenantSql, userId: string): string[] {
    const codes = newRecoveryCodes(this.#ctx.settings.recoveryCodeCount);
    const now = this.#ctx.now().toISOString();
    sql.run('DELETE FROM recovery_codes WHERE user_id = @id AND org_id IS @org', { id: userId });
    for (const code of codes) {
      sql.run(
        `INSERT INTO recovery_codes (user_id, org_id, code_hash, created_at)
         VALUES (@id, @org, @hash, @now)`,
        { id: userId, hash: recoveryCodeHash(normaliseRecoveryCode(code) as string), now },
      );
    }
    return codes;
  }

  #newPending(sql: TenantSql, row: UserRow): { secret: string; otpauthUri: string } {
    const scope = this.#ctx.sealScope(row.org_id);
    const secret = newTotpSecret();
    sql.run('UPDATE users SET totp_pending = @pending WHERE id = @id AND org_id IS @org', {
      id: row.id,
      pending: this.#ctx.vault.seal(scope, 'users.totp_pending', secret),
    });
    const label = this.#ctx.vault.openText(scope, 'users.email', row.email);
    return { secret, otpauthUri: totpUri(secret, label, this.#ctx.settings.totpIssuer) };
  }

  /** Makes the pending secret the second factor if `code` matches it; returns fresh recovery codes, or null. */
  #confirmPending(sql: TenantSql, row: UserRow, code: unknown, actorId: string): string[] | null {
    if (row.totp_pending === null || typeof code !== 'string') return null;
    const scope = this.#ctx.sealScope(row.org_id);
    const secret = this.#ctx.vault.openText(scope, 'users.totp_pending', row.totp_pending);
    const step = matchTotp(secret, code, this.#ctx.now().getTime(), null);
    if (step === null) return null;
    const now = this.#ctx.now().toISOString();
    sql.run(
      `UPDATE users SET totp_secret = @secret, totp_pending = NULL, totp_last_step = @step,
       mfa_enrolled_at = @now, updated_at = @now WHERE id = @id AND org_id IS @org`,
      { id: row.id, secret: this.#ctx.vault.seal(scope, 'users.totp_secret', secret), step, now },
    );
    const codes = this.#replaceRecoveryCodes(sql, row.id);
    this.#ctx.event('auth.mfa.changed', row.org_id, actorId, { userId: row.id, change: 'enrolled' });
    return codes;
  }

  #clearMfa(sql: TenantSql, userId: string): void {
    sql.run(
      `UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL, mfa_enrolled_at = NULL
       WHERE id = @id AND org_id IS @org`,
      { id: userId },
    );
    sql.run('DELETE FROM recovery_codes WHERE user_id = @id AND org_id IS @org', { id: userId });
  }

  #openSession(sql: TenantSql, row: UserRow, mfa: boolean, ip: string | undefined): IssuedSession {
    const token = newToken(TOKEN_PREFIX.session);
    const id = newId();
    const now = this.#ctx.now().toISOString();
    const expiresAt = this.#ctx.isoIn(this.#ctx.settings.sessionLifetimeSeconds);
    sql.run(
      `INSERT INTO sessions (id, token_hash, user_id, org_id, mfa, created_at, last_seen_at, expires_at)
       VALUES (@id, @hash, @userId, @org, @mfa, @now, @now, @expiresAt)`,
      { id, hash: tokenHash(token), userId: row.id, mfa: mfa ? 1 : 0, now, expiresAt },
    );
    sql.run('UPDATE users SET failed_attempts = 0, last_login_at = @now WHERE id = @id AND org_id IS @org', {
      id: row.id,
      now,
    });
    this.#ctx.event('auth.login.ok', row.org_id, auditActor.user(row.id), {
      userId: row.id,
      method: mfa ? 'password+mfa' : 'password',
      sessionId: id,
      ...(ip ? { ip } : {}),
    });
    return {
      token,
      sessionId: id,
      userId: row.id,
      orgId: row.org_id,
      roles: readStoredRoles(row.roles),
      mfa,
      expiresAt,
      idleTimeoutSeconds: this.#ctx.settings.sessionIdleSeconds,
    };
  }

  #endSession(sql: TenantSql, sessionId: string, reason: string): number {
    return sql.run(
      `UPDATE sessions SET revoked_at = @now, revoked_reason = @reason
       WHERE id = @id AND org_id IS @org AND revoked_at IS NULL`,
      { id: sessionId, reason, now: this.#ctx.now().toISOString() },
    ).changes;
  }

  /** The logged-in user behind a (genuine, user) caller. */
  #self(caller: Caller): { sql: TenantSql; row: UserRow } {
    assertGenuineCaller(caller);
    if (caller.kind !== 'user' || caller.userId === null)
      throw new FaceLedgerError('BAD_INPUT', 'only a logged-in user can manage their own credentials');
    const sql = new TenantSql(this.#ctx.db, caller.orgId);
    return { sql, row: this.#user(sql, caller.userId) };
  }
}
