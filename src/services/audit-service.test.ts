import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditEntry } from '../audit/audit-event.js';
import { AuditLog } from '../audit/audit-log.js';
import { computeEntryHash } from '../audit/canonical.js';
import { FaceLedgerError } from '../core/errors.js';
import { PLATFORM_SCOPE } from '../crypto/index.js';
import { denialOf } from '../tenancy/index.js';
import { addUser, type Env, makeOrg, platformAdmin, testEnv } from '../tenancy/test-fixtures.js';
import { AuditService } from './audit-service.js';

async function scene() {
  const env = testEnv();
  const platform = await platformAdmin(env);
  const people = async (name: string) => {
    const org = await makeOrg(env, platform, name);
    return {
      ...org,
      investigator: await addUser(env, org, ['investigator'], 'inv'),
      auditor: await addUser(env, org, ['auditor'], 'aud'),
    };
  };
  const a = await people('Org Alpha');
  const b = await people('Org Bravo');
  return { env, platform, a, b, service: new AuditService({ audit: env.audit }) };
}

function forbidden(fn: () => unknown): void {
  assert.throws(fn, (err) => denialOf(err)?.reason === 'forbidden');
}

function lastOfType(env: Env, type: 'export' | 'audit.verified'): AuditEntry {
  const entry = env.audit.query({ types: [type], limit: 1 }).entries[0];
  assert.ok(entry, `a ${type} entry`);
  return entry;
}

/** Edits a row with raw SQL as someone holding the file would (update trigger dropped first). */
function tamper(env: Env, seq: number): void {
  env.db.exec('DROP TRIGGER IF EXISTS audit_entries_no_update');
  env.db.prepare("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = ?").run(seq);
}

describe('audit service: reading', () => {
  it("an auditor reads their org's entries only, with filters and pages; a platform-admin only platform entries", async () => {
    const { platform, a, b, service } = await scene();
    const page = service.query(a.auditor.caller, { limit: 1000 });
    assert.ok(page.entries.length >= 5);
    assert.ok(page.entries.every((e) => e.orgId === a.orgId));
    assert.ok(page.entries.every((e) => e.data !== null && typeof e.data === 'object'));
    // Trying to widen the scope through the filters changes nothing.
    const sneaky = service.query(a.auditor.caller, { orgId: b.orgId, limit: 1000 } as never);
    assert.deepEqual(
      sneaky.entries.map((e) => e.id),
      page.entries.map((e) => e.id),
    );
    assert.ok(service.query(b.auditor.caller, { limit: 1000 }).entries.every((e) => e.orgId === b.orgId));

    const logins = service.query(a.auditor.caller, {
      types: ['auth.login.ok'],
      actor: a.investigator.caller.actor,
    });
    assert.ok(logins.entries.length >= 1);
    assert.ok(logins.entries.every((e) => e.type === 'auth.login.ok'));

    const first = service.query(a.auditor.caller, { limit: 2 });
    assert.equal(first.entries.length, 2);
    assert.ok(first.nextCursor);
    const second = service.query(a.auditor.caller, { limit: 2, cursor: first.nextCursor });
    assert.ok((second.entries[0]?.seq ?? 0) < (first.entries[1]?.seq ?? 0), 'newest first, continuing');

    const all = page.entries.map((e) => e.at).sort();
    const mid = all[Math.floor(all.length / 2)] as string;
    const later = service.query(a.auditor.caller, { from: mid, limit: 1000 }).entries;
    assert.ok(later.length > 0 && later.every((e) => e.at >= mid));
    const earlier = service.query(a.auditor.caller, { to: mid, limit: 1000 }).entries;
    assert.ok(earlier.every((e) => e.at < mid));
    assert.equal(later.length + earlier.length, page.entries.length);

    const platformPage = service.query(platform.caller, { limit: 1000 });
    assert.ok(platformPage.entries.length >= 1);
    assert.ok(platformPage.entries.every((e) => e.orgId === null));
  });

  it('investigators and org-admins cannot read, export or verify the audit log', async () => {
    const { a, service } = await scene();
    for (const caller of [a.investigator.caller, a.adminCaller]) {
      forbidden(() => service.query(caller));
      forbidden(() => service.exportJsonl(caller, {}, () => {}));
      forbidden(() => service.verify(caller));
    }
  });
});

describe('audit service: export', () => {
  it("writes the org's entries as re-verifiable JSON lines and audits the export with their hash", async () => {
    const { env, a, b, service } = await scene();
    let text = '';
    const result = service.exportJsonl(a.auditor.caller, {}, (line) => {
      text += line;
    });
    const lines = text.trimEnd().split('\n');
    assert.equal(result.count, lines.length);
    assert.equal(result.sha256, createHash('sha256').update(text).digest('hex'));
    let previousSeq = 0;
    for (const line of lines) {
      const entry = JSON.parse(line) as AuditEntry;
      assert.equal(entry.orgId, a.orgId);
      assert.equal(computeEntryHash(entry), entry.hash, 'each line re-verifies on its own');
      assert.ok(entry.seq > previousSeq, 'oldest first');
      previousSeq = entry.seq;
    }
    for (const email of [a.investigator.email, b.investigator.email, a.admin.email])
      assert.ok(!text.includes(email), 'no e-mail in the audit log');

    const recorded = lastOfType(env, 'export');
    assert.equal(recorded.orgId, a.orgId);
    assert.equal(recorded.actor, a.auditor.caller.actor);
    assert.deepEqual(JSON.parse(recorded.details), {
      kind: 'audit',
      format: 'jsonl',
      itemCount: result.count,
      contentSha256: result.sha256,
    });

    let written = 0;
    const failing = () =>
      service.exportJsonl(a.auditor.caller, {}, () => {
        if (++written > 1) throw new Error('disk full');
      });
    assert.throws(failing, /disk full/);
    assert.deepEqual(
      JSON.parse(lastOfType(env, 'export').details).itemCount,
      1,
      'a partial export is recorded too',
    );
  });
});

describe('audit service: verify', () => {
  it("an auditor verifies their org's chain, a platform-admin the whole log; both outcomes are audited", async () => {
    const { env, platform, a, b, service } = await scene();
    const ok = service.verify(a.auditor.caller);
    assert.equal(ok.ok, true);
    assert.equal(ok.scope, 'org');
    const recorded = lastOfType(env, 'audit.verified');
    assert.equal(recorded.orgId, a.orgId);
    assert.deepEqual(JSON.parse(recorded.details), { scope: 'org', ok: true, checked: ok.checked });

    const victim = env.audit.query({ orgId: a.orgId, order: 'asc', limit: 3 }).entries[2];
    assert.ok(victim);
    tamper(env, victim.seq);

    const bad = service.verify(a.auditor.caller);
    assert.equal(bad.ok, false);
    assert.equal(bad.firstBad?.reason, 'modified');
    assert.equal(bad.firstBad?.seq, victim.seq);
    assert.equal(bad.firstBad?.id, victim.id);
    assert.deepEqual(JSON.parse(lastOfType(env, 'audit.verified').details).firstBad, {
      seq: victim.seq,
      reason: 'modified',
    });

    assert.equal(service.verify(b.auditor.caller).ok, true, "org B's chain is intact");
    const global = service.verify(platform.caller);
    assert.equal(global.scope, 'global');
    assert.equal(global.firstBad?.seq, victim.seq);
    const platformRecord = lastOfType(env, 'audit.verified');
    assert.equal(platformRecord.orgId, null);
    assert.equal(JSON.parse(platformRecord.details).ok, false);
  });
});

describe('audit service: sealed details', () => {
  it("opens sealed details for the org's auditor only, and only when an opener is configured", async () => {
    const { env, platform, a, b } = await scene();
    const field = 'audit.details';
    const sealing = new AuditLog(env.db, env.clock, undefined, {
      sealDetails: ({ orgId, plaintext }) => env.vault.seal(orgId ?? PLATFORM_SCOPE, field, plaintext),
    });
    sealing.append({
      type: 'config.changed',
      orgId: a.orgId,
      actor: a.adminCaller.actor,
      details: { changes: [{ key: 'quota.user-default', from: null, to: 'perDay=5' }] },
    });
    sealing.append({
      type: 'config.changed',
      orgId: null,
      actor: platform.caller.actor,
      details: { changes: [{ key: 'gallery.x.grant', to: b.orgId }] },
    });
    const opened = new AuditService(
      { audit: sealing },
      { openDetails: ({ orgId, details }) => env.vault.openText(orgId, field, details) },
    );
    const mine = opened.query(a.auditor.caller, { types: ['config.changed'], limit: 1 }).entries[0];
    assert.ok(mine && !mine.details.startsWith('{'), 'stored sealed');
    assert.deepEqual(mine.data, { changes: [{ key: 'quota.user-default', from: null, to: 'perDay=5' }] });

    const platformView = opened.query(platform.caller, { types: ['config.changed'], limit: 1 }).entries[0];
    assert.equal(platformView?.data, null, 'platform entries are not opened');
    const unopened = new AuditService({ audit: sealing });
    assert.equal(
      unopened.query(a.auditor.caller, { types: ['config.changed'], limit: 1 }).entries[0]?.data,
      null,
    );
  });

  it('rejects callers it did not get from authentication', async () => {
    const { a, service } = await scene();
    const forged = { ...a.auditor.caller };
    assert.throws(
      () => service.query(forged),
      (err) => err instanceof FaceLedgerError && err.code === 'INTERNAL',
    );
  });
});
