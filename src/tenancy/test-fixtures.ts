/**
 * Test helpers for the tenancy room (tests only; not exported from index.ts): a database with
 * migrations v1 (galleries…), v2 (audit), v3 (data keys) and v4 (tenancy) applied in order, a clock
 * tests move by hand, cheap argon2 parameters, and shortcuts that walk the real login flows.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { AuditEventType } from '../audit/audit-event.js';
import { AuditLog } from '../audit/audit-log.js';
import { AUDIT_MIGRATION } from '../audit/audit-schema.js';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { CRYPTO_MIGRATION, MasterKeyRing, Vault } from '../crypto/index.js';
import { MIGRATIONS } from '../gallery/store/migrations.js';
import type { Caller } from './caller.js';
import type { Argon2Params } from './passwords.js';
import type { Role } from './roles.js';
import { TENANCY_MIGRATION } from './schema.js';
import type { TenancyStoreOptions } from './store.js';
import { Tenancy } from './tenancy.js';
import { totpCode } from './totp.js';

export const TEST_ARGON2: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
export const PASSWORD = 'correct horse battery staple';

export class ManualClock implements Clock {
  #ms: number;

  constructor(start = '2025-03-10T09:00:20.000Z') {
    this.#ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }

  set(iso: string): void {
    this.#ms = Date.parse(iso);
  }
}

/** A connection like gallery/store/database.ts opens, with v1–v4 applied in order. */
export function openTenancyTestDb(path = ':memory:'): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  const v1 = MIGRATIONS.find((m) => m.version === 1);
  assert.ok(v1, 'migration v1 exists');
  for (const m of [v1, AUDIT_MIGRATION, CRYPTO_MIGRATION, TENANCY_MIGRATION]) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
    })();
  }
  return db;
}

export interface Env {
  db: Database.Database;
  vault: Vault;
  audit: AuditLog;
  clock: ManualClock;
  tenancy: Tenancy;
}

export function testEnv(options: { path?: string } & TenancyStoreOptions = {}): Env {
  const { path, ...rest } = options;
  const clock = new ManualClock();
  const db = openTenancyTestDb(path);
  const vault = Vault.forDatabase(db, MasterKeyRing.fromBytes(randomBytes(32)), clock);
  const audit = new AuditLog(db, clock);
  const tenancy = new Tenancy({ db, vault, audit }, { clock, argon2: TEST_ARGON2, ...rest });
  return { db, vault, audit, clock, tenancy };
}

/** Audit entries of one type (optionally one org's), oldest first, with their details parsed. */
export function auditOf(
  env: Env,
  type: AuditEventType,
  orgId?: string | null,
): { orgId: string | null; actor: string; details: Record<string, unknown> }[] {
  return env.audit
    .query({ types: [type], ...(orgId !== undefined ? { orgId } : {}), order: 'asc', limit: 1000 })
    .entries.map((e) => ({ orgId: e.orgId, actor: e.actor, details: JSON.parse(e.details) }));
}

export interface Account {
  userId: string;
  email: string;
  orgId: string | null;
  /** Base32 TOTP secret once enrolled. */
  totp: string | null;
  recoveryCodes: string[];
}

/** A TOTP code for now, after stepping the clock 30 s so the previous code's step is never reused. */
export function freshCode(env: Env, account: Account): string {
  assert.ok(account.totp, 'account has a second factor');
  env.clock.advance(30);
  return totpCode(account.totp, env.clock.now().getTime());
}

/** Sets the password with the setup token, then logs in (enrolling a second factor if required). */
export async function activate(
  env: Env,
  issued: { userId: string; setupToken: string },
  email: string,
  orgId: string | null,
): Promise<Account> {
  const setup = await env.tenancy.auth.completeSetup({ setupToken: issued.setupToken, password: PASSWORD });
  assert.deepEqual(setup, { ok: true, userId: issued.userId });
  const account: Account = { userId: issued.userId, email, orgId, totp: null, recoveryCodes: [] };
  const login = await env.tenancy.auth.login({ email, password: PASSWORD });
  if (login.ok) return account;
  if (login.reason === 'mfa-enrolment-required') {
    const start = env.tenancy.auth.startMfaEnrolment({ challenge: login.challenge });
    assert.ok(start.ok);
    const done = env.tenancy.auth.confirmMfaEnrolment({
      challenge: login.challenge,
      code: totpCode(start.secret, env.clock.now().getTime()),
    });
    assert.ok(done.ok, `enrolment failed: ${JSON.stringify(done)}`);
    account.totp = start.secret;
    account.recoveryCodes = done.recoveryCodes;
    return account;
  }
  assert.fail(`unexpected login result ${JSON.stringify(login)}`);
}

/** Logs the account in through every step it needs; returns the caller and session token. */
export async function signIn(env: Env, account: Account): Promise<{ caller: Caller; token: string }> {
  const login = await env.tenancy.auth.login({ email: account.email, password: PASSWORD });
  let token: string;
  if (login.ok) token = login.session.token;
  else {
    assert.equal(login.reason, 'mfa-required', `login: ${JSON.stringify(login)}`);
    if (login.reason !== 'mfa-required') throw new Error('unreachable');
    const done = env.tenancy.auth.completeMfa({ challenge: login.challenge, code: freshCode(env, account) });
    assert.ok(done.ok, `mfa: ${JSON.stringify(done)}`);
    token = done.session.token;
  }
  const check = env.tenancy.auth.authenticateSession(token);
  assert.ok(check.ok);
  return { caller: check.caller, token };
}

export interface PlatformFixture {
  admin: Account;
  caller: Caller;
}

export async function platformAdmin(env: Env, email = 'root@platform.example'): Promise<PlatformFixture> {
  const issued = env.tenancy.createPlatformAdmin({ email, actor: 'cli:root' });
  const admin = await activate(env, issued, email, null);
  const { caller } = await signIn(env, admin);
  return { admin, caller };
}

export interface OrgFixture {
  orgId: string;
  admin: Account;
  adminCaller: Caller;
}

/** An org created by the platform-admin, with its first org-admin activated (MFA enrolled) and signed in. */
export async function makeOrg(
  env: Env,
  platform: PlatformFixture,
  name: string,
  mfaRequired = false,
): Promise<OrgFixture> {
  const scope = env.tenancy.forPlatform(platform.caller);
  const org = scope.orgs.create({
    name,
    contact: { person: `${name} contact`, email: `contact@${slug(name)}.example` },
    mfaRequired,
  });
  const email = `admin@${slug(name)}.example`;
  const issued = scope.orgs.createAdmin(org.id, { email, name: `${name} Admin` });
  const admin = await activate(env, issued, email, org.id);
  const { caller } = await signIn(env, admin);
  return { orgId: org.id, admin, adminCaller: caller };
}

/** A user created by the org's admin and activated (password set; MFA if the roles require it). */
export async function addUser(
  env: Env,
  org: OrgFixture,
  roles: Role[],
  local: string,
): Promise<Account & { caller: Caller; token: string }> {
  const email = `${local}@${org.orgId.slice(-8)}.example`;
  const created = env.tenancy
    .forCaller(org.adminCaller)
    .users.create({ email, name: `User ${local}`, roles });
  const account = await activate(env, created, email, org.orgId);
  const signed = await signIn(env, account);
  return { ...account, ...signed };
}

/** Inserts a gallery row directly (the gallery room owns galleries; tests only need the id). */
export function insertGallery(env: Env, createdBy: string, name = `g-${newId()}`): string {
  const id = newId();
  env.db
    .prepare(
      `INSERT INTO galleries (id, name, legal_basis, created_by, created_at) VALUES (?, ?, 'test', ?, ?)`,
    )
    .run(id, name, createdBy, env.clock.now().toISOString());
  return id;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
