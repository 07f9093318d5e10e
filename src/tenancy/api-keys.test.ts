import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { denialOf } from './denial.js';
import { can } from './policy.js';
import { addUser, auditOf, type Env, makeOrg, platformAdmin, testEnv } from './test-fixtures.js';

async function setup(env: Env) {
  const platform = await platformAdmin(env);
  const org = await makeOrg(env, platform, 'Key Org');
  return { platform, org, keys: env.tenancy.forCaller(org.adminCaller).apiKeys };
}

describe('API keys', () => {
  it('are shown once as flk_<id>_<secret>, stored as a SHA-256 only', async () => {
    const env = testEnv();
    const { org, keys } = await setup(env);
    const { key, token } = keys.create({
      role: 'investigator',
      label: 'case system sync',
      expiresInDays: 30,
    });
    assert.match(token, new RegExp(`^flk_${key.id}_[A-Za-z0-9_-]{43}$`));
    assert.equal(key.status, 'active');
    assert.equal(key.label, 'case system sync');
    assert.equal(key.orgId, org.orgId);
    for (const view of [key, keys.get(key.id), ...keys.list()]) {
      assert.ok(!JSON.stringify(view).includes(token.slice(-43)), 'no view holds the secret');
      assert.ok(!('secretHash' in (view ?? {})) && !('secret_hash' in (view ?? {})));
    }
    const row = env.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(key.id) as Record<string, unknown>;
    assert.equal(row.secret_hash, createHash('sha256').update(token).digest('hex'));
    assert.ok(!JSON.stringify(env.db.prepare('SELECT * FROM api_keys').all()).includes(token.slice(-43)));
    assert.ok(!JSON.stringify(row).includes('case system sync'), 'label sealed');
    assert.deepEqual(auditOf(env, 'apikey.changed', org.orgId).at(-1)?.details, {
      keyId: key.id,
      change: 'created',
      scopes: ['investigator'],
      expiresAt: key.expiresAt,
    });
  });

  it('authenticate as the org with exactly the key’s role, recording last use', async () => {
    const env = testEnv();
    const { org, keys } = await setup(env);
    const inv = keys.create({ role: 'investigator' });
    const aud = keys.create({ role: 'auditor' });
    env.clock.advance(60);
    const a = env.tenancy.auth.authenticateApiKey(inv.token);
    assert.ok(a.ok);
    assert.equal(a.caller.kind, 'apikey');
    assert.equal(a.caller.orgId, org.orgId);
    assert.deepEqual(a.caller.roles, ['investigator']);
    assert.equal(a.caller.actor, `apikey:${inv.key.id}`);
    assert.equal(a.key.lastUsedAt, env.clock.now().toISOString());
    assert.equal(keys.get(inv.key.id)?.lastUsedAt, env.clock.now().toISOString());
    assert.ok(can(a.caller, 'search.run'));
    assert.ok(!can(a.caller, 'audit.read'));
    assert.ok(!can(a.caller, 'users.manage'));
    const b = env.tenancy.auth.authenticateApiKey(aud.token);
    assert.ok(b.ok);
    assert.ok(!can(b.caller, 'search.run'), 'an auditor key cannot search');
    assert.ok(can(b.caller, 'audit.read'));
    assert.ok(can(b.caller, 'counts.read'));
  });

  it('carry only investigator or auditor, and expire within the maximum', async () => {
    const env = testEnv();
    const { keys } = await setup(env);
    for (const role of ['org-admin', 'platform-admin', 'nobody']) {
      assert.throws(() => keys.create({ role: role as never }), /investigator or auditor/);
    }
    assert.throws(() => keys.create({ role: 'auditor', expiresInDays: 366 }), /expire in 1 to 365 days/);
    assert.throws(() => keys.create({ role: 'auditor', expiresInDays: 0 }), /expire/);
    const { key } = keys.create({ role: 'auditor' });
    assert.equal(Date.parse(key.expiresAt) - Date.parse(key.createdAt), 90 * 86_400_000, 'default 90 days');
  });

  it('stop working at expiry (audited)', async () => {
    const env = testEnv();
    const { org, keys } = await setup(env);
    const { key, token } = keys.create({ role: 'investigator', expiresInDays: 1 });
    env.clock.advance(86_400 - 1);
    assert.ok(env.tenancy.auth.authenticateApiKey(token).ok);
    env.clock.advance(1);
    assert.deepEqual(env.tenancy.auth.authenticateApiKey(token), { ok: false, reason: 'expired' });
    assert.equal(keys.get(key.id)?.status, 'expired');
    assert.equal(auditOf(env, 'auth.login.failed', org.orgId).at(-1)?.details.reason, 'expired');
  });

  it('stop working when revoked (audited), and revocation is idempotent', async () => {
    const env = testEnv();
    const { org, keys } = await setup(env);
    const { key, token } = keys.create({ role: 'investigator' });
    assert.ok(env.tenancy.auth.authenticateApiKey(token).ok);
    assert.equal(keys.revoke(key.id).status, 'revoked');
    assert.equal(keys.revoke(key.id).status, 'revoked');
    assert.deepEqual(env.tenancy.auth.authenticateApiKey(token), { ok: false, reason: 'revoked' });
    const changes = auditOf(env, 'apikey.changed', org.orgId).map((e) => e.details.change);
    assert.deepEqual(changes, ['created', 'revoked']);
  });

  it('refuse wrong secrets and garbage, auditing the attempt', async () => {
    const env = testEnv();
    const { org, keys } = await setup(env);
    const { token } = keys.create({ role: 'investigator' });
    const forged = `${token.slice(0, -43)}${'A'.repeat(43)}`;
    assert.deepEqual(env.tenancy.auth.authenticateApiKey(forged), { ok: false, reason: 'invalid' });
    assert.deepEqual(env.tenancy.auth.authenticateApiKey('flk_nope'), { ok: false, reason: 'invalid' });
    assert.deepEqual(env.tenancy.auth.authenticateApiKey(undefined as never), {
      ok: false,
      reason: 'invalid',
    });
    assert.equal(auditOf(env, 'auth.login.failed', org.orgId).at(-1)?.details.reason, 'bad-apikey');
    assert.equal(auditOf(env, 'auth.login.failed', null).length, 2);
  });

  it('are managed by org-admins only', async () => {
    const env = testEnv();
    const { org } = await setup(env);
    const inv = await addUser(env, org, ['investigator'], 'k');
    const aud = await addUser(env, org, ['auditor'], 'a');
    for (const caller of [inv.caller, aud.caller]) {
      const err = (() => {
        try {
          env.tenancy.forCaller(caller).apiKeys.create({ role: 'investigator' });
        } catch (e) {
          return e;
        }
      })();
      assert.equal(denialOf(err)?.reason, 'forbidden');
      assert.throws(() => env.tenancy.forCaller(caller).apiKeys.list(), /not permitted: apikeys.manage/);
    }
  });

  it('stop working when the org is suspended', async () => {
    const env = testEnv();
    const { platform, org, keys } = await setup(env);
    const { token } = keys.create({ role: 'investigator' });
    env.tenancy.forPlatform(platform.caller).orgs.suspend(org.orgId);
    assert.deepEqual(env.tenancy.auth.authenticateApiKey(token), { ok: false, reason: 'disabled' });
    env.tenancy.forPlatform(platform.caller).orgs.reactivate(org.orgId);
    assert.ok(env.tenancy.auth.authenticateApiKey(token).ok);
  });
});
