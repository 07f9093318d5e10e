import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AuditLog } from '../../audit/audit-log.js';
import { FaceLedgerError } from '../../core/errors.js';
import { denialOf } from '../../tenancy/index.js';
import { PASSWORD } from '../../tenancy/test-fixtures.js';
import {
  type AlertScene,
  alertScene,
  allAlertRows,
  CASE_MARKER,
  PURPOSE_MARKER,
  probe,
  search,
} from './alert-fixtures.js';

const at = (scene: AlertScene, iso: string) => scene.env.clock.set(iso);

function forbidden(fn: () => unknown, action: string): void {
  assert.throws(fn, (err) => denialOf(err)?.reason === 'forbidden' && denialOf(err)?.action === action);
}

function code(fn: () => unknown, expected: string): void {
  assert.throws(fn, (err) => err instanceof FaceLedgerError && err.code === expected);
}

let probes = 0;
/** A probe nobody else searches (so no burst rule interferes). */
const fresh = () => probe(`unique-${probes++}`);

describe('alerts: unusual volume', () => {
  it("fires above the user's own baseline, once per day, and not for a user whose baseline is that busy", async () => {
    const scene = await alertScene({
      rules: { volume: { baselineDays: 14, k: 3, minimum: 10, dailyCap: 1000 } },
    });
    const { a } = scene;
    const quotas = scene.env.tenancy.quotas;
    for (let day = 1; day <= 14; day++) {
      at(scene, `2025-03-${String(10 + day).padStart(2, '0')}T10:00:00.000Z`);
      quotas.record(a.investigator.caller, day % 2 === 0 ? 4 : 6); // mean 5, sd 1 → threshold max(10, 8) = 10
      quotas.record(a.investigator2.caller, 30); // mean 30, sd 0 → threshold 30
    }
    at(scene, '2025-03-25T10:00:00.000Z');
    quotas.record(a.investigator.caller, 9);
    assert.deepEqual(search(scene, a.investigator.caller, fresh()), [], '10 searches: at the threshold');
    const [alert, ...rest] = search(scene, a.investigator.caller, fresh());
    assert.deepEqual(rest, []);
    assert.equal(alert?.kind, 'volume-baseline');
    assert.equal(alert?.subject, a.investigator.caller.actor);
    assert.equal(alert?.orgId, a.orgId);
    assert.equal(alert?.day, '2025-03-25');
    assert.deepEqual(alert?.details, {
      day: '2025-03-25',
      count: 11,
      threshold: 10,
      baselineMean: 5,
      baselineSd: 1,
      baselineDays: 14,
      k: 3,
    });
    assert.deepEqual(search(scene, a.investigator.caller, fresh()), [], 'one open alert per user and day');

    quotas.record(a.investigator2.caller, 29);
    assert.deepEqual(search(scene, a.investigator2.caller, fresh()), [], '30 is a normal day for this user');

    // The next day's baseline includes yesterday's 12 (mean 5.43, sd 2.06 → threshold 12).
    at(scene, '2025-03-26T10:00:00.000Z');
    quotas.record(a.investigator.caller, 11);
    assert.deepEqual(search(scene, a.investigator.caller, fresh()), []);
    const [next] = search(scene, a.investigator.caller, fresh());
    assert.deepEqual([next?.day, next?.details.count, next?.details.threshold], ['2025-03-26', 13, 12]);
    assert.equal(scene.alerts.list(a.auditor.caller).alerts.length, 2);
  });

  it('fires above the absolute daily cap whatever the baseline', async () => {
    const scene = await alertScene({ rules: { volume: { minimum: 1000, dailyCap: 20 } } });
    const { a } = scene;
    at(scene, '2025-03-11T10:00:00.000Z');
    scene.env.tenancy.quotas.record(a.investigator.caller, 19);
    assert.deepEqual(search(scene, a.investigator.caller, fresh()), [], '20 is the cap itself');
    const raised = search(scene, a.investigator.caller, fresh());
    assert.deepEqual(
      raised.map((r) => [r.kind, r.details]),
      [['volume-cap', { day: '2025-03-11', count: 21, cap: 20 }]],
    );
  });
});

describe('alerts: searches outside working hours', () => {
  it('default 07:00–20:00 UTC: fires before 07:00 and from 20:00, once per user and day', async () => {
    const scene = await alertScene();
    const { a } = scene;
    at(scene, '2025-03-11T06:59:00.000Z');
    const [early] = search(scene, a.investigator.caller, fresh());
    assert.equal(early?.kind, 'off-hours');
    assert.equal(early?.subject, a.investigator.caller.actor);
    assert.deepEqual(
      { ...early?.details, searchId: undefined },
      { localTime: '06:59', timeZone: 'UTC', startHour: 7, endHour: 20, searchId: undefined },
    );
    assert.match(String(early?.details.searchId), /^[0-9a-f-]{36}$/);

    at(scene, '2025-03-11T07:00:00.000Z');
    assert.deepEqual(search(scene, a.investigator2.caller, fresh()), []);
    at(scene, '2025-03-11T19:59:00.000Z');
    assert.deepEqual(search(scene, a.investigator2.caller, fresh()), []);
    at(scene, '2025-03-11T20:00:00.000Z');
    assert.equal(search(scene, a.investigator2.caller, fresh())[0]?.kind, 'off-hours');
    at(scene, '2025-03-11T21:30:00.000Z');
    assert.deepEqual(search(scene, a.investigator.caller, fresh()), [], 'same user, same day: already open');
    at(scene, '2025-03-12T05:00:00.000Z');
    assert.equal(search(scene, a.investigator.caller, fresh())[0]?.day, '2025-03-12');
  });

  it('reads the hours in the configured time zone', async () => {
    const scene = await alertScene({
      rules: { workingHours: { startHour: 7, endHour: 20, timeZone: 'Europe/Berlin' } },
    });
    const { a } = scene;
    at(scene, '2025-03-11T06:30:00.000Z'); // 07:30 in Berlin
    assert.deepEqual(search(scene, a.investigator.caller, fresh()), []);
    at(scene, '2025-03-11T05:30:00.000Z'); // 06:30 in Berlin
    const [alert] = search(scene, a.investigator.caller, fresh());
    assert.equal(alert?.kind, 'off-hours');
    assert.equal(alert?.details.localTime, '06:30');
    assert.equal(alert?.details.timeZone, 'Europe/Berlin');
  });
});

describe('alerts: burst of searches on one probe', () => {
  it('fires when one probe is searched N times within the window across the org, never across orgs', async () => {
    const scene = await alertScene({ rules: { probeBurst: { count: 3, windowMinutes: 10 } } });
    const { a, b } = scene;
    const p = probe('the same face');
    at(scene, '2025-03-11T10:00:00.000Z');
    assert.deepEqual(search(scene, a.investigator.caller, p), []);
    at(scene, '2025-03-11T10:02:00.000Z');
    assert.deepEqual(search(scene, a.investigator2.caller, p), []);
    at(scene, '2025-03-11T10:03:00.000Z');
    assert.deepEqual(search(scene, b.investigator.caller, p), [], "org B's search does not count for A");
    at(scene, '2025-03-11T10:04:00.000Z');
    const [burst, ...rest] = search(scene, a.investigator.caller, p);
    assert.deepEqual(rest, []);
    assert.equal(burst?.kind, 'probe-burst');
    assert.equal(burst?.orgId, a.orgId);
    assert.equal(burst?.subject, `probe:${p}`);
    assert.deepEqual(burst?.details, {
      count: 3,
      windowMinutes: 10,
      actors: [a.investigator.caller.actor, a.investigator2.caller.actor].sort(),
      firstAt: '2025-03-11T10:00:00.000Z',
    });
    at(scene, '2025-03-11T10:05:00.000Z');
    assert.deepEqual(search(scene, b.investigator.caller, p), [], 'B has 2 within the window');
    assert.deepEqual(scene.alerts.list(b.auditor.caller).alerts, []);

    // Spread out: never three within ten minutes.
    const q = probe('another face');
    for (const time of ['11:00', '11:06', '11:12', '11:18']) {
      at(scene, `2025-03-11T${time}:00.000Z`);
      assert.deepEqual(search(scene, a.investigator.caller, q), [], time);
    }
  });
});

describe('alerts: locked, disabled, revoked or expired accounts', () => {
  it('the sweep raises one alert per account and day from failed logins, and reads each entry once', async () => {
    const scene = await alertScene();
    const { env, a, b } = scene;
    const auth = env.tenancy.auth;
    at(scene, '2025-03-11T10:00:00.000Z');
    for (let i = 0; i < 5; i++) await auth.login({ email: a.investigator.email, password: 'wrong guess' });
    await auth.login({ email: 'nobody@nowhere.example', password: 'x' });
    const before = scene.alerts.scan();
    assert.ok(before.scanned >= 6);
    assert.deepEqual(before.raised, [], 'bad passwords and unknown users are not account-state alerts');

    env.clock.advance(60);
    const locked = await auth.login({ email: a.investigator.email, password: PASSWORD });
    assert.equal(locked.ok, false);
    env.tenancy.forCaller(a.adminCaller).users.disable(a.investigator2.userId);
    const disabled = await auth.login({ email: a.investigator2.email, password: PASSWORD });
    assert.deepEqual(disabled, { ok: false, reason: 'disabled' });
    const keys = env.tenancy.forCaller(b.adminCaller).apiKeys;
    const expiring = keys.create({ role: 'investigator', expiresInDays: 1 });
    const revoked = keys.create({ role: 'investigator' });
    keys.revoke(revoked.key.id);
    assert.equal(auth.authenticateApiKey(revoked.token).ok, false);
    env.clock.advance(2 * 86_400);
    assert.deepEqual(auth.authenticateApiKey(expiring.token), { ok: false, reason: 'expired' });

    const { raised } = scene.alerts.scan();
    const seen = raised.map((r) => [r.orgId, r.kind, r.subject, r.details]);
    assert.deepEqual(
      seen.sort((x, y) => String(x[2]).localeCompare(String(y[2]))),
      [
        [b.orgId, 'inactive-account', `apikey:${expiring.key.id}`, { source: 'login', reason: 'expired' }],
        [b.orgId, 'inactive-account', `apikey:${revoked.key.id}`, { source: 'login', reason: 'disabled' }],
        [a.orgId, 'inactive-account', `user:${a.investigator.userId}`, { source: 'login', reason: 'locked' }],
        [
          a.orgId,
          'inactive-account',
          `user:${a.investigator2.userId}`,
          { source: 'login', reason: 'disabled' },
        ],
      ].sort((x, y) => String(x[2]).localeCompare(String(y[2]))),
    );
    assert.deepEqual(scene.alerts.scan(), { scanned: 0, raised: [] }, 'a second sweep has nothing new');
    assert.equal(auth.authenticateApiKey(expiring.token).ok, false);
    const again = scene.alerts.scan();
    assert.equal(again.scanned, 1);
    assert.deepEqual(again.raised, [], 'the open alert for that key covers the day');
  });

  it('a search by an account disabled after it authenticated raises an alert at once', async () => {
    const scene = await alertScene();
    const { env, b } = scene;
    at(scene, '2025-03-11T10:00:00.000Z');
    const caller = b.investigator.caller;
    env.tenancy.forCaller(b.adminCaller).users.disable(b.investigator.userId);
    const raised = search(scene, caller, fresh());
    assert.deepEqual(
      raised.map((r) => [r.kind, r.subject, r.details.source, r.details.reason]),
      [['inactive-account', caller.actor, 'search', 'disabled']],
    );
    assert.deepEqual(search(scene, b.investigator2.caller, fresh()), [], 'an active account: nothing');
  });
});

describe('alerts: the sweep and acknowledgement', () => {
  it('the sweep catches searches the hook never saw, without duplicating what the hook raised', async () => {
    const scene = await alertScene();
    const { a } = scene;
    at(scene, '2025-03-11T05:00:00.000Z');
    search(scene, a.investigator.caller, fresh(), { hook: false });
    assert.equal(search(scene, a.investigator2.caller, fresh()).length, 1);
    assert.equal(scene.alerts.list(a.auditor.caller).alerts.length, 1);
    const { raised } = scene.alerts.scan();
    assert.deepEqual(
      raised.map((r) => [r.kind, r.subject]),
      [['off-hours', a.investigator.caller.actor]],
    );
    assert.equal(scene.alerts.list(a.auditor.caller).alerts.length, 2);
  });

  it('the sweep steps over entries whose details it cannot read (sealed) and carries on', async () => {
    const scene = await alertScene();
    const { env, a } = scene;
    at(scene, '2025-03-11T05:00:00.000Z');
    const sealing = new AuditLog(env.db, env.clock, undefined, {
      sealDetails: ({ plaintext }) => `sealed:${Buffer.from(plaintext).toString('base64')}`,
    });
    sealing.append({
      type: 'search.run',
      orgId: a.orgId,
      actor: a.investigator2.caller.actor,
      details: {
        searchId: 's-sealed',
        caseNumber: 'x',
        purpose: 'y',
        galleries: ['g'],
        probeSha256: fresh(),
        resultCount: 0,
        topSimilarity: null,
        outcome: 'ok',
      },
    });
    search(scene, a.investigator.caller, fresh(), { hook: false });
    const { scanned, raised } = scene.alerts.scan();
    assert.equal(scanned, 2);
    assert.deepEqual(
      raised.map((r) => r.subject),
      [a.investigator.caller.actor],
    );
  });

  it("an auditor acknowledges their org's alert (audited); what came before does not re-raise it, what comes after does", async () => {
    const scene = await alertScene();
    const { env, a, b } = scene;
    at(scene, '2025-03-11T05:00:00.000Z');
    const [alert] = search(scene, a.investigator.caller, fresh(), { hook: true });
    assert.ok(alert);
    search(scene, a.investigator.caller, fresh(), { hook: false }); // seen only by the sweep, later

    forbidden(() => scene.alerts.acknowledge(a.investigator.caller, alert.id), 'alerts.ack');
    forbidden(() => scene.alerts.acknowledge(a.adminCaller, alert.id), 'alerts.ack');
    code(() => scene.alerts.acknowledge(b.auditor.caller, alert.id), 'NOT_FOUND');
    code(() => scene.alerts.get(b.auditor.caller, alert.id), 'NOT_FOUND');

    at(scene, '2025-03-11T05:10:00.000Z');
    const acked = scene.alerts.acknowledge(a.auditor.caller, alert.id);
    assert.equal(acked.acknowledgedAt, '2025-03-11T05:10:00.000Z');
    assert.equal(acked.acknowledgedBy, a.auditor.caller.actor);
    assert.deepEqual(scene.alerts.get(a.auditor.caller, alert.id), acked);
    code(() => scene.alerts.acknowledge(a.auditor.caller, alert.id), 'CONFLICT');
    const entry = env.audit.query({ types: ['alert.acknowledged'] }).entries;
    assert.equal(entry.length, 1);
    assert.equal(entry[0]?.orgId, a.orgId);
    assert.equal(entry[0]?.actor, a.auditor.caller.actor);
    assert.deepEqual(JSON.parse(entry[0]?.details ?? '{}'), { alertId: alert.id, kind: 'off-hours' });

    assert.deepEqual(scene.alerts.scan().raised, [], 'searches before the acknowledgement were acknowledged');
    at(scene, '2025-03-11T05:20:00.000Z');
    const [next] = search(scene, a.investigator.caller, fresh());
    assert.equal(next?.kind, 'off-hours', 'a new off-hours search after the acknowledgement');
    assert.deepEqual(
      scene.alerts.list(a.auditor.caller, { status: 'open' }).alerts.map((x) => x.id),
      [next?.id],
    );
    assert.equal(scene.alerts.list(a.auditor.caller, { status: 'acknowledged' }).alerts[0]?.id, alert.id);
  });
});

describe('alerts: who sees them', () => {
  it("an org's auditors see their org's alerts only; nobody else reads them; no case number or e-mail inside", async () => {
    const scene = await alertScene();
    const { a, b, platform } = scene;
    at(scene, '2025-03-11T05:00:00.000Z');
    search(scene, a.investigator.caller, fresh());
    search(scene, a.investigator2.caller, fresh());
    search(scene, b.investigator.caller, fresh());

    const seenByA = scene.alerts.list(a.auditor.caller).alerts;
    assert.equal(seenByA.length, 2);
    assert.ok(seenByA.every((x) => x.orgId === a.orgId));
    const seenByB = scene.alerts.list(b.auditor.caller).alerts;
    assert.deepEqual(
      seenByB.map((x) => [x.orgId, x.subject]),
      [[b.orgId, b.investigator.caller.actor]],
    );

    forbidden(() => scene.alerts.list(a.investigator.caller), 'alerts.read');
    forbidden(() => scene.alerts.list(a.adminCaller), 'alerts.read');
    forbidden(() => scene.alerts.list(platform.caller), 'alerts.read');
    forbidden(() => scene.alerts.get(a.investigator.caller, seenByA[0]?.id ?? ''), 'alerts.read');

    const first = scene.alerts.list(a.auditor.caller, { limit: 1 });
    assert.equal(first.alerts.length, 1);
    assert.ok(first.nextCursor);
    const second = scene.alerts.list(a.auditor.caller, { limit: 1, cursor: first.nextCursor });
    assert.equal(second.alerts.length, 1);
    assert.notEqual(second.alerts[0]?.id, first.alerts[0]?.id);
    assert.equal(second.nextCursor, null);

    const raw = JSON.stringify(allAlertRows(scene));
    for (const secret of [CASE_MARKER, PURPOSE_MARKER, a.investigator.email, b.investigator.email, '@'])
      assert.ok(!raw.includes(secret), `alerts hold no ${secret}`);
  });
});

describe('alerts: webhook', () => {
  it('POSTs only { id, orgId, kind, at } for each new alert, and a dead receiver fails nothing', async () => {
    const bodies: unknown[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        bodies.push({ contentType: req.headers['content-type'], body: JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const warnings: string[] = [];
      const scene = await alertScene({
        webhook: { url: `http://127.0.0.1:${port}/hook`, timeoutMs: 2000 },
        logger: { warn: (_fields, message) => warnings.push(message) },
      });
      at(scene, '2025-03-11T05:00:00.000Z');
      const [alert] = search(scene, scene.a.investigator.caller, fresh());
      search(scene, scene.a.investigator.caller, fresh()); // deduplicated: no second POST
      await scene.alerts.drain();
      assert.deepEqual(bodies, [
        {
          contentType: 'application/json',
          body: { id: alert?.id, orgId: scene.a.orgId, kind: 'off-hours', at: '2025-03-11T05:00:00.000Z' },
        },
      ]);
      assert.deepEqual(warnings, []);
    } finally {
      server.close();
    }
  });
});
