/**
 * The admin, self-service and platform routes over real HTTP (inject), real SQLite and the real login
 * flows: a user's whole life (create → setup link → sign in → edit → roles → lockout → unlock → reset),
 * MFA enrolment by the user, API keys shown once, quotas within the ceiling, and above all that one
 * org's admin (or the platform-admin) never reads another org's users, keys or counts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditOf, freshCode, PASSWORD } from '../../tenancy/test-fixtures.js';
import { totpCode } from '../../tenancy/totp.js';
import { type Harness, makeWorld, startHarness, type World } from '../test-harness.js';

let h: Harness;
let w: World;

before(async () => {
  h = await startHarness({ config: { publicUrl: 'https://faceledger.example/' } });
  w = await makeWorld(h);
});
after(() => h.close());

type Res = { statusCode: number; body: string; headers: Record<string, unknown>; json: () => unknown };

function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  token: string | null,
  payload?: object,
) {
  return h.call({ method, url, token, ...(payload ? { payload } : {}) }) as Promise<Res>;
}

/** The JSON body of a success with this status. */
function ok<T = Record<string, unknown>>(res: Res, status = 200): T {
  assert.equal(res.statusCode, status, res.body);
  return res.json() as T;
}

/** The error of a refusal with this status: a clear message, never a stack trace. */
function refused(res: Res, status: number, code?: string): { code: string; message: string } {
  assert.equal(res.statusCode, status, res.body);
  assert.doesNotMatch(res.body, /\bat .+\.js:\d+/, 'no stack trace');
  const { error } = res.json() as { error: { code: string; message: string } };
  if (code) assert.equal(error.code, code);
  assert.ok(error.message.length > 0);
  return error;
}

function signIn(email: string, password = PASSWORD) {
  return call('POST', '/api/v1/session', null, { email, password, tokenInBody: true });
}

interface Created {
  user: { id: string; email: string; roles: string[]; setupPending: boolean };
  setupToken: string;
  setupLink: string;
}

/** An org-A user created over HTTP who set their password with the setup token; returns id and email. */
async function newUser(local: string, roles: string[]): Promise<{ id: string; email: string }> {
  const email = `${local}@harbour.example`;
  const created = ok<Created>(await call('POST', '/api/v1/users', w.a.admin.token, { email, roles }), 201);
  ok(await call('POST', '/api/v1/setup', null, { setupToken: created.setupToken, password: PASSWORD }));
  return { id: created.user.id, email };
}

describe('users (org-admin)', () => {
  it('creates a user with a one-time setup link; they set a password and sign in', async () => {
    const email = 'dana.inv@harbour.example';
    const created = ok<Created>(
      await call('POST', '/api/v1/users', w.a.admin.token, { email, name: 'Dana', roles: ['investigator'] }),
      201,
    );
    assert.equal(created.user.email, email);
    assert.deepEqual(created.user.roles, ['investigator']);
    assert.equal(created.user.setupPending, true);
    assert.match(created.setupToken, /^flsetup_/);
    assert.equal(
      created.setupLink,
      `https://faceledger.example/setup#token=${encodeURIComponent(created.setupToken)}`,
    );
    refused(await signIn(email), 401, 'UNAUTHENTICATED');
    ok(await call('POST', '/api/v1/setup', null, { setupToken: created.setupToken, password: PASSWORD }));
    refused(
      await call('POST', '/api/v1/setup', null, { setupToken: created.setupToken, password: PASSWORD }),
      401,
    );
    const session = ok<{ token: string; user: { id: string } }>(await signIn(email));
    assert.equal(session.user.id, created.user.id);

    const listed = ok<{ users: { id: string; email: string }[] }>(
      await call('GET', '/api/v1/users', w.a.admin.token),
    );
    assert.ok(listed.users.some((u) => u.id === created.user.id && u.email === email));
    ok(await call('GET', '/api/v1/users', w.a.auditor.token));
    refused(await call('GET', '/api/v1/users', w.a.investigator.token), 403, 'FORBIDDEN');
    refused(await call('GET', '/api/v1/users', null), 401, 'UNAUTHENTICATED');
    refused(
      await call('POST', '/api/v1/users', w.a.auditor.token, {
        email: 'x@harbour.example',
        roles: ['auditor'],
      }),
      403,
    );
  });

  it('refuses a taken e-mail, an unknown role and auditor + investigator together', async () => {
    refused(
      await call('POST', '/api/v1/users', w.a.admin.token, {
        email: w.b.investigator.email,
        roles: ['auditor'],
      }),
      409,
      'CONFLICT',
    );
    refused(
      await call('POST', '/api/v1/users', w.a.admin.token, { email: 'r@harbour.example', roles: ['root'] }),
      400,
      'BAD_INPUT',
    );
    refused(
      await call('POST', '/api/v1/users', w.a.admin.token, {
        email: 'r@harbour.example',
        roles: ['auditor', 'investigator'],
      }),
      400,
      'BAD_INPUT',
    );
    refused(
      await call('POST', '/api/v1/users', w.a.admin.token, {
        email: 'r@harbour.example',
        roles: ['platform-admin'],
      }),
      400,
    );
  });

  it('edits name and e-mail, changes roles (ending sessions), disables, enables and ends sessions', async () => {
    const u = await newUser('eli', ['investigator']);
    const first = ok<{ token: string }>(await signIn(u.email)).token;

    const renamed = ok<{ name: string; email: string }>(
      await call('PATCH', `/api/v1/users/${u.id}`, w.a.admin.token, {
        name: 'Eli R.',
        email: 'eli.r@harbour.example',
      }),
    );
    assert.deepEqual([renamed.name, renamed.email], ['Eli R.', 'eli.r@harbour.example']);
    refused(await call('PATCH', `/api/v1/users/${u.id}`, w.a.admin.token, {}), 400, 'BAD_INPUT');
    const email = 'eli.r@harbour.example';

    const roles = ok<{ roles: string[] }>(
      await call('PUT', `/api/v1/users/${u.id}/roles`, w.a.admin.token, { roles: ['auditor'] }),
    );
    assert.deepEqual(roles.roles, ['auditor']);
    refused(await call('GET', '/api/v1/session', first), 401, 'UNAUTHENTICATED');

    const second = ok<{ token: string }>(await signIn(email)).token;
    ok(await call('GET', '/api/v1/session', second));
    assert.deepEqual(ok(await call('DELETE', `/api/v1/users/${u.id}/sessions`, w.a.admin.token)), {
      ended: 1,
    });
    refused(await call('GET', '/api/v1/session', second), 401);

    const third = ok<{ token: string }>(await signIn(email)).token;
    const disabled = ok<{ status: string }>(
      await call('POST', `/api/v1/users/${u.id}/disable`, w.a.admin.token),
    );
    assert.equal(disabled.status, 'disabled');
    refused(await call('GET', '/api/v1/session', third), 401);
    refused(await signIn(email), 403, 'FORBIDDEN');
    ok(await call('POST', `/api/v1/users/${u.id}/enable`, w.a.admin.token));
    ok(await signIn(email));

    const audited = auditOf(h.env, 'user.changed', w.a.orgId).filter((e) => e.details.userId === u.id);
    assert.deepEqual(
      audited.map((e) => e.details.change),
      ['created', 'password-changed', 'updated', 'roles-changed', 'updated', 'disabled', 'enabled'],
    );
  });

  it('keeps the last active org-admin: disabling or demoting them is refused', async () => {
    const admins = ok<{ users: { id: string; roles: string[] }[] }>(
      await call('GET', '/api/v1/users', w.b.admin.token),
    ).users.filter((u) => u.roles.includes('org-admin'));
    assert.equal(admins.length, 1);
    const only = admins[0]?.id as string;
    refused(await call('POST', `/api/v1/users/${only}/disable`, w.b.admin.token), 400, 'BAD_INPUT');
    refused(await call('PUT', `/api/v1/users/${only}/roles`, w.b.admin.token, { roles: ['auditor'] }), 400);
  });
});

describe('lockout over HTTP', () => {
  it('locks after 5 bad passwords (423 + Retry-After), admin unlock lets them in, reset issues a new setup token', async () => {
    const u = await newUser('lee', ['investigator']);
    for (let i = 0; i < 5; i++) {
      const res = await signIn(u.email, `wrong password ${i}`);
      if (i < 4) refused(res, 401, 'UNAUTHENTICATED');
      else refused(res, 423, 'LOCKED');
    }
    const locked = await signIn(u.email);
    refused(locked, 423, 'LOCKED');
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);

    const seen = ok<{ lockedUntil: string | null; failedAttempts: number }>(
      await call('GET', `/api/v1/users/${u.id}`, w.a.admin.token),
    );
    assert.ok(seen.lockedUntil);
    assert.equal(seen.failedAttempts, 5);
    refused(await call('POST', `/api/v1/users/${u.id}/unlock`, w.a.investigator.token), 403);
    const unlocked = ok<{ lockedUntil: string | null }>(
      await call('POST', `/api/v1/users/${u.id}/unlock`, w.a.admin.token),
    );
    assert.equal(unlocked.lockedUntil, null);
    ok(await signIn(u.email));
    const unlocks = auditOf(h.env, 'auth.unlock', w.a.orgId).filter((e) => e.details.userId === u.id);
    assert.deepEqual(
      unlocks.map((e) => [e.details.by, e.actor]),
      [['admin', `user:${w.a.admin.userId}`]],
    );

    const reset = ok<{ userId: string; setupToken: string; setupLink: string }>(
      await call('POST', `/api/v1/users/${u.id}/reset`, w.a.admin.token, {}),
    );
    assert.equal(reset.userId, u.id);
    assert.match(reset.setupLink, /^https:\/\/faceledger\.example\/setup#token=flsetup_/);
    refused(await signIn(u.email), 401, 'UNAUTHENTICATED');
    ok(
      await call('POST', '/api/v1/setup', null, {
        setupToken: reset.setupToken,
        password: 'a brand new passphrase 42',
      }),
    );
    ok(await signIn(u.email, 'a brand new passphrase 42'));
  });
});

describe('self-service (/me)', () => {
  it('enrols a second factor with a code from the app; sign-in then asks for it; it can be removed', async () => {
    const u = await newUser('mia', ['investigator']);
    const token = ok<{ token: string }>(await signIn(u.email)).token;
    const begun = ok<{ secret: string; otpauthUri: string }>(await call('POST', '/api/v1/me/mfa', token));
    assert.match(begun.otpauthUri, /^otpauth:\/\/totp\//);
    refused(await call('POST', '/api/v1/me/mfa/confirm', token, { code: '000000' }), 400, 'BAD_INPUT');
    const code = totpCode(begun.secret, h.clock.now().getTime());
    const confirmed = ok<{ recoveryCodes: string[] }>(
      await call('POST', '/api/v1/me/mfa/confirm', token, { code }),
    );
    assert.equal(confirmed.recoveryCodes.length, 10);
    assert.equal(new Set(confirmed.recoveryCodes).size, 10);
    refused(await call('POST', '/api/v1/me/mfa', token), 409, 'CONFLICT');

    const seen = ok<{ mfaEnrolled: boolean }>(await call('GET', `/api/v1/users/${u.id}`, w.a.admin.token));
    assert.equal(seen.mfaEnrolled, true);
    const login = ok<{ status: string; challenge: string }>(await signIn(u.email));
    assert.equal(login.status, 'mfa-required');
    h.clock.advance(30);
    const second = ok<{ status: string; token: string }>(
      await call('POST', '/api/v1/session/mfa', null, {
        challenge: login.challenge,
        code: totpCode(begun.secret, h.clock.now().getTime()),
        tokenInBody: true,
      }),
    );
    assert.equal(second.status, 'ok');
    assert.deepEqual(
      auditOf(h.env, 'auth.mfa.changed', w.a.orgId).filter((e) => e.details.userId === u.id).length,
      1,
    );

    h.clock.advance(30);
    refused(await call('DELETE', '/api/v1/me/mfa', token, { code: '123456' }), 400, 'BAD_INPUT');
    h.clock.advance(30);
    const removed = await call('DELETE', '/api/v1/me/mfa', token, {
      code: totpCode(begun.secret, h.clock.now().getTime()),
    });
    assert.equal(removed.statusCode, 204, removed.body);
    assert.equal(ok<{ status: string }>(await signIn(u.email)).status, 'ok');
  });

  it('refuses to remove the second factor of an org-admin (their role requires one)', async () => {
    const res = await call('DELETE', '/api/v1/me/mfa', w.a.admin.token, {
      code: freshCode(h.env, w.a.admin),
    });
    refused(res, 403, 'FORBIDDEN');
  });

  it('changes the password with the current one; a wrong current password is refused', async () => {
    const u = await newUser('noor', ['auditor']);
    const token = ok<{ token: string }>(await signIn(u.email)).token;
    refused(
      await call('POST', '/api/v1/me/password', token, {
        currentPassword: 'not it',
        newPassword: 'another long passphrase',
      }),
      400,
      'BAD_INPUT',
    );
    refused(
      await call('POST', '/api/v1/me/password', token, { currentPassword: PASSWORD, newPassword: 'short' }),
      400,
    );
    const changed = await call('POST', '/api/v1/me/password', token, {
      currentPassword: PASSWORD,
      newPassword: 'another long passphrase',
    });
    assert.equal(changed.statusCode, 204, changed.body);
    refused(await signIn(u.email), 401);
    ok(await signIn(u.email, 'another long passphrase'));
    ok(await call('GET', '/api/v1/session', token), 200);
  });

  it('is for users only: an API key has no second factor or password to manage', async () => {
    refused(await call('POST', '/api/v1/me/mfa', w.a.investigatorKey), 400);
    refused(await call('POST', '/api/v1/me/mfa', null), 401);
  });
});

describe('API keys', () => {
  it('shows the token once; it works as a bearer until revoked, then 401', async () => {
    const created = ok<{ key: { id: string; role: string; status: string }; token: string }>(
      await call('POST', '/api/v1/api-keys', w.a.admin.token, {
        role: 'investigator',
        label: 'case system sync',
      }),
      201,
    );
    assert.match(created.token, /^flk_/);
    assert.equal(created.key.status, 'active');
    const listed = await call('GET', '/api/v1/api-keys', w.a.admin.token);
    const keys = ok<{ keys: { id: string; label: string }[] }>(listed).keys;
    assert.ok(keys.some((k) => k.id === created.key.id && k.label === 'case system sync'));
    assert.ok(!listed.body.includes(created.token), 'the token is never shown again');
    assert.ok(!listed.body.includes(created.token.split('_').pop() as string), 'nor its secret part');

    ok(await call('GET', '/api/v1/galleries', created.token));
    const revoked = ok<{ status: string }>(
      await call('DELETE', `/api/v1/api-keys/${created.key.id}`, w.a.admin.token),
    );
    assert.equal(revoked.status, 'revoked');
    const after = refused(await call('GET', '/api/v1/galleries', created.token), 401, 'UNAUTHENTICATED');
    assert.match(after.message, /revoked/);
  });

  it('is for org-admins only', async () => {
    refused(await call('POST', '/api/v1/api-keys', w.a.investigator.token, { role: 'investigator' }), 403);
    refused(await call('GET', '/api/v1/api-keys', w.a.auditorKey), 403);
    refused(await call('GET', '/api/v1/api-keys', w.platform.token), 403);
    refused(await call('POST', '/api/v1/api-keys', w.a.admin.token, { role: 'org-admin' }), 400);
  });
});

describe('tenant isolation', () => {
  it("gives org A's admin nothing of org B: users, keys, quotas all 404 or absent", async () => {
    const bUser = w.b.investigator.userId;
    const bKeys = ok<{ keys: { id: string }[] }>(await call('GET', '/api/v1/api-keys', w.b.admin.token)).keys;
    assert.ok(bKeys.length >= 2);
    const bKey = bKeys[0]?.id as string;

    const users = await call('GET', '/api/v1/users', w.a.admin.token);
    const listed = ok<{ users: { id: string; orgId: string }[] }>(users).users;
    assert.ok(listed.every((u) => u.orgId === w.a.orgId));
    assert.ok(!users.body.includes(bUser) && !users.body.includes(w.b.investigator.email));
    const keys = await call('GET', '/api/v1/api-keys', w.a.admin.token);
    assert.ok(bKeys.every((k) => !keys.body.includes(k.id)));

    const token = w.a.admin.token;
    refused(await call('GET', `/api/v1/users/${bUser}`, token), 404, 'NOT_FOUND');
    refused(await call('PATCH', `/api/v1/users/${bUser}`, token, { name: 'pwned' }), 404);
    refused(await call('PUT', `/api/v1/users/${bUser}/roles`, token, { roles: ['org-admin'] }), 404);
    refused(await call('POST', `/api/v1/users/${bUser}/disable`, token), 404);
    refused(await call('POST', `/api/v1/users/${bUser}/unlock`, token), 404);
    refused(await call('POST', `/api/v1/users/${bUser}/reset`, token, {}), 404);
    refused(await call('DELETE', `/api/v1/users/${bUser}/sessions`, token), 404);
    refused(await call('DELETE', `/api/v1/api-keys/${bKey}`, token), 404);
    refused(
      await call('PUT', '/api/v1/quotas', token, {
        overrides: [{ subject: `user:${bUser}`, limits: { perMinute: 0, perDay: 0 } }],
      }),
      404,
    );
    refused(await call('GET', `/api/v1/users/${bUser}`, w.a.auditor.token), 404);

    const b = ok<{ name: string | null; status: string }>(
      await call('GET', `/api/v1/users/${bUser}`, w.b.admin.token),
    );
    assert.equal(b.status, 'active');
    assert.notEqual(b.name, 'pwned');
    assert.ok(
      ok<{ keys: { id: string; status: string }[] }>(
        await call('GET', '/api/v1/api-keys', w.b.admin.token),
      ).keys.every((k) => k.status === 'active'),
    );
  });
});

describe('search counts', () => {
  it("are shown to the org's admins and auditors only: not investigators, not the platform, not anonymous", async () => {
    h.app.tenancy.quotas.record(w.a.investigator.caller, 3);
    h.app.tenancy.quotas.record(w.b.investigator.caller, 2);
    const day = h.clock.now().toISOString().slice(0, 10);
    type Counts = {
      totals: { day: string; count: number }[];
      bySubject: { subject: string; count: number }[];
    };

    for (const token of [w.a.admin.token, w.a.auditor.token, w.a.auditorKey]) {
      const res = await call('GET', '/api/v1/counts', token);
      const counts = ok<Counts>(res);
      assert.deepEqual(counts.totals, [{ day, count: 3 }]);
      assert.deepEqual(counts.bySubject, [{ day, subject: `user:${w.a.investigator.userId}`, count: 3 }]);
      assert.ok(!res.body.includes(w.b.investigator.userId));
    }
    const b = ok<Counts>(await call('GET', '/api/v1/counts', w.b.auditor.token));
    assert.deepEqual(b.totals, [{ day, count: 2 }]);

    refused(await call('GET', '/api/v1/counts', w.a.investigator.token), 403, 'FORBIDDEN');
    refused(await call('GET', '/api/v1/counts', w.a.investigatorKey), 403, 'FORBIDDEN');
    refused(await call('GET', '/api/v1/counts', w.platform.token), 403, 'FORBIDDEN');
    refused(await call('GET', '/api/v1/counts', null), 401, 'UNAUTHENTICATED');
    refused(await call('GET', '/api/v1/counts?from=yesterday', w.a.admin.token), 400, 'BAD_INPUT');
    const none = ok<Counts>(await call('GET', '/api/v1/counts?from=2026-03-11', w.a.admin.token));
    assert.deepEqual(none.totals, []);
  });
});

describe('quotas', () => {
  it("sets the per-user default and overrides within the org's ceiling, all or nothing", async () => {
    ok(
      await call('PATCH', `/api/v1/orgs/${w.a.orgId}`, w.platform.token, {
        quota: { perMinute: 20, perDay: 100 },
      }),
    );
    const before = ok<{ org: unknown; userDefault: unknown }>(
      await call('GET', '/api/v1/quotas', w.a.admin.token),
    );
    assert.deepEqual(before.org, { perMinute: 20, perDay: 100 });

    const tooHigh = refused(
      await call('PUT', '/api/v1/quotas', w.a.admin.token, {
        userDefault: { perMinute: 5, perDay: 50 },
        overrides: [{ subject: `user:${w.a.investigator.userId}`, limits: { perMinute: 10, perDay: 500 } }],
      }),
      400,
      'BAD_INPUT',
    );
    assert.match(tooHigh.message, /ceiling/);
    assert.deepEqual(
      ok<{ userDefault: unknown }>(await call('GET', '/api/v1/quotas', w.a.admin.token)).userDefault,
      before.userDefault,
    );

    const set = ok<{ userDefault: unknown; overrides: unknown }>(
      await call('PUT', '/api/v1/quotas', w.a.admin.token, {
        userDefault: { perMinute: 5, perDay: 50 },
        overrides: [{ subject: `user:${w.a.investigator.userId}`, limits: { perMinute: 10, perDay: null } }],
      }),
    );
    assert.deepEqual(set.userDefault, { perMinute: 5, perDay: 50 });
    assert.deepEqual(set.overrides, [
      { subject: `user:${w.a.investigator.userId}`, limits: { perMinute: 10, perDay: null } },
    ]);
    ok(await call('GET', '/api/v1/quotas', w.a.auditor.token));
    refused(await call('PUT', '/api/v1/quotas', w.a.auditor.token, { userDefault: null }), 403);
    refused(await call('GET', '/api/v1/quotas', w.platform.token), 403);
    const b = ok<{ org: unknown; overrides: unknown[] }>(
      await call('GET', '/api/v1/quotas', w.b.admin.token),
    );
    assert.deepEqual(b.overrides, []);
    assert.deepEqual(b.org, { perMinute: null, perDay: null });
  });
});

describe('org profile', () => {
  it('shows members their org; its admin sets the MFA policy; the platform has no org', async () => {
    const org = ok<{ id: string; name: string; mfaRequired: boolean }>(
      await call('GET', '/api/v1/org', w.a.investigator.token),
    );
    assert.deepEqual([org.id, org.name, org.mfaRequired], [w.a.orgId, 'Harbour Police', false]);
    refused(await call('PATCH', '/api/v1/org', w.a.investigator.token, { mfaRequired: true }), 403);
    refused(await call('GET', '/api/v1/org', w.platform.token), 403);
    const on = ok<{ mfaRequired: boolean }>(
      await call('PATCH', '/api/v1/org', w.a.admin.token, { mfaRequired: true }),
    );
    assert.equal(on.mfaRequired, true);
    assert.equal(
      ok<{ mfaRequired: boolean }>(await call('GET', '/api/v1/org', w.b.admin.token)).mfaRequired,
      false,
    );
    const off = ok<{ mfaRequired: boolean }>(
      await call('PATCH', '/api/v1/org', w.a.admin.token, { mfaRequired: false }),
    );
    assert.equal(off.mfaRequired, false);
  });
});

describe('platform-admin', () => {
  it('creates an org with its first admin, suspends and reactivates it', async () => {
    const org = ok<{ id: string; name: string; status: string }>(
      await call('POST', '/api/v1/orgs', w.platform.token, {
        name: 'Coastal Customs',
        contact: { person: 'Ines' },
      }),
      201,
    );
    refused(
      await call('POST', '/api/v1/orgs', w.platform.token, { name: 'Coastal Customs' }),
      409,
      'CONFLICT',
    );
    const listed = ok<{ orgs: { id: string }[] }>(await call('GET', '/api/v1/orgs', w.platform.token)).orgs;
    assert.deepEqual(new Set(listed.map((o) => o.id)), new Set([w.a.orgId, w.b.orgId, org.id]));

    const admin = ok<{ userId: string; setupToken: string; setupLink: string }>(
      await call('POST', `/api/v1/orgs/${org.id}/admins`, w.platform.token, {
        email: 'chief@customs.example',
      }),
      201,
    );
    assert.match(admin.setupLink, /^https:\/\/faceledger\.example\/setup#token=/);
    ok(await call('POST', '/api/v1/setup', null, { setupToken: admin.setupToken, password: PASSWORD }));
    // An org-admin must enrol a second factor at the first sign-in.
    assert.equal(
      ok<{ status: string }>(await signIn('chief@customs.example')).status,
      'mfa-enrolment-required',
    );

    const suspended = ok<{ status: string }>(
      await call('PATCH', `/api/v1/orgs/${org.id}`, w.platform.token, { status: 'suspended', contact: null }),
    );
    assert.equal(suspended.status, 'suspended');
    refused(await signIn('chief@customs.example'), 403, 'FORBIDDEN');
    const back = ok<{ status: string; contact: unknown }>(
      await call('PATCH', `/api/v1/orgs/${org.id}`, w.platform.token, { status: 'active' }),
    );
    assert.deepEqual([back.status, back.contact], ['active', null]);
    refused(
      await call('GET', `/api/v1/orgs/${'0'.repeat(8)}-0000-7000-8000-000000000000`, w.platform.token),
      404,
    );
    refused(await call('PATCH', '/api/v1/orgs/no-such-org', w.platform.token, { status: 'active' }), 404);
  });

  it("reads no org's users, keys, counts or quotas; org members cannot manage orgs", async () => {
    const users = await call('GET', '/api/v1/users', w.platform.token);
    const listed = ok<{ users: { orgId: string | null }[] }>(users).users;
    assert.ok(listed.length >= 1);
    assert.ok(listed.every((u) => u.orgId === null));
    assert.ok(!users.body.includes(w.a.admin.email) && !users.body.includes(w.b.investigator.email));
    refused(await call('GET', `/api/v1/users/${w.a.investigator.userId}`, w.platform.token), 404);
    refused(await call('POST', `/api/v1/users/${w.a.investigator.userId}/disable`, w.platform.token), 404);
    refused(await call('GET', '/api/v1/api-keys', w.platform.token), 403);
    refused(await call('GET', '/api/v1/counts', w.platform.token), 403);
    refused(await call('GET', '/api/v1/orgs', w.a.admin.token), 403);
    refused(await call('POST', '/api/v1/orgs', w.a.admin.token, { name: 'Mine' }), 403);
    refused(
      await call('POST', `/api/v1/orgs/${w.b.orgId}/admins`, w.a.admin.token, { email: 'x@y.example' }),
      403,
    );
  });

  it('shares a platform gallery with a named org and withdraws it; never an org-owned gallery', async () => {
    const platformGallery = ok<{ id: string; relation: string }>(
      await call('POST', '/api/v1/galleries', w.platform.token, {
        name: 'Shared wanted list',
        legalBasis: 'statute 12',
      }),
      201,
    );
    assert.equal(platformGallery.relation, 'platform');
    const id = platformGallery.id;
    const visibleTo = async (token: string) =>
      ok<{ galleries: { id: string; relation: string }[] }>(
        await call('GET', '/api/v1/galleries', token),
      ).galleries.find((g) => g.id === id);
    assert.equal(await visibleTo(w.a.investigator.token), undefined);

    const grant = ok<{ galleryId: string; orgId: string }>(
      await call('POST', `/api/v1/galleries/${id}/grants/${w.a.orgId}`, w.platform.token),
    );
    assert.deepEqual([grant.galleryId, grant.orgId], [id, w.a.orgId]);
    assert.equal((await visibleTo(w.a.investigator.token))?.relation, 'granted');
    assert.equal(await visibleTo(w.b.investigator.token), undefined);
    const seen = ok<{ galleries: { id: string; grantedTo?: string[] }[] }>(
      await call('GET', '/api/v1/galleries', w.platform.token),
    ).galleries.find((g) => g.id === id);
    assert.deepEqual(seen?.grantedTo, [w.a.orgId]);
    refused(await call('POST', `/api/v1/galleries/${id}/grants/${w.b.orgId}`, w.a.admin.token), 403);

    const del = await call('DELETE', `/api/v1/galleries/${id}/grants/${w.a.orgId}`, w.platform.token);
    assert.equal(del.statusCode, 204, del.body);
    assert.equal(await visibleTo(w.a.investigator.token), undefined);
    refused(await call('DELETE', `/api/v1/galleries/${id}/grants/${w.a.orgId}`, w.platform.token), 404);

    const owned = ok<{ id: string }>(
      await call('POST', '/api/v1/galleries', w.a.admin.token, {
        name: 'Harbour own',
        legalBasis: 'warrant 7',
      }),
      201,
    );
    refused(await call('POST', `/api/v1/galleries/${owned.id}/grants/${w.b.orgId}`, w.platform.token), 404);
    assert.equal(await visibleTo(w.b.investigator.token), undefined);
  });
});
