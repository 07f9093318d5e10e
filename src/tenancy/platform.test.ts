import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaceLedgerError } from '../core/errors.js';
import { denialOf } from './denial.js';
import { can } from './policy.js';
import {
  addUser,
  auditOf,
  insertGallery,
  makeOrg,
  PASSWORD,
  platformAdmin,
  testEnv,
} from './test-fixtures.js';

function denial(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    return denialOf(err);
  }
  return undefined;
}

describe('platform-admin', () => {
  it('cannot read any org’s search counts, users, keys or sessions', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Counted Org');
    const inv = await addUser(env, org, ['investigator'], 'c');
    env.tenancy.quotas.record(inv.caller);
    assert.equal(denial(() => env.tenancy.forCaller(platform.caller))?.reason, 'forbidden');
    assert.equal(denial(() => env.tenancy.quotas.counts(platform.caller))?.reason, 'forbidden');
    assert.equal(denial(() => env.tenancy.quotas.check(platform.caller))?.reason, 'forbidden');
    for (const action of [
      'counts.read',
      'search.run',
      'search.read.org',
      'audit.read',
      'users.read',
      'apikeys.manage',
    ] as const) {
      assert.equal(can(platform.caller, action, { orgId: org.orgId }), false, action);
    }
    // The platform scope offers no way in: no counts, and its repositories read no org content.
    const scope = env.tenancy.forPlatform(platform.caller);
    assert.deepEqual(Object.keys(scope).sort(), ['admins', 'caller', 'galleries', 'orgs', 'sessions']);
    assert.deepEqual(
      scope.admins.list().map((u) => u.id),
      [platform.admin.userId],
      'platform accounts only',
    );
    assert.equal(scope.admins.get(inv.userId), undefined);
    assert.deepEqual(scope.sessions.list(inv.userId), []);
    assert.throws(() => scope.sessions.revoke(inv.caller.sessionId as string), /session not found/);
    assert.throws(() => scope.admins.disable(inv.userId), /user not found/);
    assert.throws(() => scope.admins.resetCredentials(inv.userId), /user not found/);
    const listed = JSON.stringify(scope.orgs.list());
    assert.ok(!listed.includes(inv.email) && !listed.includes(inv.userId));
    assert.ok(env.tenancy.auth.authenticateSession(inv.token).ok);
  });

  it('manages orgs: create (unique names), list, suspend and reactivate', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const scope = env.tenancy.forPlatform(platform.caller);
    const org = await makeOrg(env, platform, 'Harbour Police');
    assert.throws(() => scope.orgs.create({ name: '  harbour   POLICE ' }), /already exists/);
    assert.deepEqual(
      scope.orgs.list().map((o) => [o.name, o.status, o.contact?.person]),
      [['Harbour Police', 'active', 'Harbour Police contact']],
    );
    const inv = await addUser(env, org, ['investigator'], 'h');
    scope.orgs.suspend(org.orgId);
    assert.deepEqual(env.tenancy.auth.authenticateSession(inv.token), { ok: false, reason: 'revoked' });
    assert.deepEqual(await env.tenancy.auth.login({ email: inv.email, password: PASSWORD }), {
      ok: false,
      reason: 'disabled',
    });
    scope.orgs.reactivate(org.orgId);
    assert.ok((await env.tenancy.auth.login({ email: inv.email, password: PASSWORD })).ok);
    const updated = scope.orgs.update(org.orgId, { contact: { phone: '+44 1632 960000' } });
    assert.deepEqual(updated.contact, { phone: '+44 1632 960000' });
    const changes = auditOf(env, 'config.changed', org.orgId).flatMap(
      (e) => e.details.changes as { key: string }[],
    );
    assert.deepEqual(
      changes.map((c) => c.key),
      ['org.status', 'org.status', 'org.status', 'org.contact'],
    );
    assert.ok(!JSON.stringify(changes).includes('1632'), 'sealed values stay out of the audit log');
  });

  it('shares galleries by grant and assigns owners; only platform-admins can', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const a = await makeOrg(env, platform, 'Grant A');
    const b = await makeOrg(env, platform, 'Grant B');
    const scope = env.tenancy.forPlatform(platform.caller);
    const national = insertGallery(env, platform.caller.actor);
    assert.deepEqual(scope.galleries.platformOwnedIds(), [national]);
    const grant = scope.galleries.grant(national, a.orgId);
    assert.equal(grant.grantedBy, platform.caller.actor);
    assert.deepEqual(env.tenancy.accessibleGalleryIds(a.adminCaller), [national]);
    assert.deepEqual(env.tenancy.accessibleGalleryIds(b.adminCaller), []);
    assert.deepEqual(
      scope.galleries.grants(national).map((g) => g.orgId),
      [a.orgId],
    );
    assert.equal(scope.galleries.revoke(national, a.orgId), true);
    assert.equal(scope.galleries.revoke(national, a.orgId), false);
    assert.deepEqual(env.tenancy.accessibleGalleryIds(a.adminCaller), []);
    scope.galleries.setOwner(national, b.orgId);
    assert.equal(scope.galleries.ownerOf(national), b.orgId);
    assert.deepEqual(env.tenancy.forCaller(b.adminCaller).galleries.ownedIds(), [national]);
    assert.throws(() => scope.galleries.grant('no-such-gallery', a.orgId), /gallery not found/);
    assert.throws(() => scope.galleries.grant(national, 'no-such-org'), /org not found/);
    assert.deepEqual(
      auditOf(env, 'config.changed', a.orgId)
        .flatMap((e) => e.details.changes as { key: string; to: string | null }[])
        .filter((c) => c.key.startsWith('gallery.'))
        .map((c) => [c.key, c.to]),
      [
        [`gallery.${national}.grant`, 'granted'],
        [`gallery.${national}.grant`, null],
      ],
    );
    assert.equal(denial(() => env.tenancy.forPlatform(a.adminCaller))?.reason, 'forbidden');
  });

  it('an org claims a gallery its own caller created, never a platform one', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Claim Org');
    const inv = await addUser(env, org, ['investigator'], 'cl');
    const mine = insertGallery(env, org.adminCaller.actor);
    const platformGallery = insertGallery(env, platform.caller.actor);
    const scope = env.tenancy.forCaller(org.adminCaller);
    assert.equal(
      denial(() => env.tenancy.forCaller(inv.caller).galleries.claimCreated(mine))?.reason,
      'forbidden',
    );
    scope.galleries.claimCreated(mine);
    assert.throws(() => scope.galleries.claimCreated(mine), /gallery not found/, 'already owned');
    assert.throws(() => scope.galleries.claimCreated(platformGallery), /gallery not found/);
    assert.deepEqual(scope.galleries.accessibleIds(), [mine]);
    assert.ok(scope.galleries.canAccess(mine));
    assert.ok(!scope.galleries.canAccess(platformGallery));
  });

  it('bootstrap: createPlatformAdmin returns a one-time setup token and is audited', async () => {
    const env = testEnv();
    const issued = env.tenancy.createPlatformAdmin({ email: 'first@platform.example', actor: 'cli:ops' });
    assert.match(issued.setupToken, /^flsetup_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(auditOf(env, 'user.changed', null), [
      {
        orgId: null,
        actor: 'cli:ops',
        details: { userId: issued.userId, change: 'created', rolesAfter: ['platform-admin'] },
      },
    ]);
    assert.throws(
      () => env.tenancy.createPlatformAdmin({ email: 'FIRST@platform.example' }),
      /already registered/,
    );
    assert.throws(() => env.tenancy.createPlatformAdmin({ email: 'not an email' }), /valid e-mail/);
    assert.ok(
      (await env.tenancy.auth.completeSetup({ setupToken: issued.setupToken, password: PASSWORD })).ok,
    );
    const login = await env.tenancy.auth.login({ email: 'first@platform.example', password: PASSWORD });
    assert.equal(!login.ok && login.reason, 'mfa-enrolment-required');
  });

  it('never leaves an org or the platform without an active admin', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Solo Org');
    const users = env.tenancy.forCaller(org.adminCaller).users;
    assert.throws(() => users.disable(org.admin.userId), /last active org-admin/);
    assert.throws(() => users.setRoles(org.admin.userId, ['investigator']), /last active org-admin/);
    assert.throws(
      () => env.tenancy.forPlatform(platform.caller).admins.disable(platform.admin.userId),
      /last active platform-admin/,
    );
    assert.throws(() => users.setRoles(org.admin.userId, ['platform-admin']), /not an org role/);
    assert.throws(
      () => users.create({ email: 'x@solo.example', roles: ['auditor', 'investigator'] }),
      /cannot be held together/,
    );
    assert.throws(
      () =>
        env.tenancy
          .forPlatform(platform.caller)
          .admins.create({ email: 'y@p.example', roles: ['org-admin'] }),
      /exactly the platform-admin role/,
    );
  });

  it('org-admins manage their users; investigators and auditors cannot', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Manage Org');
    const inv = await addUser(env, org, ['investigator'], 'm1');
    const aud = await addUser(env, org, ['auditor'], 'm2');
    assert.equal(denial(() => env.tenancy.forCaller(inv.caller).users.list())?.reason, 'forbidden');
    assert.deepEqual(
      env.tenancy
        .forCaller(aud.caller)
        .users.list()
        .map((u) => u.email)
        .sort(),
      [org.admin.email, inv.email, aud.email].sort(),
      'auditors may read the directory',
    );
    assert.equal(
      denial(() => env.tenancy.forCaller(aud.caller).users.disable(inv.userId))?.reason,
      'forbidden',
    );
    const admin = env.tenancy.forCaller(org.adminCaller);
    const renamed = admin.users.update(inv.userId, { name: 'Ida Renamed', email: 'ida.new@manage.example' });
    assert.equal(renamed.name, 'Ida Renamed');
    assert.equal(renamed.email, 'ida.new@manage.example');
    assert.ok((await env.tenancy.auth.login({ email: 'ida.new@manage.example', password: PASSWORD })).ok);
    assert.throws(() => admin.users.update(inv.userId, { email: aud.email }), /already registered/);
    assert.deepEqual(auditOf(env, 'user.changed', org.orgId).at(-1)?.details, {
      userId: inv.userId,
      change: 'updated',
      fields: ['email', 'name'],
    });
    const err = (() => {
      try {
        admin.users.get(inv.userId);
        env.tenancy.forCaller(inv.caller).users.get(inv.userId);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof FaceLedgerError && err.code === 'FORBIDDEN');
  });
});
