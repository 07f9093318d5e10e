/**
 * Cross-tenant isolation: a caller of org A, whatever its roles, cannot read, list, count or change
 * anything of org B through any method of any repository its scope offers. The probe table must name
 * every public method (a new method without a probe fails the coverage test), each probe aims at B's
 * ids, and B's rows (and audit chain) must be byte-for-byte unchanged afterwards.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FaceLedgerError } from '../core/errors.js';
import type { Caller } from './caller.js';
import { assertTenantScoped, TenantSql } from './context.js';
import { PlatformSql } from './platform-sql.js';
import { OrgScope } from './store.js';
import {
  addUser,
  type Env,
  insertGallery,
  makeOrg,
  type OrgFixture,
  type PlatformFixture,
  platformAdmin,
  testEnv,
} from './test-fixtures.js';
import { UsersRepo } from './users-repo.js';

interface Tenant {
  org: OrgFixture;
  name: string;
  inv: Awaited<ReturnType<typeof addUser>>;
  aud: Awaited<ReturnType<typeof addUser>>;
  keyId: string;
  keyCaller: Caller;
  auditorKeyCaller: Caller;
  galleryId: string;
  secrets: string[];
}

let env: Env;
let platform: PlatformFixture;
let A: Tenant;
let B: Tenant;
let sharedWithB: string;

async function tenant(name: string): Promise<Tenant> {
  const org = await makeOrg(env, platform, name);
  const inv = await addUser(env, org, ['investigator'], 'inv');
  const aud = await addUser(env, org, ['auditor'], 'aud');
  const admin = env.tenancy.forCaller(org.adminCaller);
  const key = admin.apiKeys.create({ role: 'investigator', label: `${name} key label` });
  const audKey = admin.apiKeys.create({ role: 'auditor' });
  const keyCheck = env.tenancy.auth.authenticateApiKey(key.token);
  const audKeyCheck = env.tenancy.auth.authenticateApiKey(audKey.token);
  assert.ok(keyCheck.ok && audKeyCheck.ok);
  admin.quotas.setForSubject(`user:${inv.userId}`, { perMinute: 7, perDay: 70 });
  for (let i = 0; i < 3; i++) env.tenancy.quotas.record(inv.caller);
  env.tenancy.quotas.record(keyCheck.caller);
  const galleryId = insertGallery(env, org.adminCaller.actor);
  admin.galleries.claimCreated(galleryId);
  return {
    org,
    name,
    inv,
    aud,
    keyId: key.key.id,
    keyCaller: keyCheck.caller,
    auditorKeyCaller: audKeyCheck.caller,
    galleryId,
    secrets: [name, inv.email, aud.email, org.admin.email, `${name} key label`, key.token],
  };
}

before(async () => {
  env = testEnv();
  platform = await platformAdmin(env);
  A = await tenant('Alpha Agency');
  B = await tenant('Bravo Bureau');
  sharedWithB = insertGallery(env, platform.caller.actor);
  env.tenancy.forPlatform(platform.caller).galleries.grant(sharedWithB, B.org.orgId);
});

/** Every identifier and plaintext of B that must never come back to A. */
function bMarkers(): string[] {
  return [
    B.org.orgId,
    B.org.admin.userId,
    B.inv.userId,
    B.aud.userId,
    B.keyId,
    B.galleryId,
    sharedWithB,
    B.inv.caller.sessionId as string,
    B.org.adminCaller.sessionId as string,
    ...B.secrets,
  ];
}

type Probe = (scope: OrgScope) => unknown;

/** One probe per public method, aimed at B. Methods that take no id can only touch the caller's own org. */
const PROBES: Record<string, Record<string, Probe>> = {
  org: {
    get: (s) => s.org.get(),
    setMfaRequired: (s) => s.org.setMfaRequired(false),
  },
  users: {
    list: (s) => s.users.list(),
    get: (s) => s.users.get(B.inv.userId),
    create: (s) => s.users.create({ email: `probe-${Math.random()}@alpha.example`, roles: ['investigator'] }),
    update: (s) => s.users.update(B.inv.userId, { name: 'hijacked' }),
    setRoles: (s) => s.users.setRoles(B.inv.userId, ['org-admin']),
    disable: (s) => s.users.disable(B.org.admin.userId),
    enable: (s) => s.users.enable(B.inv.userId),
    unlock: (s) => s.users.unlock(B.inv.userId),
    resetCredentials: (s) => s.users.resetCredentials(B.inv.userId, { resetMfa: true }),
  },
  sessions: {
    listMine: (s) => s.sessions.listMine(),
    list: (s) => s.sessions.list(B.inv.userId),
    revoke: (s) => s.sessions.revoke(B.inv.caller.sessionId as string),
    revokeAll: (s) => s.sessions.revokeAll(B.inv.userId),
  },
  apiKeys: {
    create: (s) => s.apiKeys.create({ role: 'auditor', label: 'probe' }),
    list: (s) => s.apiKeys.list(),
    get: (s) => s.apiKeys.get(B.keyId),
    revoke: (s) => s.apiKeys.revoke(B.keyId),
  },
  quotas: {
    settings: (s) => s.quotas.settings(),
    setUserDefault: (s) => s.quotas.setUserDefault({ perMinute: 1, perDay: 1 }),
    setForSubject: (s) => s.quotas.setForSubject(`user:${B.inv.userId}`, { perMinute: 0, perDay: 0 }),
  },
  counts: {
    daily: (s) => s.counts.daily(),
    totals: (s) => s.counts.totals(),
  },
  galleries: {
    accessibleIds: (s) => s.galleries.accessibleIds(),
    canAccess: (s) => s.galleries.canAccess(B.galleryId),
    ownedIds: (s) => s.galleries.ownedIds(),
    claimCreated: (s) => s.galleries.claimCreated(B.galleryId),
  },
};

/** Extra probes for methods whose second target is worth trying too. */
const EXTRA: Probe[] = [
  (s) => s.quotas.setForSubject(`apikey:${B.keyId}`, null),
  (s) => s.galleries.claimCreated(sharedWithB),
  (s) => s.galleries.canAccess(sharedWithB),
  (s) => s.sessions.revoke(B.org.adminCaller.sessionId as string),
  (s) => s.apiKeys.get(B.keyId),
];

function publicMethods(obj: object): string[] {
  return Object.getOwnPropertyNames(Object.getPrototypeOf(obj)).filter(
    (n) => n !== 'constructor' && typeof (obj as Record<string, unknown>)[n] === 'function',
  );
}

/** Every row of every table that mentions org B, plus B's audit chain: any change shows up. */
function snapshotB(): string {
  const tables = (
    env.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  )
    .map((t) => t.name)
    .filter((name) =>
      (env.db.pragma(`table_info(${name})`) as { name: string }[]).some((c) => c.name === 'org_id'),
    );
  assert.ok(tables.length >= 10, `tables with org_id: ${tables.join(', ')}`);
  const rows: Record<string, unknown[]> = {};
  for (const name of tables) {
    const sql = `SELECT * FROM ${name} WHERE org_id = ? ORDER BY rowid`;
    rows[name] = env.db.prepare(sql).all(B.org.orgId);
  }
  rows.orgs = env.db.prepare('SELECT * FROM orgs WHERE id = ?').all(B.org.orgId);
  return JSON.stringify(rows);
}

describe('cross-tenant isolation', () => {
  it('the probe table covers every public method of every repository in an org scope', () => {
    const scope = env.tenancy.forCaller(A.org.adminCaller);
    const repos = Object.keys(scope).filter((k) => k !== 'orgId' && k !== 'caller');
    assert.deepEqual(repos.sort(), Object.keys(PROBES).sort());
    for (const repo of repos) {
      const methods = publicMethods((scope as unknown as Record<string, object>)[repo] as object);
      assert.deepEqual(methods.sort(), Object.keys(PROBES[repo] ?? {}).sort(), `probes for ${repo}`);
    }
  });

  for (const [label, pick] of [
    ['org-admin', () => A.org.adminCaller],
    ['investigator', () => A.inv.caller],
    ['auditor', () => A.aud.caller],
    ['investigator key', () => A.keyCaller],
    ['auditor key', () => A.auditorKeyCaller],
  ] as const) {
    it(`a caller of A (${label}) gets nothing of B from any method, and changes nothing of B`, () => {
      const before = snapshotB();
      const scope = env.tenancy.forCaller(pick());
      const probes = [...Object.values(PROBES).flatMap((r) => Object.values(r)), ...EXTRA];
      for (const probe of probes) {
        let result: unknown;
        try {
          result = probe(scope);
        } catch (err) {
          assert.ok(err instanceof FaceLedgerError, `probe threw a non-FaceLedgerError: ${String(err)}`);
          // FORBIDDEN says the role may not act at all, so it reveals nothing about B either.
          assert.ok(
            err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN',
            `probe ${probe.toString()} failed with ${err.code}: ${err.message}`,
          );
          continue;
        }
        const text = JSON.stringify(result ?? null);
        for (const marker of bMarkers()) {
          assert.ok(!text.includes(marker), `${probe.toString()} returned B's ${marker}`);
        }
        if (typeof result === 'boolean') assert.equal(result, false, `${probe.toString()} said yes about B`);
      }
      assert.equal(snapshotB(), before, 'B is unchanged');
    });
  }

  it("A's counts and quotas are A's own", () => {
    const a = env.tenancy.forCaller(A.org.adminCaller);
    const subjects = new Set(a.counts.daily().map((r) => r.subject));
    assert.deepEqual([...subjects].sort(), [`apikey:${A.keyId}`, `user:${A.inv.userId}`].sort());
    assert.deepEqual(
      a.counts.totals().map((r) => r.count),
      [4],
    );
    assert.deepEqual(
      env.tenancy.quotas
        .counts(A.aud.caller)
        .map((r) => r.subject)
        .sort(),
      [...subjects].sort(),
    );
    const overrides = a.quotas.settings().overrides.map((o) => o.subject);
    assert.ok(!overrides.includes(`user:${B.inv.userId}`));
  });

  it('galleries: A reaches its own, B reaches its own and the one shared with it', () => {
    assert.deepEqual(env.tenancy.accessibleGalleryIds(A.inv.caller), [A.galleryId]);
    assert.deepEqual(env.tenancy.accessibleGalleryIds(B.inv.caller), [B.galleryId, sharedWithB].sort());
    assert.deepEqual(env.tenancy.accessibleGalleryIds(platform.caller), []);
  });

  it('B still works after all the probing', () => {
    assert.ok(env.tenancy.auth.authenticateSession(B.inv.token).ok);
    const b = env.tenancy.forCaller(B.org.adminCaller);
    assert.equal(b.apiKeys.get(B.keyId)?.status, 'active');
    assert.deepEqual(b.users.get(B.inv.userId)?.roles, ['investigator']);
    assert.equal(b.users.get(B.inv.userId)?.name, 'User inv');
  });

  it('a hand-made or copied caller opens no scope', () => {
    const forged = { ...A.org.adminCaller, orgId: B.org.orgId };
    const copy = structuredClone(A.org.adminCaller);
    for (const caller of [forged, copy, { ...platform.caller }]) {
      assert.throws(
        () => env.tenancy.forCaller(caller as Caller),
        (e: unknown) => e instanceof FaceLedgerError && e.code === 'INTERNAL',
      );
      assert.throws(() => env.tenancy.quotas.check(caller as Caller), /not produced by authentication/);
    }
    assert.throws(
      () => env.tenancy.forPlatform({ ...platform.caller } as Caller),
      /not produced by authentication/,
    );
    // Genuine callers are frozen: nobody can re-point one at another org.
    assert.throws(() => {
      (A.org.adminCaller as { orgId: string }).orgId = B.org.orgId;
    }, TypeError);
  });

  it('no repository or scope can be built by hand for a foreign tenant', () => {
    const ctx = env.tenancy.store.ctx;
    assert.throws(
      () => new UsersRepo(ctx, new TenantSql(env.db, B.org.orgId), A.org.adminCaller),
      /bound to a tenant other than its caller/,
    );
    assert.throws(
      () => new UsersRepo(ctx, new TenantSql(env.db, null), A.org.adminCaller),
      /other than its caller/,
    );
    const forged = { ...A.org.adminCaller, orgId: B.org.orgId } as Caller & { orgId: string };
    assert.throws(
      () => new OrgScope(ctx, forged, env.tenancy.store.quotaDefaults),
      /not produced by authentication/,
    );
  });

  it('unscoped SQL is refused before it runs', () => {
    for (const sql of [
      'SELECT * FROM users WHERE id = @id',
      'UPDATE users SET status = 1 WHERE id = @id',
      'DELETE FROM sessions',
      'INSERT INTO api_keys (id) VALUES (@id)',
      'DROP TABLE users',
      "SELECT * FROM users WHERE note = 'org_id = @organisation'",
      'SELECT * FROM users WHERE id = @id AND (org_id = @org OR 1 = 1)',
    ]) {
      assert.throws(() => assertTenantScoped(sql), /does not filter on the tenant|may not use OR/, sql);
    }
    assertTenantScoped('SELECT * FROM users WHERE id = @id AND org_id = @org');
    assertTenantScoped('SELECT * FROM users u WHERE u.org_id IS @org');
    assertTenantScoped('SELECT * FROM orgs WHERE id = @org');
    const platformSql = new PlatformSql(env.db);
    for (const table of [
      'users',
      'sessions',
      'api_keys',
      'search_counts',
      'recovery_codes',
      'quota_settings',
    ]) {
      assert.throws(() => platformSql.all(`SELECT * FROM ${table}`), /may not touch org content/);
    }
  });
});
