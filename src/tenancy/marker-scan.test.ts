/**
 * Nothing readable about a client in the database: create orgs, users and keys carrying marker strings
 * through the real flows (logins, MFA enrolment, audit entries included), then read the raw bytes of the
 * SQLite file, its WAL and shared-memory files and look for each marker in every encoding a careless
 * implementation might leave it in. A control row stored in plaintext proves the scan can fail.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { scanForMarker } from '../crypto/marker-scan-fixture.js';
import {
  activate,
  addUser,
  type Env,
  type OrgFixture,
  PASSWORD,
  platformAdmin,
  signIn,
  testEnv,
} from './test-fixtures.js';

const MARKERS = {
  orgName: 'Marker Org Name 7f3a',
  contactPerson: 'MARKER-CONTACT-PERSON-91bc',
  contactEmail: 'marker-contact-2c8d@client.example',
  contactPhone: '+44 1632 960 471',
  adminEmail: 'marker-admin-5e6f@client.example',
  adminName: 'MARKER-ADMIN-NAME-0d1e',
  userEmail: 'marker-user-email-2d4e@client.example',
  userName: 'MARKER-USER-NAME-5c1f',
  keyLabel: 'MARKER-KEY-LABEL-3a7b',
  platformEmail: 'marker-platform-9e0a@operator.example',
} as const;

const CONTROL = 'CONTROL-PLAINTEXT-IN-DB-0c11';

/** Files under `dir` holding `secret` in any encoding. */
function scan(dir: string, secret: string): string[] {
  return [...scanForMarker(dir, secret).keys()];
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('marker scan of the raw database', () => {
  it('finds no org name, contact, e-mail, user name, key label or secret in the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faceledger-tenancy-'));
    dirs.push(dir);
    const env: Env = testEnv({ path: join(dir, 'faceledger.db') });
    // Keep every page in the WAL for the first scan (no automatic checkpoint).
    env.db.pragma('wal_autocheckpoint = 0');

    const platform = await platformAdmin(env, MARKERS.platformEmail);
    const scope = env.tenancy.forPlatform(platform.caller);
    const org = scope.orgs.create({
      name: MARKERS.orgName,
      contact: { person: MARKERS.contactPerson, email: MARKERS.contactEmail, phone: MARKERS.contactPhone },
    });
    const issued = scope.orgs.createAdmin(org.id, { email: MARKERS.adminEmail, name: MARKERS.adminName });
    const admin = await activate(env, issued, MARKERS.adminEmail, org.id);
    const { caller: adminCaller } = await signIn(env, admin);
    const fixture: OrgFixture = { orgId: org.id, admin, adminCaller };
    const created = env.tenancy.forCaller(adminCaller).users.create({
      email: MARKERS.userEmail,
      name: MARKERS.userName,
      roles: ['investigator'],
    });
    const user = await activate(env, created, MARKERS.userEmail, org.id);
    const { caller: userCaller, token: sessionToken } = await signIn(env, user);
    const { secret: userTotp } = env.tenancy.auth.beginOwnMfaEnrolment(userCaller);
    const key = env.tenancy
      .forCaller(adminCaller)
      .apiKeys.create({ role: 'auditor', label: MARKERS.keyLabel });
    assert.ok(env.tenancy.auth.authenticateApiKey(key.token).ok);
    // Failed logins by e-mail (known and unknown) land in the audit log.
    await env.tenancy.auth.login({ email: MARKERS.userEmail, password: 'wrong password!!' });
    await env.tenancy.auth.login({ email: MARKERS.contactEmail, password: PASSWORD });
    await addUser(env, fixture, ['auditor'], 'plain');
    // The directory still reads back for those entitled to it.
    assert.equal(env.tenancy.forCaller(adminCaller).org.get().name, MARKERS.orgName);
    assert.equal(env.tenancy.forCaller(adminCaller).users.get(user.userId)?.email, MARKERS.userEmail);

    env.db.exec(`CREATE TABLE control (note TEXT NOT NULL); INSERT INTO control VALUES ('${CONTROL}')`);

    const secrets: Record<string, string> = {
      ...MARKERS,
      adminTotp: admin.totp as string,
      userPendingTotp: userTotp,
      platformTotp: platform.admin.totp as string,
      recoveryCode: (admin.recoveryCodes[0] as string).replaceAll('-', ''),
      apiKeySecret: key.token.slice(-43),
      sessionToken: sessionToken.slice(4),
      setupToken: created.setupToken.slice(8),
    };

    // First with everything still in the WAL, then after a checkpoint moved it into the main file.
    for (const phase of ['wal', 'checkpointed']) {
      if (phase === 'checkpointed') env.db.pragma('wal_checkpoint(TRUNCATE)');
      assert.ok(scan(dir, CONTROL).length > 0, `${phase}: the control marker is found, so the scan works`);
      for (const [what, value] of Object.entries(secrets)) {
        assert.deepEqual(scan(dir, value), [], `${phase}: ${what} appears in plaintext`);
      }
    }
    env.db.close();
  });
});
