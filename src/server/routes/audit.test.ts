import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '../../audit/index.js';
import { computeEntryHash, sha256Hex } from '../../audit/index.js';
import { newId } from '../../core/ids.js';
import { AlertService } from '../../services/alerts/index.js';
import { type Harness, makeWorld, startHarness, type World } from '../test-harness.js';

describe('audit and alert routes', () => {
  let h: Harness;
  let w: World;

  before(async () => {
    h = await startHarness();
    w = await makeWorld(h);
  });
  after(async () => {
    await h.close();
  });

  const get = (url: string, token?: string) => h.call({ method: 'GET', url, token: token ?? null });

  it("GET /api/v1/audit: an auditor (session or API key) reads their org's entries only", async () => {
    for (const token of [w.a.auditor.token, w.a.auditorKey]) {
      const res = await get('/api/v1/audit?limit=1000', token);
      assert.equal(res.statusCode, 200, res.body);
      const { entries } = res.json() as { entries: (AuditEntry & { data: unknown })[] };
      assert.ok(entries.length >= 5);
      assert.ok(entries.every((e) => e.orgId === w.a.orgId));
      assert.ok(entries.every((e) => e.data !== null));
    }
    const b = (await get('/api/v1/audit?limit=1000', w.b.auditor.token)).json() as { entries: AuditEntry[] };
    assert.ok(b.entries.length > 0 && b.entries.every((e) => e.orgId === w.b.orgId));
    const platform = (await get('/api/v1/audit', w.platform.token)).json() as { entries: AuditEntry[] };
    assert.ok(platform.entries.length > 0 && platform.entries.every((e) => e.orgId === null));
  });

  it('GET /api/v1/audit filters by type(s) and pages with a cursor; bad filters are 400', async () => {
    const res = await get('/api/v1/audit?type=auth.login.ok,user.changed&limit=2', w.a.auditor.token);
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as { entries: AuditEntry[]; nextCursor: string | null };
    assert.equal(page.entries.length, 2);
    assert.ok(page.entries.every((e) => e.type === 'auth.login.ok' || e.type === 'user.changed'));
    assert.ok(page.nextCursor);
    const next = await get(
      `/api/v1/audit?type=auth.login.ok&type=user.changed&limit=2&cursor=${page.nextCursor}`,
      w.a.auditor.token,
    );
    assert.equal(next.statusCode, 200, next.body);
    assert.ok((next.json().entries[0]?.seq ?? 0) < (page.entries[1]?.seq ?? 0));
    for (const bad of ['type=nope', 'limit=0', 'from=yesterday', 'orgId=x']) {
      const r = await get(`/api/v1/audit?${bad}`, w.a.auditor.token);
      assert.equal(r.statusCode, 400, bad);
      assert.equal(r.json().error.code, 'BAD_INPUT');
    }
  });

  it('investigators, org-admins and investigator keys are refused; anonymous callers are unauthenticated', async () => {
    for (const url of ['/api/v1/audit', '/api/v1/audit/export', '/api/v1/audit/verify', '/api/v1/alerts']) {
      for (const token of [w.a.investigator.token, w.a.admin.token, w.a.investigatorKey]) {
        const res = await get(url, token);
        assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
      }
      assert.equal((await get(url)).statusCode, 401, url);
    }
    assert.equal((await get('/api/v1/alerts', w.platform.token)).statusCode, 403);
  });

  it('GET /api/v1/audit/export: JSON lines of the org, each re-verifiable, and the export is audited', async () => {
    const res = await get('/api/v1/audit/export', w.a.auditor.token);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    assert.equal(res.headers['x-content-sha256'], sha256Hex(res.body));
    const lines = res.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    assert.ok(lines.length >= 5);
    for (const entry of lines) {
      assert.equal(entry.orgId, w.a.orgId);
      assert.equal(computeEntryHash(entry), entry.hash);
    }
    const recorded = h.app.audit.query({ orgId: w.a.orgId, types: ['export'], limit: 1 }).entries[0];
    assert.equal(recorded?.actor, w.a.auditor.caller.actor);
    assert.equal(JSON.parse(recorded?.details ?? '{}').itemCount, lines.length);
  });

  it('alerts: the org’s auditors list and acknowledge them; other orgs and roles cannot', async () => {
    const alerts = new AlertService(
      { db: h.app.store.db, audit: h.app.audit, clock: h.clock },
      { rules: { workingHours: { startHour: 11, endHour: 20, timeZone: 'UTC' } } },
    );
    const caller = w.a.investigator.caller;
    const probeSha256 = sha256Hex('probe');
    h.app.tenancy.quotas.record(caller);
    h.app.audit.append({
      type: 'search.run',
      orgId: w.a.orgId,
      actor: caller.actor,
      details: {
        searchId: newId(),
        caseNumber: 'sealed-elsewhere',
        purpose: 'sealed-elsewhere',
        galleries: [newId()],
        probeSha256,
        resultCount: 0,
        topSimilarity: null,
        outcome: 'ok',
      },
    });
    const [raised] = alerts.afterSearch({
      caller,
      orgId: w.a.orgId,
      actor: caller.actor,
      at: h.clock.now(),
      probeSha256,
      resultCount: 0,
    });
    assert.equal(raised?.kind, 'off-hours');

    const list = await get('/api/v1/alerts?status=open', w.a.auditor.token);
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(
      list.json().alerts.map((a: { id: string }) => a.id),
      [raised?.id],
    );
    assert.deepEqual((await get('/api/v1/alerts', w.b.auditor.token)).json().alerts, []);
    assert.equal((await get('/api/v1/alerts?kind=unknown', w.a.auditor.token)).statusCode, 400);

    const ack = (token: string) => h.call({ method: 'POST', url: `/api/v1/alerts/${raised?.id}/ack`, token });
    assert.equal((await ack(w.a.investigator.token)).statusCode, 403);
    assert.equal((await ack(w.b.auditor.token)).statusCode, 404);
    const done = await ack(w.a.auditorKey);
    assert.equal(done.statusCode, 200, done.body);
    assert.match(done.json().acknowledgedBy, /^apikey:/);
    assert.equal((await ack(w.a.auditor.token)).statusCode, 409);
    assert.deepEqual((await get('/api/v1/alerts?status=open', w.a.auditor.token)).json().alerts, []);
  });

  it("GET /api/v1/audit/verify: ok, then after raw tampering names the first bad entry; B's chain stays ok", async () => {
    const ok = await get('/api/v1/audit/verify', w.a.auditor.token);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().ok, true);
    assert.equal(ok.json().scope, 'org');

    const victim = h.app.audit.query({ orgId: w.a.orgId, order: 'asc', limit: 2 }).entries[1];
    assert.ok(victim);
    h.app.store.db.exec('DROP TRIGGER IF EXISTS audit_entries_no_update');
    h.app.store.db
      .prepare("UPDATE audit_entries SET at = '2020-01-01T00:00:00.000Z' WHERE seq = ?")
      .run(victim.seq);

    const bad = (await get('/api/v1/audit/verify', w.a.auditor.token)).json();
    assert.equal(bad.ok, false);
    assert.deepEqual(
      [bad.firstBad.reason, bad.firstBad.seq, bad.firstBad.id],
      ['modified', victim.seq, victim.id],
    );
    assert.equal((await get('/api/v1/audit/verify', w.b.auditor.token)).json().ok, true);
    const global = (await get('/api/v1/audit/verify', w.platform.token)).json();
    assert.equal(global.scope, 'global');
    assert.equal(global.firstBad.seq, victim.seq);
  });
});
