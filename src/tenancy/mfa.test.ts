import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activate,
  addUser,
  auditOf,
  type Env,
  freshCode,
  makeOrg,
  PASSWORD,
  platformAdmin,
  signIn,
  testEnv,
} from './test-fixtures.js';
import { totpCode } from './totp.js';

async function newOrgAdmin(env: Env) {
  const platform = await platformAdmin(env);
  const scope = env.tenancy.forPlatform(platform.caller);
  const org = scope.orgs.create({ name: 'Eastport Constabulary' });
  const email = 'chief@eastport.example';
  const issued = scope.orgs.createAdmin(org.id, { email });
  const setup = await env.tenancy.auth.completeSetup({ setupToken: issued.setupToken, password: PASSWORD });
  assert.ok(setup.ok);
  return { platform, orgId: org.id, email, userId: issued.userId };
}

describe('MFA enrolment at login (required for admins)', () => {
  it('an org-admin gets no session until a second factor is enrolled and confirmed', async () => {
    const env = testEnv();
    const { orgId, email, userId } = await newOrgAdmin(env);
    const login = await env.tenancy.auth.login({ email, password: PASSWORD });
    assert.equal(login.ok, false);
    assert.equal(!login.ok && login.reason, 'mfa-enrolment-required');
    if (login.ok || login.reason !== 'mfa-enrolment-required') return;
    assert.ok(!('session' in login));

    const start = env.tenancy.auth.startMfaEnrolment({ challenge: login.challenge });
    assert.ok(start.ok);
    const uri = new URL(start.otpauthUri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(uri.searchParams.get('secret'), start.secret);
    assert.equal(uri.searchParams.get('issuer'), 'FaceLedger');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.ok(decodeURIComponent(uri.pathname).includes(email));

    const wrong = env.tenancy.auth.confirmMfaEnrolment({ challenge: login.challenge, code: '000000' });
    assert.deepEqual(wrong, { ok: false, reason: 'bad-code' });
    const done = env.tenancy.auth.confirmMfaEnrolment({
      challenge: login.challenge,
      code: totpCode(start.secret, env.clock.now().getTime()),
    });
    assert.ok(done.ok);
    assert.equal(done.session.mfa, true);
    assert.equal(done.recoveryCodes.length, 10);
    assert.equal(new Set(done.recoveryCodes).size, 10);
    for (const code of done.recoveryCodes) assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    assert.deepEqual(
      auditOf(env, 'auth.mfa.changed', orgId).map((e) => e.details),
      [{ userId, change: 'enrolled' }],
    );
    assert.deepEqual(auditOf(env, 'auth.login.ok', orgId).at(-1)?.details.method, 'password+mfa');
    // The challenge is spent.
    assert.deepEqual(env.tenancy.auth.startMfaEnrolment({ challenge: login.challenge }), {
      ok: false,
      reason: 'invalid-challenge',
    });
  });

  it('platform-admins must enrol too', async () => {
    const env = testEnv();
    const issued = env.tenancy.createPlatformAdmin({ email: 'ops@platform.example' });
    await env.tenancy.auth.completeSetup({ setupToken: issued.setupToken, password: PASSWORD });
    const login = await env.tenancy.auth.login({ email: 'ops@platform.example', password: PASSWORD });
    assert.equal(!login.ok && login.reason, 'mfa-enrolment-required');
  });

  it('an org policy can require a second factor of investigators; otherwise it is optional', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Optional MFA Org');
    const inv = await addUser(env, org, ['investigator'], 'opt');
    assert.equal(inv.totp, null, 'investigators log in with a password alone by default');

    env.tenancy.forCaller(org.adminCaller).org.setMfaRequired(true);
    const login = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD });
    assert.equal(!login.ok && login.reason, 'mfa-enrolment-required');
    const strict = await makeOrg(env, platform, 'Strict Org', true);
    const created = env.tenancy
      .forCaller(strict.adminCaller)
      .users.create({ email: 's@strict.example', roles: ['auditor'] });
    const auditor = await activate(env, created, 's@strict.example', strict.orgId);
    assert.ok(auditor.totp, 'enrolled during first login');
  });
});

describe('second factor at login', () => {
  it('returns mfa-required until a valid TOTP code is given; a code is never accepted twice', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Totp Org');
    const login = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
    assert.equal(!login.ok && login.reason, 'mfa-required');
    if (login.ok || login.reason !== 'mfa-required') return;
    assert.deepEqual(env.tenancy.auth.completeMfa({ challenge: login.challenge, code: '123456' }), {
      ok: false,
      reason: 'bad-code',
    });
    assert.equal(auditOf(env, 'auth.login.failed', org.orgId).at(-1)?.details.reason, 'bad-mfa');
    const code = freshCode(env, org.admin);
    const done = env.tenancy.auth.completeMfa({ challenge: login.challenge, code });
    assert.ok(done.ok);
    assert.equal(done.recoveryCodeUsed, false);
    const check = env.tenancy.auth.authenticateSession(done.session.token);
    assert.ok(check.ok && check.caller.mfa);

    // Replay of the same code (same 30 s step) in a new login fails.
    const again = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
    if (again.ok || again.reason !== 'mfa-required') return assert.fail('expected mfa-required');
    assert.deepEqual(env.tenancy.auth.completeMfa({ challenge: again.challenge, code }), {
      ok: false,
      reason: 'bad-code',
    });
    // Codes from the previous and next step are accepted (clock drift), the one after is not.
    const now = env.clock.now().getTime();
    assert.deepEqual(
      env.tenancy.auth.completeMfa({
        challenge: again.challenge,
        code: totpCode(org.admin.totp as string, now + 90_000),
      }),
      { ok: false, reason: 'bad-code' },
    );
    assert.ok(
      env.tenancy.auth.completeMfa({
        challenge: again.challenge,
        code: totpCode(org.admin.totp as string, now + 30_000),
      }).ok,
    );
  });

  it('a recovery code works exactly once, in any case and with or without dashes', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Recovery Org');
    const [first, second] = org.admin.recoveryCodes as [string, string];
    const use = async (code: string) => {
      const login = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
      if (login.ok || login.reason !== 'mfa-required') return assert.fail('expected mfa-required');
      return env.tenancy.auth.completeMfa({ challenge: login.challenge, code });
    };
    const ok = await use(first.toLowerCase());
    assert.ok(ok.ok);
    assert.equal(ok.recoveryCodeUsed, true);
    assert.equal(ok.recoveryCodesLeft, 9);
    assert.deepEqual(await use(first), { ok: false, reason: 'bad-code' });
    const ok2 = await use(second.replaceAll('-', ''));
    assert.ok(ok2.ok && ok2.recoveryCodesLeft === 8);
    // Stored hashed: the codes themselves are nowhere in the database.
    const rows = env.db
      .prepare('SELECT code_hash FROM recovery_codes WHERE user_id = ?')
      .all(org.admin.userId) as { code_hash: string }[];
    assert.equal(rows.length, 10);
    for (const row of rows) assert.match(row.code_hash, /^[0-9a-f]{64}$/);
    const dump = JSON.stringify(env.db.prepare('SELECT * FROM recovery_codes').all());
    for (const code of org.admin.recoveryCodes) assert.ok(!dump.includes(code.replaceAll('-', '')));
  });

  it('wrong second-factor codes count towards the lockout', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Guess Org');
    const login = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
    if (login.ok || login.reason !== 'mfa-required') return assert.fail('expected mfa-required');
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push(env.tenancy.auth.completeMfa({ challenge: login.challenge, code: `00000${i}` }));
    assert.deepEqual(
      results.slice(0, 4).map((r) => !r.ok && r.reason),
      ['bad-code', 'bad-code', 'bad-code', 'bad-code'],
    );
    assert.deepEqual(results[4], { ok: false, reason: 'locked', retryAfterSeconds: 900 });
    assert.equal(auditOf(env, 'auth.lockout', org.orgId).length, 1);
    // The challenge died with the lockout, and a right password no longer opens a new one.
    assert.deepEqual(
      env.tenancy.auth.completeMfa({ challenge: login.challenge, code: freshCode(env, org.admin) }),
      {
        ok: false,
        reason: 'invalid-challenge',
      },
    );
    const relogin = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
    assert.equal(!relogin.ok && relogin.reason, 'locked');
  });

  it('knowing the password gives no fresh second-factor guesses', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Interleave Org');
    for (let i = 0; i < 4; i++) {
      const login = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
      if (login.ok || login.reason !== 'mfa-required') return assert.fail('expected mfa-required');
      assert.equal(env.tenancy.auth.completeMfa({ challenge: login.challenge, code: '999999' }).ok, false);
    }
    const login = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
    if (login.ok || login.reason !== 'mfa-required') return assert.fail('expected mfa-required');
    const fifth = env.tenancy.auth.completeMfa({ challenge: login.challenge, code: '999999' });
    assert.equal(!fifth.ok && fifth.reason, 'locked');
  });

  it('a challenge expires', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Slow Org');
    const login = await env.tenancy.auth.login({ email: org.admin.email, password: PASSWORD });
    if (login.ok || login.reason !== 'mfa-required') return assert.fail('expected mfa-required');
    env.clock.advance(301);
    const code = totpCode(org.admin.totp as string, env.clock.now().getTime());
    assert.deepEqual(env.tenancy.auth.completeMfa({ challenge: login.challenge, code }), {
      ok: false,
      reason: 'invalid-challenge',
    });
  });
});

describe('self-service second factor', () => {
  it('an investigator can enrol, regenerate codes and remove it; an admin cannot remove it', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Self Org');
    const inv = await addUser(env, org, ['investigator'], 'self');
    const { secret, otpauthUri } = env.tenancy.auth.beginOwnMfaEnrolment(inv.caller);
    assert.match(otpauthUri, /^otpauth:\/\/totp\//);
    assert.deepEqual(env.tenancy.auth.confirmOwnMfaEnrolment(inv.caller, '000000'), {
      ok: false,
      reason: 'bad-code',
    });
    const done = env.tenancy.auth.confirmOwnMfaEnrolment(
      inv.caller,
      totpCode(secret, env.clock.now().getTime()),
    );
    assert.ok(done.ok && done.recoveryCodes.length === 10);
    assert.throws(() => env.tenancy.auth.beginOwnMfaEnrolment(inv.caller), /already set up/);
    const account = { ...inv, totp: secret };

    const login = await env.tenancy.auth.login({ email: inv.email, password: PASSWORD });
    assert.equal(!login.ok && login.reason, 'mfa-required', 'enrolled users always give the second factor');

    const regen = env.tenancy.auth.regenerateRecoveryCodes(inv.caller, freshCode(env, account));
    assert.ok(regen.ok && regen.recoveryCodes.length === 10);
    assert.ok(regen.ok && done.ok && regen.recoveryCodes[0] !== done.recoveryCodes[0]);

    assert.deepEqual(env.tenancy.auth.removeOwnMfa(org.adminCaller, freshCode(env, org.admin)), {
      ok: false,
      reason: 'mfa-required',
    });
    assert.deepEqual(env.tenancy.auth.removeOwnMfa(inv.caller, freshCode(env, account)), { ok: true });
    assert.ok((await env.tenancy.auth.login({ email: inv.email, password: PASSWORD })).ok);
    assert.deepEqual(
      auditOf(env, 'auth.mfa.changed', org.orgId)
        .filter((e) => e.details.userId === inv.userId)
        .map((e) => e.details.change),
      ['enrolled', 'recovery-codes-regenerated', 'removed'],
    );
  });

  it('an admin reset of the second factor makes the user enrol again', async () => {
    const env = testEnv();
    const platform = await platformAdmin(env);
    const org = await makeOrg(env, platform, 'Reset Org');
    const second = env.tenancy
      .forCaller(org.adminCaller)
      .users.create({ email: 'two@reset.example', roles: ['org-admin'] });
    const admin2 = await activate(env, second, 'two@reset.example', org.orgId);
    const issued = env.tenancy
      .forCaller(org.adminCaller)
      .users.resetCredentials(admin2.userId, { resetMfa: true });
    const again = await activate(env, issued, admin2.email, org.orgId);
    assert.ok(again.totp && again.totp !== admin2.totp);
    assert.deepEqual(
      auditOf(env, 'auth.mfa.changed', org.orgId)
        .filter((e) => e.details.userId === admin2.userId)
        .map((e) => e.details.change),
      ['enrolled', 'reset', 'enrolled'],
    );
    await signIn(env, again);
  });
});
