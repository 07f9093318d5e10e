import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denialOf } from './denial.js';
import { addUser, auditOf, type Env, makeOrg, platformAdmin, testEnv } from './test-fixtures.js';

async function setup(env: Env) {
  const platform = await platformAdmin(env);
  const org = await makeOrg(env, platform, 'Quota Org');
  const inv = await addUser(env, org, ['investigator'], 'q1');
  const inv2 = await addUser(env, org, ['investigator'], 'q2');
  const aud = await addUser(env, org, ['auditor'], 'qa');
  // Start every test at hh:mm:20 so "seconds to the next minute" is 40.
  env.clock.set('2025-03-10T09:00:20.000Z');
  return { platform, org, inv, inv2, aud };
}

function forbidden(fn: () => unknown): boolean {
  try {
    fn();
  } catch (err) {
    return denialOf(err)?.reason === 'forbidden';
  }
  return false;
}

describe('quotas', () => {
  it('per minute: refuses past the limit with retryAfter to the next minute', async () => {
    const env = testEnv();
    const { org, inv, inv2 } = await setup(env);
    env.tenancy.forCaller(org.adminCaller).quotas.setUserDefault({ perMinute: 3, perDay: null });
    for (let i = 0; i < 3; i++) assert.deepEqual(env.tenancy.quotas.consume(inv.caller), { allowed: true });
    assert.deepEqual(env.tenancy.quotas.consume(inv.caller), {
      allowed: false,
      retryAfterSeconds: 40,
      exceeded: ['user-minute'],
    });
    assert.deepEqual(env.tenancy.quotas.check(inv2.caller), { allowed: true }, 'per user');
    env.clock.advance(39);
    assert.equal(env.tenancy.quotas.check(inv.caller).allowed, false);
    env.clock.advance(1);
    assert.deepEqual(env.tenancy.quotas.consume(inv.caller), { allowed: true });
    const counts = env.tenancy.forCaller(org.adminCaller).counts.daily();
    assert.deepEqual(
      counts,
      [{ day: '2025-03-10', subject: `user:${inv.userId}`, count: 4 }],
      'refusals are not counted',
    );
  });

  it('per day: refuses past the limit with retryAfter to midnight UTC; the next day starts afresh', async () => {
    const env = testEnv();
    const { org, inv } = await setup(env);
    env.tenancy
      .forCaller(org.adminCaller)
      .quotas.setForSubject(`user:${inv.userId}`, { perMinute: null, perDay: 5 });
    for (let i = 0; i < 5; i++) {
      assert.equal(env.tenancy.quotas.consume(inv.caller).allowed, true);
      env.clock.advance(600);
    }
    // 09:50:20 now: 14 h 9 min 40 s to midnight.
    assert.deepEqual(env.tenancy.quotas.check(inv.caller), {
      allowed: false,
      retryAfterSeconds: 14 * 3600 + 9 * 60 + 40,
      exceeded: ['user-day'],
    });
    env.clock.set('2025-03-11T00:00:00.000Z');
    assert.equal(env.tenancy.quotas.consume(inv.caller).allowed, true);
    assert.deepEqual(env.tenancy.forCaller(org.adminCaller).counts.totals(), [
      { day: '2025-03-10', count: 5 },
      { day: '2025-03-11', count: 1 },
    ]);
    assert.deepEqual(env.tenancy.forCaller(org.adminCaller).counts.totals({ from: '2025-03-11' }), [
      { day: '2025-03-11', count: 1 },
    ]);
  });

  it('the org ceiling (platform-set) caps all users together; the longest wait wins', async () => {
    const env = testEnv();
    const { platform, org, inv, inv2 } = await setup(env);
    env.tenancy.forPlatform(platform.caller).orgs.setQuota(org.orgId, { perMinute: 3, perDay: 4 });
    assert.ok(env.tenancy.quotas.consume(inv.caller).allowed);
    assert.ok(env.tenancy.quotas.consume(inv2.caller).allowed);
    assert.ok(env.tenancy.quotas.consume(inv.caller).allowed);
    assert.deepEqual(env.tenancy.quotas.consume(inv2.caller), {
      allowed: false,
      retryAfterSeconds: 40,
      exceeded: ['org-minute'],
    });
    env.clock.advance(40);
    assert.ok(env.tenancy.quotas.consume(inv2.caller).allowed);
    env.clock.advance(60);
    const refused = env.tenancy.quotas.check(inv.caller);
    assert.equal(refused.allowed, false);
    assert.ok(!refused.allowed && refused.exceeded.includes('org-day'));
    assert.ok(!refused.allowed && refused.retryAfterSeconds > 3600);
    const change = auditOf(env, 'config.changed', org.orgId).at(-1)?.details;
    assert.deepEqual(change, {
      changes: [{ key: 'quota.org', from: null, to: 'perMinute=3,perDay=4' }],
    });
  });

  it('API keys have their own counters', async () => {
    const env = testEnv();
    const { org, inv } = await setup(env);
    const admin = env.tenancy.forCaller(org.adminCaller);
    const { key, token } = admin.apiKeys.create({ role: 'investigator' });
    const check = env.tenancy.auth.authenticateApiKey(token);
    assert.ok(check.ok);
    admin.quotas.setForSubject(`apikey:${key.id}`, { perMinute: 1, perDay: 10 });
    assert.ok(env.tenancy.quotas.consume(check.caller).allowed);
    assert.equal(env.tenancy.quotas.consume(check.caller).allowed, false);
    assert.ok(env.tenancy.quotas.consume(inv.caller).allowed);
    env.tenancy.quotas.record(check.caller, 2);
    assert.deepEqual(
      admin.counts.daily().map((r) => [r.subject, r.count]),
      [
        [`apikey:${key.id}`, 3],
        [`user:${inv.userId}`, 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it('counts and settings: org-admins and auditors read them; investigators and platform-admins cannot', async () => {
    const env = testEnv();
    const { platform, org, inv, aud } = await setup(env);
    env.tenancy.quotas.record(inv.caller);
    assert.equal(env.tenancy.forCaller(aud.caller).counts.daily().length, 1);
    assert.equal(env.tenancy.quotas.counts(org.adminCaller).length, 1);
    assert.equal(env.tenancy.forCaller(aud.caller).quotas.settings().userDefault.perMinute, 10);
    assert.ok(forbidden(() => env.tenancy.forCaller(inv.caller).counts.daily()));
    assert.ok(forbidden(() => env.tenancy.forCaller(inv.caller).counts.totals()));
    assert.ok(forbidden(() => env.tenancy.quotas.counts(inv.caller)));
    assert.ok(forbidden(() => env.tenancy.forCaller(inv.caller).quotas.settings()));
    assert.ok(forbidden(() => env.tenancy.quotas.counts(platform.caller)));
    assert.ok(forbidden(() => env.tenancy.forCaller(platform.caller)));
    // Only org-admins set quotas.
    assert.ok(
      forbidden(() => env.tenancy.forCaller(aud.caller).quotas.setUserDefault({ perMinute: 1, perDay: 1 })),
    );
    assert.ok(
      forbidden(() => env.tenancy.forCaller(inv.caller).quotas.setForSubject(`user:${inv.userId}`, null)),
    );
  });

  it('validates limits and subjects', async () => {
    const env = testEnv();
    const { org } = await setup(env);
    const quotas = env.tenancy.forCaller(org.adminCaller).quotas;
    assert.throws(() => quotas.setUserDefault({ perMinute: -1, perDay: null }), /whole number/);
    assert.throws(() => quotas.setUserDefault({ perMinute: 1.5, perDay: null }), /whole number/);
    assert.throws(() => quotas.setForSubject('user:nobody', null), /subject must be/);
    assert.throws(
      () => quotas.setForSubject('user:01900000-0000-7000-8000-000000000000', { perMinute: 1, perDay: 1 }),
      /user not found/,
    );
    assert.throws(
      () => env.tenancy.forCaller(org.adminCaller).counts.daily({ from: 'yesterday' }),
      /YYYY-MM-DD/,
    );
  });
});
