import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { readDetails } from './audit-event.js';
import {
  connect,
  type Db,
  FakeClock,
  ORGS,
  openAuditDb,
  orgFor,
  sampleEvent,
  searchEvent,
  tempDir,
} from './audit-fixtures.js';
import { AuditLog } from './audit-log.js';
import type { AuditEntryRow } from './audit-schema.js';
import { computeEntryHash, GENESIS_HASH } from './canonical.js';
import { type CheckpointSigner, loadOrCreateSigningKey } from './checkpoint-signer.js';
import { readCheckpointWitness } from './checkpoint-witness.js';

function setup(options: { checkpointEvery?: number; signer?: CheckpointSigner | null; path?: string } = {}) {
  const dir = tempDir();
  const db = openAuditDb(options.path ?? ':memory:');
  const clock = new FakeClock();
  const signer =
    options.signer === null
      ? undefined
      : (options.signer ?? loadOrCreateSigningKey(join(dir, 'keys', 'audit.key')));
  const log = new AuditLog(db, clock, signer, { checkpointEvery: options.checkpointEvery ?? 100 });
  return { dir, db, clock, signer, log };
}

function fill(log: AuditLog, clock: FakeClock, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    log.append(sampleEvent(i));
    clock.advance(60_000);
  }
}

function count(db: Db, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('AuditLog.append + verify', () => {
  it('chains 1000 entries across 3 orgs and platform events; every chain verifies', () => {
    const { db, clock, log } = setup();
    fill(log, clock, 1000);

    const report = log.verify();
    assert.equal(report.ok, true, report.firstBad?.message);
    assert.equal(report.checked, 1000);
    assert.equal(report.head?.seq, 1000);
    assert.equal(report.checkpoints.total, 10, 'a checkpoint every 100 entries');
    assert.equal(report.checkpoints.signaturesChecked, true);

    for (const orgId of ORGS) {
      const org = log.verify({ orgId });
      assert.equal(org.ok, true, org.firstBad?.message);
      assert.equal(org.checked, 250);
      assert.equal(org.head?.orgSeq, 250);
    }
    const seqs = db.prepare('SELECT seq FROM audit_entries ORDER BY seq').pluck().all() as number[];
    assert.deepEqual(
      seqs,
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
  });

  it('links each entry to the previous one globally and within its org', () => {
    const { db, clock, log } = setup();
    fill(log, clock, 12);
    const rows = db.prepare('SELECT * FROM audit_entries ORDER BY seq').all() as AuditEntryRow[];
    assert.equal(rows[0]?.prev_hash, GENESIS_HASH);
    const lastByOrg = new Map<string, string>();
    rows.forEach((row, i) => {
      if (i > 0) assert.equal(row.prev_hash, rows[i - 1]?.hash);
      assert.equal(row.org_id, orgFor(i));
      if (row.org_id !== null) {
        assert.equal(row.org_prev_hash, lastByOrg.get(row.org_id) ?? GENESIS_HASH);
        lastByOrg.set(row.org_id, row.hash);
      } else assert.equal(row.org_prev_hash, null);
    });
  });

  it('returns the stored entry, timed by the injected clock, with a UUIDv7 id', () => {
    const { clock, log } = setup();
    clock.advance(1234);
    const entry = log.append(searchEvent('org-alpha', 1));
    assert.equal(entry.at, '2025-01-01T00:00:01.234Z');
    assert.match(entry.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(entry.hash, computeEntryHash(entry));
    assert.deepEqual([entry.seq, entry.orgSeq], [1, 1]);
    const details = readDetails({ type: 'search.run', details: entry.details });
    assert.ok(!details.sealed && details.details.caseNumber === 'CASE-1001');
  });

  it('refuses invalid events and stores nothing for them', () => {
    const { db, log } = setup();
    const event = searchEvent('org-alpha', 1);
    assert.throws(() => log.append({ ...event, details: { ...event.details, email: 'a@b.c' } } as never), {
      code: 'BAD_INPUT',
    });
    assert.throws(() => log.append({ ...event, actor: 'nobody' }), { code: 'BAD_INPUT' });
    assert.equal(count(db, 'audit_entries'), 0);
  });

  it('commits and rolls back with the caller transaction', () => {
    const { db, log } = setup();
    log.append(searchEvent('org-alpha', 0));
    assert.throws(() =>
      db.transaction(() => {
        log.append(searchEvent('org-alpha', 1));
        throw new Error('the search itself failed');
      })(),
    );
    db.transaction(() => log.append(searchEvent('org-alpha', 2)))();
    assert.equal(count(db, 'audit_entries'), 2);
    assert.equal(log.verify().ok, true);
  });

  it('stores sealed details verbatim and verifies them without any decryption key', () => {
    const db = openAuditDb();
    const sealed = new AuditLog(db, new FakeClock(), undefined, {
      sealDetails: ({ type, plaintext }) =>
        type === 'search.run' ? `v1.1.${Buffer.from(plaintext).toString('base64url')}` : plaintext,
    });
    const entry = sealed.append(searchEvent('org-alpha', 1));
    sealed.append(sampleEvent(1));
    assert.match(entry.details, /^v1\.1\./);
    assert.deepEqual(readDetails(entry), { sealed: true, text: entry.details });
    const plainReader = new AuditLog(db, new FakeClock());
    assert.equal(plainReader.verify().ok, true);

    const bad = new AuditLog(openAuditDb(), new FakeClock(), undefined, { sealDetails: () => '{"fake":1}' });
    assert.throws(() => bad.append(searchEvent('org-alpha', 1)), { code: 'INTERNAL' });
  });

  it('refuses UPDATE and DELETE of entries and checkpoints through the app connection', () => {
    const { db, clock, log } = setup({ checkpointEvery: 5 });
    fill(log, clock, 10);
    assert.throws(
      () => db.prepare("UPDATE audit_entries SET actor = 'system' WHERE seq = 3").run(),
      /append-only/,
    );
    assert.throws(() => db.prepare('DELETE FROM audit_entries WHERE seq = 10').run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_entries').run(), /append-only/);
    assert.throws(() => db.prepare("UPDATE audit_checkpoints SET signature = 'x'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_checkpoints').run(), /append-only/);
    assert.equal(count(db, 'audit_entries'), 10);
    assert.equal(log.verify().ok, true);
  });
});

describe('AuditLog.checkpoint', () => {
  it('signs the head on demand, once per head, and records every org head', () => {
    const { clock, log } = setup({ checkpointEvery: 0 });
    assert.equal(log.checkpoint(), null, 'nothing to sign in an empty log');
    fill(log, clock, 7);
    const first = log.checkpoint();
    assert.equal(first?.seq, 7);
    assert.deepEqual(log.checkpoint(), first, 'same head, same checkpoint');
    const heads = JSON.parse(first?.orgHeads ?? '{}') as Record<string, [number, string]>;
    assert.deepEqual(Object.fromEntries(Object.entries(heads).map(([org, [orgSeq]]) => [org, orgSeq])), {
      'org-alpha': 2,
      'org-bravo': 2,
      'org-charlie': 1,
    });
    fill(log, clock, 3, 7);
    assert.equal(log.checkpoint()?.seq, 10);
    assert.equal(log.verify().checkpoints.trusted, 2);
  });

  it('copies each committed checkpoint to the witness file, never one that was rolled back', () => {
    const dir = tempDir();
    const witnessPath = join(dir, 'witness.json');
    const db = openAuditDb();
    const clock = new FakeClock();
    const log = new AuditLog(db, clock, loadOrCreateSigningKey(join(dir, 'k.key')), {
      checkpointEvery: 5,
      witnessPath,
    });
    fill(log, clock, 5);
    assert.equal(readCheckpointWitness(witnessPath)?.seq, 5);
    fill(log, clock, 4, 5);
    assert.throws(() =>
      db.transaction(() => {
        log.append(sampleEvent(9)); // seq 10 would be checkpointed…
        throw new Error('…but the caller rolls back');
      })(),
    );
    assert.equal(readCheckpointWitness(witnessPath)?.seq, 5);
    fill(log, clock, 1, 9);
    assert.deepEqual(readCheckpointWitness(witnessPath), log.checkpoint());
    assert.equal(log.verify().ok, true);
  });

  it('needs the signing key', () => {
    const { log } = setup({ signer: null });
    log.append(searchEvent('org-alpha', 1));
    assert.throws(() => log.checkpoint(), { code: 'BAD_INPUT' });
    assert.equal(log.verify().checkpoints.signaturesChecked, false);
  });
});

describe('AuditLog.query and exportJsonl', () => {
  const { clock, log } = setup();
  fill(log, clock, 200); // 2025-01-01T00:00 + one minute per entry

  it('filters by org, platform, type, actor and time, newest first by default', () => {
    const alpha = log.query({ orgId: 'org-alpha', limit: 1000 });
    assert.equal(alpha.entries.length, 50);
    assert.ok(alpha.entries.every((e) => e.orgId === 'org-alpha'));
    assert.ok((alpha.entries[0]?.seq ?? 0) > (alpha.entries[1]?.seq ?? 0));

    assert.equal(log.query({ orgId: null, limit: 1000 }).entries.length, 50);

    const searches = log.query({ types: ['search.run'], limit: 1000 }).entries;
    assert.ok(searches.length > 0 && searches.every((e) => e.type === 'search.run'));
    const twoTypes = log.query({ types: ['search.run', 'config.changed'], limit: 1000 }).entries;
    assert.ok(twoTypes.length > searches.length);

    const byActor = log.query({ actor: 'cli:root', limit: 1000 }).entries;
    assert.equal(byActor.length, 25);

    const window = log.query({
      from: '2025-01-01T01:00:00.000Z',
      to: new Date('2025-01-01T01:10:00.000Z'),
      order: 'asc',
    });
    assert.deepEqual(
      window.entries.map((e) => e.seq),
      Array.from({ length: 10 }, (_, i) => 61 + i),
    );

    const combined = log.query({
      orgId: 'org-bravo',
      types: ['search.run'],
      from: '2025-01-01T02:00:00Z',
    }).entries;
    assert.ok(
      combined.every((e) => e.orgId === 'org-bravo' && e.type === 'search.run' && e.at >= '2025-01-01T02:00'),
    );
  });

  it('pages with an opaque cursor in both directions', () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = log.query({ orgId: 'org-charlie', limit: 7, cursor, order });
        seen.push(...page.entries.map((e) => e.seq));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(seen.length, 50);
      assert.equal(new Set(seen).size, 50);
      const sorted = [...seen].sort((a, b) => (order === 'asc' ? a - b : b - a));
      assert.deepEqual(seen, sorted);
    }
  });

  it('refuses bad limits, cursors, times and types', () => {
    assert.throws(() => log.query({ limit: 0 }), { code: 'BAD_INPUT' });
    assert.throws(() => log.query({ limit: 1001 }), { code: 'BAD_INPUT' });
    assert.throws(() => log.query({ cursor: 'garbage' }), { code: 'BAD_INPUT' });
    const asc = log.query({ limit: 1, order: 'asc' }).nextCursor ?? '';
    assert.throws(() => log.query({ cursor: asc, order: 'desc' }), { code: 'BAD_INPUT' });
    assert.throws(() => log.query({ from: 'yesterday-ish' }), { code: 'BAD_INPUT' });
    assert.throws(() => log.query({ types: ['search.deleted' as never] }), { code: 'BAD_INPUT' });
  });

  it('exports JSONL, oldest first, that re-verifies from the lines alone', () => {
    const lines: string[] = [];
    const n = log.exportJsonl({}, (line) => lines.push(line));
    assert.equal(n, 200);
    assert.ok(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n')));
    let prev = GENESIS_HASH;
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.equal(entry.hash, computeEntryHash(entry));
      assert.equal(entry.prevHash, prev);
      prev = entry.hash;
    }
    const alpha: string[] = [];
    assert.equal(
      log.exportJsonl({ orgId: 'org-alpha' }, (line) => alpha.push(line)),
      50,
    );
    assert.ok(alpha.every((line) => JSON.parse(line).orgId === 'org-alpha'));
  });
});

describe('AuditLog retention', () => {
  function aged() {
    const ctx = setup({ checkpointEvery: 25 });
    // 100 entries over 100 days, then a year and a half of quiet.
    for (let i = 0; i < 100; i++) {
      ctx.log.append(sampleEvent(i));
      ctx.clock.advanceDays(1);
    }
    ctx.clock.advanceDays(360);
    return ctx;
  }

  it('keeps at least a year: a too-recent cutoff and a short retention setting are refused', () => {
    const { db, clock, log } = aged();
    assert.throws(() => log.purgeOlderThan(new Date(clock.now().getTime() - 300 * 86_400_000)), {
      code: 'BAD_INPUT',
    });
    assert.throws(() => new AuditLog(db, clock, undefined, { retentionDays: 30 }), { code: 'BAD_INPUT' });
    // Entries are 361–460 days old: the default retention (400 days) removes the 60 oldest.
    const result = log.purgeExpired();
    assert.equal(result.purged, 60);
    assert.equal(result.throughSeq, 60);
    assert.equal(log.verify().ok, true);
  });

  it('removes only an old prefix, records it, and verification still passes from the anchor', () => {
    const { db, clock, log } = aged();
    const before = db.prepare('SELECT hash FROM audit_entries WHERE seq = 40').pluck().get();
    const cutoff = new Date(clock.now().getTime() - 420 * 86_400_000); // entries of the first 40 days
    const result = log.purgeOlderThan(cutoff, 'cli:root');
    assert.equal(result.purged, 40);
    assert.equal(result.throughSeq, 40);
    assert.equal(result.anchorHash, before);
    assert.equal(result.entry?.type, 'retention.purge');
    assert.equal(result.entry?.seq, 101);
    assert.equal(result.checkpoint?.baseSeq, 40);
    const details = result.entry && readDetails(result.entry);
    assert.ok(details && !details.sealed);
    assert.deepEqual(details.details, {
      scope: 'audit',
      before: cutoff.toISOString(),
      purgedCount: 40,
      throughSeq: 40,
      anchorHash: before,
    });
    assert.equal(db.prepare('SELECT MIN(seq) FROM audit_entries').pluck().get(), 41);

    const report = log.verify();
    assert.equal(report.ok, true, report.firstBad?.message);
    assert.equal(report.base.seq, 40);
    assert.equal(report.checked, 61);
    for (const orgId of ORGS) assert.equal(log.verify({ orgId }).ok, true, orgId);

    fill(log, clock, 30, 100);
    assert.equal(log.verify().ok, true);
    for (const orgId of ORGS) assert.equal(log.verify({ orgId }).ok, true, orgId);
    assert.throws(
      () => db.prepare('DELETE FROM audit_entries WHERE seq = 41').run(),
      /append-only/,
      'trigger is back',
    );
  });

  it('purges everything old, then continues every chain (global and org) from the anchor', () => {
    const { db, clock, log } = aged();
    clock.advanceDays(200);
    const result = log.purgeExpired();
    assert.equal(result.purged, 100);
    assert.equal(count(db, 'audit_entries'), 1, 'only the purge record');
    assert.equal(log.verify().ok, true);
    const next = log.append(searchEvent('org-alpha', 1));
    assert.equal(next.seq, 102);
    assert.equal(next.orgSeq, 26, 'org-alpha had 25 entries before the purge');
    const alpha = log.verify({ orgId: 'org-alpha' });
    assert.equal(alpha.ok, true, alpha.firstBad?.message);
    assert.equal(alpha.base.orgSeq, 25);
    assert.equal(log.verify().ok, true);
    assert.equal(log.purgeExpired().purged, 0, 'nothing more is due');
  });

  it('refuses to purge without the signing key or when the log fails verification', () => {
    const unsigned = setup({ signer: null });
    unsigned.log.append(searchEvent('org-alpha', 1));
    unsigned.clock.advanceDays(800);
    assert.throws(() => unsigned.log.purgeExpired(), { code: 'BAD_INPUT' });

    const { db, log } = aged();
    db.exec('DROP TRIGGER audit_entries_no_update');
    db.prepare("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = 5").run();
    assert.throws(() => log.purgeExpired(), /fails verification/);
    assert.equal(count(db, 'audit_entries'), 100, 'evidence preserved');
  });
});

describe('AuditLog concurrency', () => {
  it('keeps both chains gap-free under concurrent appends from worker threads', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'audit.db');
    const keyPath = join(dir, 'keys', 'audit.key');
    openAuditDb(dbPath).close();
    const signer = loadOrCreateSigningKey(keyPath);
    const workers = ORGS.map(
      (orgId, w) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(new URL('./append-worker.fixture.js', import.meta.url), {
            workerData: { dbPath, keyPath, orgId: w === 2 ? ORGS[0] : orgId, count: 150 },
          });
          worker.once('error', reject);
          worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exit ${code}`))));
        }),
    );
    await Promise.all(workers);
    const shared = connect(dbPath);
    const log = new AuditLog(shared, new FakeClock(), signer);
    const report = log.verify();
    assert.equal(report.ok, true, report.firstBad?.message);
    assert.equal(report.checked, 450);
    assert.equal(log.verify({ orgId: ORGS[0] }).checked, 300, 'two writers shared one org chain');
    assert.ok(report.checkpoints.total >= 10);
    shared.close();
  });
});
