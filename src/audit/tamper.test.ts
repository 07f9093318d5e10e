/**
 * Tamper tests: an attacker with the SQLite file drops the triggers and edits, deletes, inserts or
 * reorders rows with raw SQL (recomputing hashes where that helps them). Verification must fail and
 * name the row.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect, type Db, FakeClock, openAuditDb, orgFor, sampleEvent, tempDir } from './audit-fixtures.js';
import { AuditLog } from './audit-log.js';
import { type AuditEntryRow, rowToEntry } from './audit-schema.js';
import { checkpointSigningInput, computeEntryHash, sha256Hex } from './canonical.js';
import {
  Ed25519CheckpointSigner,
  loadOrCreateSigningKey,
  loadPublicKey,
  publicKeyPath,
} from './checkpoint-signer.js';
import type { VerifyFailureReason, VerifyReport } from './verify.js';
import { verifyAuditChain } from './verify.js';

const ENTRIES = 200;

function scene(options: { witness?: boolean } = {}) {
  const dir = tempDir();
  const dbPath = join(dir, 'faceledger.db');
  const keyPath = join(dir, 'keys', 'audit.key');
  const db = openAuditDb(dbPath);
  const clock = new FakeClock();
  const log = new AuditLog(db, clock, loadOrCreateSigningKey(keyPath), {
    checkpointEvery: 50,
    witnessPath: options.witness ? join(dir, 'keys', 'audit-checkpoint.json') : undefined,
  });
  for (let i = 0; i < ENTRIES; i++) {
    log.append(sampleEvent(i));
    clock.advance(1000);
  }
  assert.equal(log.verify().ok, true);
  /** Runs raw SQL on a second connection, as someone holding the file would, triggers dropped first. */
  const attack = (fn: (raw: Db) => void) => {
    const raw = connect(dbPath);
    raw.exec(`
      DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete;
      DROP TRIGGER IF EXISTS audit_checkpoints_no_update; DROP TRIGGER IF EXISTS audit_checkpoints_no_delete;`);
    raw.transaction(() => fn(raw))();
    raw.close();
  };
  return { dir, db, dbPath, keyPath, clock, log, attack };
}

function row(db: Db, seq: number): AuditEntryRow {
  const found = db.prepare('SELECT * FROM audit_entries WHERE seq = ?').get(seq) as AuditEntryRow | undefined;
  assert.ok(found, `row ${seq}`);
  return found;
}

/** What a careful attacker does after editing a row: recompute its hash so it is self-consistent. */
function rehash(raw: Db, seq: number): void {
  raw
    .prepare('UPDATE audit_entries SET hash = ? WHERE seq = ?')
    .run(computeEntryHash(rowToEntry(row(raw, seq))), seq);
}

/** Moves rows with seq >= from by delta (through a far offset, so the primary key never collides). */
function renumber(raw: Db, from: number, delta: number): void {
  raw.prepare('UPDATE audit_entries SET seq = seq + 1000000 WHERE seq >= ?').run(from);
  raw.prepare('UPDATE audit_entries SET seq = seq - 1000000 + ? WHERE seq >= 1000000').run(delta);
}

function expectBad(
  report: VerifyReport,
  reason: VerifyFailureReason,
  seq: number | null,
  id?: string | null,
): void {
  assert.equal(report.ok, false, 'verification must fail');
  assert.equal(report.firstBad?.reason, reason, report.firstBad?.message);
  assert.equal(report.firstBad?.seq, seq, report.firstBad?.message);
  if (id !== undefined) assert.equal(report.firstBad?.id, id);
}

/** First seq (1-based) whose entry belongs to `org`, at or after `from`. */
function seqOfOrg(org: string | null, from: number): number {
  let seq = from;
  while (orgFor(seq - 1) !== org) seq++;
  return seq;
}

describe('tampering with audit_entries', () => {
  it('edit a detail → modified, naming the row', () => {
    const { db, log, attack } = scene();
    const target = row(db, 76); // a search: change its case number
    attack((raw) =>
      raw
        .prepare('UPDATE audit_entries SET details = replace(details, ?, ?) WHERE seq = 76')
        .run('CASE-', 'XASE-'),
    );
    assert.notEqual(row(db, 76).details, target.details);
    expectBad(log.verify(), 'modified', 76, target.id);
  });

  it('edit the actor and time of an org entry → modified, also in that org-only check', () => {
    const { db, log, attack } = scene();
    const seq = seqOfOrg('org-bravo', 90);
    attack((raw) =>
      raw
        .prepare("UPDATE audit_entries SET actor = 'system', at = ? WHERE seq = ?")
        .run('2020-01-01T00:00:00.000Z', seq),
    );
    expectBad(log.verify(), 'modified', seq, row(db, seq).id);
    expectBad(log.verify({ orgId: 'org-bravo' }), 'modified', seq);
    assert.equal(log.verify({ orgId: 'org-alpha' }).ok, true, 'other orgs are untouched');
  });

  it('edit a row and recompute its hash → its successors still name the original: modified', () => {
    const { db, log, attack } = scene();
    const seq = seqOfOrg('org-alpha', 100);
    attack((raw) => {
      raw.prepare("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = ?").run(seq);
      rehash(raw, seq);
    });
    expectBad(log.verify(), 'modified', seq, row(db, seq).id);
  });

  it('delete a row → deleted, naming its seq', () => {
    const { log, attack } = scene();
    attack((raw) => raw.prepare('DELETE FROM audit_entries WHERE seq = 120').run());
    const report = log.verify();
    expectBad(report, 'deleted', 120, null);
    assert.equal(report.checked, 119);
  });

  it('delete rows and renumber the rest to close the gap → deleted', () => {
    const { log, attack } = scene();
    attack((raw) => {
      raw.prepare('DELETE FROM audit_entries WHERE seq IN (120, 121)').run();
      renumber(raw, 122, -2);
    });
    expectBad(log.verify(), 'deleted', 120, null);
  });

  it('delete the first rows without a purge → deleted from seq 1', () => {
    const { log, attack } = scene();
    attack((raw) => raw.prepare('DELETE FROM audit_entries WHERE seq <= 3').run());
    expectBad(log.verify(), 'deleted', 1, null);
  });

  it('insert a forged row with a recomputed hash but a wrong link → inserted, naming it', () => {
    const { db, log, attack } = scene();
    const forged = {
      ...rowToEntry(row(db, 200)),
      seq: 201,
      id: '01900000-0000-7000-8000-0000000000ff',
      actor: 'user:nobody',
      prevHash: sha256Hex('not the real head'),
      orgSeq: null,
      orgId: null,
      orgPrevHash: null,
    };
    attack((raw) =>
      raw
        .prepare(
          `INSERT INTO audit_entries (seq, id, org_id, org_seq, actor, at, type, details, prev_hash, org_prev_hash, hash)
           VALUES (@seq, @id, @orgId, @orgSeq, @actor, @at, @type, @details, @prevHash, @orgPrevHash, @hash)`,
        )
        .run({ ...forged, hash: computeEntryHash(forged) }),
    );
    expectBad(log.verify(), 'inserted', 201, forged.id);
  });

  it('insert a forged row in the middle, shifting the rest up, even correctly linked → inserted', () => {
    const { db, log, attack } = scene();
    const forged = {
      ...rowToEntry(row(db, 100)),
      id: '01900000-0000-7000-8000-0000000000fe',
      orgId: null,
      orgSeq: null,
      orgPrevHash: null,
      type: 'config.changed' as const,
      details: '{"changes":[{"key":"audit.enabled","to":"false"}]}',
      prevHash: row(db, 99).hash,
    };
    attack((raw) => {
      renumber(raw, 100, 1);
      raw
        .prepare(
          `INSERT INTO audit_entries (seq, id, org_id, org_seq, actor, at, type, details, prev_hash, org_prev_hash, hash)
           VALUES (@seq, @id, @orgId, @orgSeq, @actor, @at, @type, @details, @prevHash, @orgPrevHash, @hash)`,
        )
        .run({ ...forged, hash: computeEntryHash(forged) });
    });
    expectBad(log.verify(), 'inserted', 100, forged.id);
  });

  it('swap two rows’ seqs → reordered, naming the first', () => {
    const { db, log, attack } = scene();
    const movedIn = row(db, 150).id;
    attack((raw) => {
      raw.prepare('UPDATE audit_entries SET seq = 999999 WHERE seq = 30').run();
      raw.prepare('UPDATE audit_entries SET seq = 30 WHERE seq = 150').run();
      raw.prepare('UPDATE audit_entries SET seq = 150 WHERE seq = 999999').run();
    });
    expectBad(log.verify(), 'reordered', 30, movedIn);
  });

  it('swap two neighbours → reordered', () => {
    const { log, attack } = scene();
    attack((raw) => {
      raw.prepare('UPDATE audit_entries SET seq = 999999 WHERE seq = 60').run();
      raw.prepare('UPDATE audit_entries SET seq = 60 WHERE seq = 61').run();
      raw.prepare('UPDATE audit_entries SET seq = 61 WHERE seq = 999999').run();
    });
    expectBad(log.verify(), 'reordered', 60);
  });

  it('swap two rows and recompute both hashes → reordered (the links give it away)', () => {
    const { log, attack } = scene();
    attack((raw) => {
      raw.prepare('UPDATE audit_entries SET seq = 999999 WHERE seq = 40').run();
      raw.prepare('UPDATE audit_entries SET seq = 40 WHERE seq = 45').run();
      raw.prepare('UPDATE audit_entries SET seq = 45 WHERE seq = 999999').run();
      rehash(raw, 40);
      rehash(raw, 45);
    });
    expectBad(log.verify(), 'reordered', 40);
  });

  it('delete the last 5 rows (tail truncation) → truncated, caught by the signed checkpoint', () => {
    const { log, attack } = scene();
    attack((raw) => raw.prepare('DELETE FROM audit_entries WHERE seq > 195').run());
    const report = log.verify();
    expectBad(report, 'truncated', 196, null);
    assert.equal(report.checked, 195);
  });

  it('truncate the tail and delete the checkpoints that cover it → still caught by the witness file', () => {
    const { log, attack } = scene({ witness: true });
    attack((raw) => {
      raw.prepare('DELETE FROM audit_entries WHERE seq > 195').run();
      raw.prepare('DELETE FROM audit_checkpoints WHERE seq > 195').run();
    });
    expectBad(log.verify(), 'truncated', 196, null);
  });

  it('a damaged witness file → reported, since it can no longer vouch for the tail', () => {
    const { dir, log } = scene({ witness: true });
    writeFileSync(join(dir, 'keys', 'audit-checkpoint.json'), '{"seq": 2');
    const report = log.verify();
    expectBad(report, 'bad-signature', null);
    assert.match(report.firstBad?.message ?? '', /witness/);
  });

  it('rewrite the tail consistently (re-appending forged entries) → rewritten at the signed head', () => {
    const { db, dbPath, log, attack } = scene();
    attack((raw) => raw.prepare('DELETE FROM audit_entries WHERE seq > 180').run());
    // The attacker has the code but not the key: a log without a signer re-fills seqs 181–200.
    const raw = connect(dbPath);
    const forger = new AuditLog(raw, new FakeClock('2025-02-01T00:00:00.000Z'));
    for (let i = 180; i < 200; i++) forger.append(sampleEvent(i));
    raw.close();
    assert.equal(db.prepare('SELECT MAX(seq) FROM audit_entries').pluck().get(), 200);
    expectBad(log.verify(), 'rewritten', 200);
  });

  it('remove an org’s last entries → the org-only check reports truncated via the checkpoint’s org heads', () => {
    const { log, attack } = scene();
    const last = seqOfOrg('org-charlie', 197); // org-charlie's last entry: seq 200, org position 50
    attack((raw) => raw.prepare('DELETE FROM audit_entries WHERE seq = ?').run(last));
    expectBad(log.verify(), 'truncated', last, null);
    const org = log.verify({ orgId: 'org-charlie' });
    expectBad(org, 'truncated', null);
    assert.equal(org.firstBad?.orgSeq, 50);
  });
});

describe('tampering with audit_checkpoints', () => {
  it('a forged signature → bad-signature, naming the checkpoint’s seq', () => {
    const { db, log, attack } = scene();
    attack((raw) =>
      raw
        .prepare('UPDATE audit_checkpoints SET signature = ? WHERE seq = 100')
        .run(Buffer.alloc(64, 7).toString('base64')),
    );
    expectBad(log.verify(), 'bad-signature', 100, row(db, 100).id);
  });

  it('a changed head hash under the old signature → bad-signature', () => {
    const { log, attack } = scene();
    attack((raw) =>
      raw.prepare('UPDATE audit_checkpoints SET head_hash = ? WHERE seq = 150').run(sha256Hex('x')),
    );
    expectBad(log.verify(), 'bad-signature', 150);
  });

  it('a checkpoint re-signed with the attacker’s own key → bad-signature (unknown key)', () => {
    const { log, attack } = scene();
    const mallory = new Ed25519CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
    attack((raw) => {
      const cp = raw.prepare('SELECT * FROM audit_checkpoints WHERE seq = 200').get() as Record<
        string,
        string | number
      >;
      const fields = {
        seq: Number(cp.seq),
        at: String(cp.at),
        headHash: String(cp.head_hash),
        orgHeads: String(cp.org_heads),
        baseSeq: Number(cp.base_seq),
        baseHash: String(cp.base_hash),
        baseOrgHeads: String(cp.base_org_heads),
        keyId: mallory.keyId,
      };
      raw
        .prepare('UPDATE audit_checkpoints SET key_id = ?, signature = ? WHERE seq = 200')
        .run(mallory.keyId, mallory.sign(checkpointSigningInput(fields)));
    });
    const report = log.verify();
    expectBad(report, 'bad-signature', 200);
    assert.match(report.firstBad?.message ?? '', /unknown key/);
  });

  it('verifies with the public key file alone', () => {
    const { db, keyPath, attack } = scene();
    const publicKey = loadPublicKey(publicKeyPath(keyPath));
    const clean = verifyAuditChain(db, { publicKeys: [publicKey] });
    assert.equal(clean.ok, true);
    assert.equal(clean.checkpoints.trusted, 4);
    attack((raw) => raw.prepare('DELETE FROM audit_entries WHERE seq = 5').run());
    expectBad(verifyAuditChain(db, { publicKeys: [publicKey] }), 'deleted', 5, null);
  });
});
