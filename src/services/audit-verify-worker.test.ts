/**
 * Audit verification off the event loop, on a real app (SQLite file, signing key and witness in a key
 * folder): the worker's report equals the synchronous verifier's, intact or tampered, and the server's
 * event loop keeps answering while a long log is walked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { sampleEvent, searchEvent } from '../audit/audit-fixtures.js';
import { AuditLog } from '../audit/audit-log.js';
import type { VerifyReport } from '../audit/verify.js';
import { OffThreadVerifier } from '../audit/verify-off-thread.js';
import { FaceLedgerError } from '../core/errors.js';
import {
  addUser,
  type Env,
  ManualClock,
  makeOrg,
  platformAdmin,
  TEST_ARGON2,
  testEnv,
} from '../tenancy/test-fixtures.js';
import { FaceLedgerApp } from './app.js';
import { AuditService } from './audit-service.js';

const apps: FaceLedgerApp[] = [];
const dirs: string[] = [];
after(async () => {
  for (const app of apps) await app.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fl-audit-verify-'));
  dirs.push(dir);
  return dir;
}

async function scene() {
  const dir = scratchDir();
  const clock = new ManualClock();
  const app = FaceLedgerApp.open({
    dataDir: join(dir, 'data'),
    keyDir: join(dir, 'keys'),
    clock,
    workers: 1,
    tenancy: { argon2: TEST_ARGON2 },
    env: {},
  });
  apps.push(app);
  const env: Env = { db: app.store.db, vault: app.vault, audit: app.audit, clock, tenancy: app.tenancy };
  const platform = await platformAdmin(env);
  const org = await makeOrg(env, platform, 'Org Alpha');
  const auditor = await addUser(env, org, ['auditor'], 'aud');
  const other = await makeOrg(env, platform, 'Org Bravo');
  for (let i = 0; i < 250; i++) {
    app.audit.append(searchEvent(i % 2 === 0 ? org.orgId : other.orgId, i));
    clock.advance(1);
  }
  return { dir, app, platform, org, other, auditor, service: new AuditService({ audit: app.audit }) };
}

function lastVerified(app: FaceLedgerApp): Record<string, unknown> {
  const entry = app.audit.query({ types: ['audit.verified'], limit: 1 }).entries[0];
  assert.ok(entry, 'an audit.verified entry');
  return { orgId: entry.orgId, actor: entry.actor, ...JSON.parse(entry.details) };
}

function countVerified(app: FaceLedgerApp): number {
  return app.audit.query({ types: ['audit.verified'], limit: 1000 }).entries.length;
}

describe('audit verification in a worker thread', () => {
  it('reports an intact log exactly as the synchronous verifier does, and audits each request', async () => {
    const { app, platform, org, auditor, service } = await scene();
    const sync = app.audit.verify();
    assert.equal(sync.ok, true);
    assert.ok(sync.checkpoints.trusted > 0 && sync.checkpoints.signaturesChecked, 'keys reached the worker');
    assert.deepEqual(await app.audit.verifyOffThread(), sync);
    assert.deepEqual(
      await app.audit.verifyOffThread({ orgId: org.orgId }),
      app.audit.verify({ orgId: org.orgId }),
    );

    const mine = await service.verifyOffThread(auditor.caller);
    assert.equal(mine.ok, true);
    assert.equal(mine.scope, 'org');
    assert.deepEqual(lastVerified(app), {
      orgId: org.orgId,
      actor: auditor.caller.actor,
      scope: 'org',
      ok: true,
      checked: mine.checked,
    });

    // Two requests at once share one run, and each is still recorded.
    const before = countVerified(app);
    const [first, second] = await Promise.all([
      service.verifyOffThread(platform.caller),
      service.verifyOffThread(platform.caller),
    ]);
    assert.equal(first, second, 'one report for both: one worker ran');
    assert.equal(first.ok, true);
    assert.equal(countVerified(app), before + 2);
    assert.deepEqual(lastVerified(app), {
      orgId: null,
      actor: platform.caller.actor,
      scope: 'global',
      ok: true,
      checked: first.checked,
    });
  });

  it('names the same first bad entry as the synchronous verifier after raw tampering', async () => {
    const { app, platform, org, other, service } = await scene();
    const victim = app.audit.query({ orgId: org.orgId, order: 'asc', limit: 40 }).entries[39];
    assert.ok(victim);
    app.store.db.exec('DROP TRIGGER IF EXISTS audit_entries_no_update');
    app.store.db.prepare("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = ?").run(victim.seq);

    const sync = app.audit.verify();
    assert.equal(sync.firstBad?.reason, 'modified');
    assert.equal(sync.firstBad?.seq, victim.seq);
    assert.equal(sync.firstBad?.id, victim.id);
    const worker = await app.audit.verifyOffThread();
    assert.deepEqual(worker, sync, 'same report, first bad entry included');
    for (const orgId of [org.orgId, other.orgId]) {
      assert.deepEqual(await app.audit.verifyOffThread({ orgId }), app.audit.verify({ orgId }));
    }
    assert.equal((await app.audit.verifyOffThread({ orgId: other.orgId })).ok, true);

    // Tampering is a result, not an error, through the service too; and it is audited.
    const global = await service.verifyOffThread(platform.caller);
    assert.equal(global.ok, false);
    assert.deepEqual(lastVerified(app).firstBad, { seq: victim.seq, reason: 'modified' });
  });

  it('reads the witness in the key folder: a damaged one fails both verifiers alike', async () => {
    const { app, dir } = await scene();
    writeFileSync(join(dir, 'keys', 'audit-checkpoint.json'), 'not json');
    const sync = app.audit.verify();
    assert.equal(sync.firstBad?.reason, 'bad-signature');
    assert.deepEqual(await app.audit.verifyOffThread(), sync);
  });

  it('surfaces a failure to verify at all as a FaceLedgerError', async () => {
    const dir = scratchDir();
    const verifier = new OffThreadVerifier({
      dbPath: join(dir, 'no-such.db'),
      witnessPath: null,
      publicKeysPem: [],
    });
    await assert.rejects(
      verifier.verify(null),
      (err) => err instanceof FaceLedgerError && err.code === 'INTERNAL',
    );
  });

  it('verifies an in-memory database on the calling thread (no worker can open it)', async () => {
    const env = testEnv();
    await platformAdmin(env);
    const report = await env.audit.verifyOffThread();
    assert.equal(report.ok, true);
    assert.deepEqual(report, env.audit.verify());
  });

  it('keeps the event loop answering while a long log is verified, one verification at a time', async (t) => {
    const { app, org } = await scene();
    const entries = 50_000;
    const appendStart = performance.now();
    // Setup kept cheap: one transaction, and a log without the signing key so no checkpoint is signed
    // every 100 entries; the app's log then signs (and witnesses) the head once.
    const bulk = new AuditLog(app.store.db, app.clock);
    app.store.db.transaction(() => {
      for (let i = 0; i < entries; i++)
        bulk.append(i % 4 === 0 ? searchEvent(org.orgId, i) : sampleEvent(4 * i));
    })();
    assert.ok(app.audit.checkpoint());
    const appendMs = performance.now() - appendStart;

    const syncStart = performance.now();
    const sync = app.audit.verify();
    const syncMs = performance.now() - syncStart;
    assert.equal(sync.ok, true);
    assert.ok(sync.checked > entries);

    let settled = false;
    const workerStart = performance.now();
    const pending = app.audit.verifyOffThread().finally(() => {
      settled = true;
    });
    let ticksWhilePending = 0;
    let maxGapMs = 0;
    let last = performance.now();
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 1));
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      if (!settled) ticksWhilePending++;
    }
    const report = await pending;
    const workerMs = performance.now() - workerStart;
    assert.deepEqual(report, sync);
    assert.ok(ticksWhilePending > 0, 'timers ran while the verification was pending');
    assert.ok(
      maxGapMs < syncMs / 2,
      `the event loop never stalled for long (longest gap ${maxGapMs.toFixed(1)} ms)`,
    );

    // A second scope waits for the running verification instead of starting another worker beside it,
    // so the (shorter) org chain finishes after the global one; a repeat of the running scope shares it.
    const done: string[] = [];
    const noting = async (name: string, run: Promise<VerifyReport>) => {
      const report = await run;
      done.push(name);
      return report;
    };
    const [g, o, r] = await Promise.all([
      noting('global', app.audit.verifyOffThread()),
      noting('org', app.audit.verifyOffThread({ orgId: org.orgId })),
      noting('repeat', app.audit.verifyOffThread()),
    ]);
    assert.equal(g, r, 'the repeat shared the running verification');
    assert.equal(o.ok, true);
    assert.equal(done[done.length - 1], 'org', `order: ${done.join(', ')}`);

    t.diagnostic(
      `${sync.checked} entries (appended in ${appendMs.toFixed(0)} ms): synchronous verify ${syncMs.toFixed(0)} ms ` +
        `blocking; worker ${workerMs.toFixed(0)} ms including start-up, ${ticksWhilePending} timer ticks ` +
        `meanwhile, longest event-loop gap ${maxGapMs.toFixed(1)} ms`,
    );
  });
});
