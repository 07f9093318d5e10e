import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  activate,
  addUser,
  auditOf,
  type Env,
  makeOrg,
  PASSWORD,
  platformAdmin,
  signIn,
  testEnv,
} from './test-fixtures.js';

async function orgWithInvestigator(env: Env) {
  const platform = await platformAdmin(env);
  const org = await makeOrg(env, platform, 'Northshire Police');
  const inv = await addUser(env, org, ['investigator'], 'ida');
  return { platform, org, inv };
}

async function fail(env: Env, email: string, times: number) {
  const results = [];
  for (let i = 0; i < times; i++)
    results.push(await env.tenancy.auth.login({ email, password: 'wrong password!!' }));
  return results;
}

describe('password login', () => {
  it('logs in with the right password and mints a caller for the user, org and roles', async () => {
    const env = testEnv();
    const { org, inv } = await orgWithInvestigator(env);
    const login = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD, ip: '10.0.0.7' });
    assert.ok(login.ok);
    assert.equal(login.session.userId, inv.userId);
    assert.equal(login.session.mfa, false);
    assert.match(login.session.token, /^fls_[A-Za-z0-9_-]{43}$/);
    const check = env.tenancy.auth.authenticateSession(login.session.token);
    assert.ok(check.ok);
    assert.equal(check.caller.orgId, org.orgId);
    assert.deepEqual(check.caller.roles, ['investigator']);
    assert.equal(check.caller.actor, `user:${inv.userId}`);
    const ok = auditOf(env, 'auth.login.ok', org.orgId).at(-1);
    assert.deepEqual(ok?.details, {
      userId: inv.userId,
      method: 'password',
      sessionId: login.session.sessionId,
      ip: '10.0.0.7',
    });
  });

  it('e-mail matching ignores case and surrounding space', async () => {
    const env = testEnv();
    const { inv } = await orgWithInvestigator(env);
    const login = await env.tenancy.auth.login({
      email: `  ${inv.email.toUpperCase()} `,
      password: PASSWORD,
    });
    assert.ok(login.ok);
  });

  it('answers a wrong password and an unknown e-mail alike, and audits both without the e-mail', async () => {
    const env = testEnv();
    const { org, inv } = await orgWithInvestigator(env);
    const bad = await env.tenancy.auth.login({ email: inv.email, password: 'not the password' });
    const unknown = await env.tenancy.auth.login({ email: 'nobody@nowhere.example', password: PASSWORD });
    assert.deepEqual(bad, { ok: false, reason: 'bad-credentials' });
    assert.deepEqual(unknown, { ok: false, reason: 'bad-credentials' });
    const [badEntry] = auditOf(env, 'auth.login.failed', org.orgId);
    assert.equal(badEntry?.details.userId, inv.userId);
    assert.equal(badEntry?.details.reason, 'bad-password');
    const [unknownEntry] = auditOf(env, 'auth.login.failed', null);
    assert.equal(unknownEntry?.details.userId, null);
    assert.equal(unknownEntry?.details.reason, 'unknown-user');
    // The hash is keyed (of the blind index), so it cannot be reversed by hashing candidate e-mails.
    const plainHash = createHash('sha256').update('nobody@nowhere.example').digest('hex');
    assert.notEqual(unknownEntry?.details.usernameSha256, plainHash);
    const log = JSON.stringify(env.audit.query({ limit: 1000 }).entries);
    assert.ok(!log.includes('nobody@nowhere.example'));
    assert.ok(!log.includes(inv.email));
  });

  it('refuses malformed input without throwing', async () => {
    const env = testEnv();
    await orgWithInvestigator(env);
    for (const input of [
      { email: '', password: '' },
      { email: 'x'.repeat(400), password: 'y' },
      {} as never,
    ]) {
      assert.deepEqual(await env.tenancy.auth.login(input), { ok: false, reason: 'bad-credentials' });
    }
  });

  it('tells "disabled" only to someone who knew the password', async () => {
    const env = testEnv();
    const { org, inv } = await orgWithInvestigator(env);
    env.tenancy.forCaller(org.adminCaller).users.disable(inv.userId);
    assert.deepEqual(await env.tenancy.auth.login({ email: inv.email, password: 'wrong password!!' }), {
      ok: false,
      reason: 'bad-credentials',
    });
    assert.deepEqual(await env.tenancy.auth.login({ email: inv.email, password: PASSWORD }), {
      ok: false,
      reason: 'disabled',
    });
    assert.equal(env.tenancy.auth.authenticateSession(inv.token).ok, false, 'disabling ended the session');
  });
});

describe('lockout', () => {
  it('locks after exactly 5 consecutive failures; a good login in between resets the count', async () => {
    const env = testEnv();
    const { org, inv } = await orgWithInvestigator(env);
    const four = await fail(env, inv.email, 4);
    assert.ok(four.every((r) => !r.ok && r.reason === 'bad-credentials'));
    assert.ok(
      (await env.tenancy.auth.login({ email: inv.email, password: PASSWORD })).ok,
      '4 failures do not lock',
    );
    assert.equal(auditOf(env, 'auth.lockout').length, 0);

    const five = await fail(env, inv.email, 5);
    assert.deepEqual(
      five.slice(0, 4).map((r) => !r.ok && r.reason),
      ['bad-credentials', 'bad-credentials', 'bad-credentials', 'bad-credentials'],
    );
    assert.deepEqual(five[4], { ok: false, reason: 'locked', retryAfterSeconds: 900 });
    // Now even the right password is refused, and no password is checked.
    const after = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD });
    assert.deepEqual(after, { ok: false, reason: 'locked', retryAfterSeconds: 900 });

    const lockouts = auditOf(env, 'auth.lockout', org.orgId);
    assert.equal(lockouts.length, 1);
    assert.equal(lockouts[0]?.details.userId, inv.userId);
    assert.equal(lockouts[0]?.details.failedAttempts, 5);
    assert.equal(
      lockouts[0]?.details.lockedUntil,
      new Date(env.clock.now().getTime() + 900_000).toISOString(),
    );
    const failed = auditOf(env, 'auth.login.failed', org.orgId).map((e) => e.details.reason);
    assert.deepEqual(failed.slice(-6), [
      'bad-password',
      'bad-password',
      'bad-password',
      'bad-password',
      'bad-password',
      'locked',
    ]);
  });

  it('unlocks by itself after the lockout period, audited as a timeout unlock', async () => {
    const env = testEnv();
    const { org, inv } = await orgWithInvestigator(env);
    await fail(env, inv.email, 5);
    env.clock.advance(899);
    const still = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD });
    assert.deepEqual(still, { ok: false, reason: 'locked', retryAfterSeconds: 1 });
    assert.equal(auditOf(env, 'auth.unlock').length, 0);
    env.clock.advance(1);
    const login = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD });
    assert.ok(login.ok);
    const unlocks = auditOf(env, 'auth.unlock', org.orgId);
    assert.deepEqual(unlocks, [
      { orgId: org.orgId, actor: 'system', details: { userId: inv.userId, by: 'timeout' } },
    ]);
    // A fresh count after the unlock: four more failures do not lock.
    await fail(env, inv.email, 4);
    assert.ok((await env.tenancy.auth.login({ email: inv.email, password: PASSWORD })).ok);
  });

  it('the lockout period is configurable, and the sweeper releases expired locks (audited once)', async () => {
    const env = testEnv({ lockoutSeconds: 60 });
    const { org, inv } = await orgWithInvestigator(env);
    const five = await fail(env, inv.email, 5);
    assert.deepEqual(five[4], { ok: false, reason: 'locked', retryAfterSeconds: 60 });
    assert.equal(env.tenancy.auth.releaseExpiredLockouts(), 0);
    env.clock.advance(60);
    assert.equal(env.tenancy.auth.releaseExpiredLockouts(), 1);
    assert.equal(env.tenancy.auth.releaseExpiredLockouts(), 0);
    assert.ok((await env.tenancy.auth.login({ email: inv.email, password: PASSWORD })).ok);
    assert.equal(auditOf(env, 'auth.unlock', org.orgId).length, 1);
  });

  it('an org-admin can unlock at once, audited with the admin as actor', async () => {
    const env = testEnv();
    const { org, inv } = await orgWithInvestigator(env);
    await fail(env, inv.email, 5);
    const view = env.tenancy.forCaller(org.adminCaller).users.get(inv.userId);
    assert.ok(view?.lockedUntil);
    assert.equal(view?.failedAttempts, 5);
    const unlocked = env.tenancy.forCaller(org.adminCaller).users.unlock(inv.userId);
    assert.equal(unlocked.lockedUntil, null);
    assert.ok((await env.tenancy.auth.login({ email: inv.email, password: PASSWORD })).ok);
    assert.deepEqual(auditOf(env, 'auth.unlock', org.orgId), [
      { orgId: org.orgId, actor: org.adminCaller.actor, details: { userId: inv.userId, by: 'admin' } },
    ]);
  });

  it('parallel guesses cannot exceed the limit', async () => {
    const env = testEnv();
    const { inv } = await orgWithInvestigator(env);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        env.tenancy.auth.login({ email: inv.email, password: 'wrong password!!' }),
      ),
    );
    const checked = auditOf(env, 'auth.login.failed').filter((e) => e.details.reason === 'bad-password');
    assert.equal(checked.length, 5, 'exactly 5 passwords were checked');
    assert.equal(results.filter((r) => !r.ok && r.reason === 'locked').length, 12);
    assert.equal(auditOf(env, 'auth.lockout').length, 1);
  });

  it('a password reset by the admin lifts the lock and issues a new one-time setup token', async () => {
    const env = testEnv();
    const { org, inv } = await orgWithInvestigator(env);
    await fail(env, inv.email, 5);
    const issued = env.tenancy.forCaller(org.adminCaller).users.resetCredentials(inv.userId);
    assert.deepEqual(
      await env.tenancy.auth.login({ email: inv.email, password: PASSWORD }),
      {
        ok: false,
        reason: 'bad-credentials',
      },
      'the old password no longer works',
    );
    await activate(env, issued, inv.email, org.orgId);
    assert.deepEqual(
      auditOf(env, 'auth.unlock', org.orgId).map((e) => e.details.by),
      ['password-reset'],
    );
  });
});

describe('setup tokens', () => {
  it('work once, expire, and refuse weak passwords without being spent', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Setup Org');
    const scope = env.tenancy.forCaller(org.adminCaller);
    const created = scope.users.create({ email: 'new@setup.example', roles: ['investigator'] });
    assert.match(created.setupToken, /^flsetup_/);
    assert.equal(created.user.setupPending, true);
    const weak = await env.tenancy.auth.completeSetup({ setupToken: created.setupToken, password: 'short' });
    assert.equal(weak.ok, false);
    assert.equal(!weak.ok && weak.reason, 'weak-password');
    const same = await env.tenancy.auth.completeSetup({
      setupToken: created.setupToken,
      password: 'new@setup.example',
    });
    assert.equal(!same.ok && same.reason, 'weak-password');
    assert.deepEqual(
      await env.tenancy.auth.completeSetup({ setupToken: created.setupToken, password: PASSWORD }),
      {
        ok: true,
        userId: created.userId,
      },
    );
    assert.deepEqual(
      await env.tenancy.auth.completeSetup({ setupToken: created.setupToken, password: PASSWORD }),
      {
        ok: false,
        reason: 'invalid-token',
      },
    );
    const later = scope.users.create({ email: 'late@setup.example', roles: ['auditor'] });
    env.clock.advance(24 * 3600);
    assert.deepEqual(
      await env.tenancy.auth.completeSetup({ setupToken: later.setupToken, password: PASSWORD }),
      {
        ok: false,
        reason: 'invalid-token',
      },
    );
  });

  it('an account still waiting for setup cannot log in', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Pending Org');
    env.tenancy
      .forCaller(org.adminCaller)
      .users.create({ email: 'pending@x.example', roles: ['investigator'] });
    assert.deepEqual(await env.tenancy.auth.login({ email: 'pending@x.example', password: '' }), {
      ok: false,
      reason: 'bad-credentials',
    });
  });

  it('changing one’s password ends one’s other sessions', async () => {
    const env = testEnv();
    const { inv } = await orgWithInvestigator(env);
    const other = await signIn(env, inv);
    const weak = await env.tenancy.auth.changePassword(inv.caller, {
      currentPassword: PASSWORD,
      newPassword: 'x',
    });
    assert.equal(!weak.ok && weak.reason, 'weak-password');
    const bad = await env.tenancy.auth.changePassword(inv.caller, {
      currentPassword: 'nope nope nope',
      newPassword: 'a brand new passphrase',
    });
    assert.deepEqual(bad, { ok: false, reason: 'bad-password' });
    const good = await env.tenancy.auth.changePassword(inv.caller, {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    assert.deepEqual(good, { ok: true });
    assert.ok(env.tenancy.auth.authenticateSession(inv.token).ok, 'the session that changed it lives on');
    assert.equal(env.tenancy.auth.authenticateSession(other.token).ok, false);
    assert.ok((await env.tenancy.auth.login({ email: inv.email, password: 'a brand new passphrase' })).ok);
  });
});
