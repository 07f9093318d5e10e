import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  addUser,
  auditOf,
  type Env,
  makeOrg,
  PASSWORD,
  platformAdmin,
  signIn,
  testEnv,
} from './test-fixtures.js';

async function setup(env: Env) {
  const platform = await platformAdmin(env);
  const org = await makeOrg(env, platform, 'Session Org');
  const inv = await addUser(env, org, ['investigator'], 'sam');
  return { platform, org, inv };
}

describe('sessions', () => {
  it('expire after 30 minutes idle; each use restarts the idle timer', async () => {
    const env = testEnv();
    const { inv } = await setup(env);
    const { token } = await signIn(env, inv);
    env.clock.advance(29 * 60 + 59);
    assert.ok(env.tenancy.auth.authenticateSession(token).ok);
    env.clock.advance(29 * 60 + 59);
    assert.ok(env.tenancy.auth.authenticateSession(token).ok, 'the last use restarted the timer');
    env.clock.advance(30 * 60);
    assert.deepEqual(env.tenancy.auth.authenticateSession(token), { ok: false, reason: 'idle' });
    env.clock.advance(-60 * 60);
    assert.deepEqual(
      env.tenancy.auth.authenticateSession(token),
      { ok: false, reason: 'idle' },
      'stays ended',
    );
  });

  it('end after their absolute lifetime however busy', async () => {
    const env = testEnv();
    const { inv } = await setup(env);
    const login = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD });
    assert.ok(login.ok);
    const start = env.clock.now().getTime();
    assert.equal(login.session.expiresAt, new Date(start + 12 * 3600_000).toISOString());
    for (let t = 0; t < 12 * 60 - 20; t += 20) {
      env.clock.advance(20 * 60);
      assert.ok(env.tenancy.auth.authenticateSession(login.session.token).ok, `alive at ${t + 20} min`);
    }
    env.clock.set(new Date(start + 12 * 3600_000).toISOString());
    assert.deepEqual(env.tenancy.auth.authenticateSession(login.session.token), {
      ok: false,
      reason: 'expired',
    });
  });

  it('lifetimes are configurable', async () => {
    const env = testEnv({ sessionIdleSeconds: 60, sessionLifetimeSeconds: 300 });
    const { inv } = await setup(env);
    const { token } = await signIn(env, inv);
    env.clock.advance(60);
    assert.deepEqual(env.tenancy.auth.authenticateSession(token), { ok: false, reason: 'idle' });
  });

  it('logout and revocation end a session at once', async () => {
    const env = testEnv();
    const { org, inv } = await setup(env);
    const a = await signIn(env, inv);
    const b = await signIn(env, inv);
    assert.equal(env.tenancy.auth.logout(a.token), true);
    assert.equal(env.tenancy.auth.logout(a.token), false);
    assert.deepEqual(env.tenancy.auth.authenticateSession(a.token), { ok: false, reason: 'revoked' });
    assert.ok(env.tenancy.auth.authenticateSession(b.token).ok);

    const mine = env.tenancy.forCaller(b.caller).sessions.listMine();
    assert.ok(mine.some((s) => s.id === b.caller.sessionId));
    assert.ok(!mine.some((s) => s.id === a.caller.sessionId));

    // The admin revokes the investigator's sessions (audited); the investigator cannot touch the admin's.
    const inv2 = env.tenancy.forCaller(b.caller);
    assert.throws(() => inv2.sessions.list(org.admin.userId), /not permitted/);
    assert.throws(() => inv2.sessions.revokeAll(org.admin.userId), /not permitted/);
    const n = env.tenancy.forCaller(org.adminCaller).sessions.revokeAll(inv.userId);
    assert.ok(n >= 2);
    assert.deepEqual(env.tenancy.auth.authenticateSession(b.token), { ok: false, reason: 'revoked' });
    assert.deepEqual(auditOf(env, 'user.changed', org.orgId).at(-1)?.details, {
      userId: inv.userId,
      change: 'updated',
      fields: ['sessions'],
    });
  });

  it('a role change ends the user’s sessions; the next login carries the new roles', async () => {
    const env = testEnv();
    const { org, inv } = await setup(env);
    env.tenancy.forCaller(org.adminCaller).users.setRoles(inv.userId, ['auditor']);
    assert.deepEqual(env.tenancy.auth.authenticateSession(inv.token), { ok: false, reason: 'revoked' });
    const login = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD });
    assert.ok(login.ok);
    const check = env.tenancy.auth.authenticateSession(login.session.token);
    assert.ok(check.ok);
    assert.deepEqual(check.caller.roles, ['auditor']);
    assert.deepEqual(auditOf(env, 'user.changed', org.orgId).at(-1)?.details, {
      userId: inv.userId,
      change: 'roles-changed',
      rolesBefore: ['investigator'],
      rolesAfter: ['auditor'],
    });
  });

  it('stores only the SHA-256 of the token', async () => {
    const env = testEnv();
    const { inv } = await setup(env);
    const { token, caller } = await signIn(env, inv);
    const row = env.db.prepare('SELECT * FROM sessions WHERE id = ?').get(caller.sessionId) as Record<
      string,
      unknown
    >;
    assert.equal(row.token_hash, createHash('sha256').update(token).digest('hex'));
    const secret = token.slice(4);
    assert.ok(!JSON.stringify(env.db.prepare('SELECT * FROM sessions').all()).includes(secret));
    // Change the last character (to a different one: a random token may already end in 'A').
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    assert.deepEqual(env.tenancy.auth.authenticateSession(altered), {
      ok: false,
      reason: 'invalid',
    });
    assert.deepEqual(env.tenancy.auth.authenticateSession('garbage'), { ok: false, reason: 'invalid' });
  });

  it('purgeExpired removes long-ended sessions and spent challenges', async () => {
    const env = testEnv();
    const { inv } = await setup(env);
    await signIn(env, inv);
    env.clock.advance(31 * 86400);
    const purged = env.tenancy.auth.purgeExpired();
    assert.ok(purged.sessions >= 1);
  });
});
