import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Caller, mintCaller } from './caller.js';
import { denialOf } from './denial.js';
import { ACTIONS, authorize, can, POLICY, policyMatrix } from './policy.js';
import { ROLES, type Role } from './roles.js';

const ORG = '01900000-0000-7000-8000-00000000000a';
const OTHER = '01900000-0000-7000-8000-00000000000b';

function user(roles: Role[], orgId: string | null = ORG): Caller {
  return mintCaller({ kind: 'user', userId: 'u1', orgId, roles, sessionId: 's1', mfa: true });
}

/** The table the README documents; the test fails if the policy drifts from it. */
const EXPECTED: Record<string, Partial<Record<Role, string>>> = {
  'search.run': { investigator: 'own-org' },
  'search.read.own': { investigator: 'own-org' },
  'search.read.org': { 'org-admin': 'own-org', auditor: 'own-org' },
  'search.retention.manage': { 'org-admin': 'own-org' },
  'audit.read': { auditor: 'own-org' },
  'audit.read.platform': { 'platform-admin': 'platform' },
  'alerts.read': { auditor: 'own-org' },
  'alerts.ack': { auditor: 'own-org' },
  'users.read': { 'platform-admin': 'platform', 'org-admin': 'own-org', auditor: 'own-org' },
  'users.manage': { 'platform-admin': 'platform', 'org-admin': 'own-org' },
  'apikeys.manage': { 'org-admin': 'own-org' },
  'quotas.manage': { 'org-admin': 'own-org' },
  'counts.read': { 'org-admin': 'own-org', auditor: 'own-org' },
  'galleries.manage': { 'platform-admin': 'platform', 'org-admin': 'own-org' },
  'galleries.grant': { 'platform-admin': 'any-org' },
  'orgs.manage': { 'platform-admin': 'any-org' },
  'ingest.run': { 'platform-admin': 'platform', 'org-admin': 'own-org' },
  'erasure.run': { 'platform-admin': 'platform', 'org-admin': 'own-org' },
  'optouts.review': { 'platform-admin': 'platform' },
};

describe('policy', () => {
  it('matches the documented role × action table', () => {
    assert.deepEqual(Object.keys(POLICY).sort(), [...ACTIONS].sort());
    for (const action of ACTIONS) assert.deepEqual(POLICY[action], EXPECTED[action], action);
    assert.equal(policyMatrix().length, ACTIONS.length * ROLES.length);
  });

  it('evaluates every role × action as the table says, on own-org, other-org and platform resources', () => {
    for (const role of ROLES) {
      const caller = role === 'platform-admin' ? user([role], null) : user([role]);
      for (const action of ACTIONS) {
        const reach = POLICY[action][role];
        assert.equal(
          can(caller, action, { orgId: ORG }),
          reach === 'own-org' || reach === 'any-org',
          `${role} ${action} own`,
        );
        assert.equal(can(caller, action, { orgId: OTHER }), reach === 'any-org', `${role} ${action} other`);
        assert.equal(
          can(caller, action, { orgId: null }),
          reach === 'platform' || reach === 'any-org',
          `${role} ${action} platform`,
        );
      }
    }
  });

  it('denies by default: unknown actions, no roles, and an org role without an org', () => {
    assert.equal(can(user(['org-admin']), 'nuke.everything' as never), false);
    assert.equal(can(user([]), 'search.run'), false);
    assert.equal(can(user(['investigator'], null), 'search.run', { orgId: null }), false);
    assert.equal(can(user(['platform-admin'], ORG), 'orgs.manage', { orgId: ORG }), false);
  });

  it('auditors cannot search; platform-admins reach no org content', () => {
    assert.equal(can(user(['auditor']), 'search.run'), false);
    const platform = user(['platform-admin'], null);
    for (const action of [
      'search.run',
      'search.read.own',
      'search.read.org',
      'search.retention.manage',
      'audit.read',
      'alerts.read',
      'alerts.ack',
      'counts.read',
    ] as const) {
      assert.equal(can(platform, action, { orgId: ORG }), false, action);
    }
  });

  it('a combined role set gets the union of its roles', () => {
    const both = user(['org-admin', 'investigator']);
    assert.ok(can(both, 'search.run'));
    assert.ok(can(both, 'users.manage'));
    assert.ok(!can(both, 'audit.read'));
  });

  it('authorize throws a forbidden denial naming the action', () => {
    try {
      authorize(user(['investigator']), 'users.manage');
      assert.fail('expected a denial');
    } catch (err) {
      assert.deepEqual(denialOf(err), { reason: 'forbidden', action: 'users.manage' });
    }
  });
});
