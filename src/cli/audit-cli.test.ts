/**
 * `faceledger audit verify | export` on a real data folder: the log is written through the app (signed
 * checkpoints, witness file), then altered with raw SQL as someone holding the file would — edit,
 * delete, insert, reorder — and the CLI must exit 7 naming the first bad row.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { connect, FakeClock, sampleEvent } from '../audit/audit-fixtures.js';
import { type AuditEntryRow, rowToEntry } from '../audit/audit-schema.js';
import { type AuditEntry, computeEntryHash } from '../audit/index.js';
import { FaceLedgerApp } from '../services/app.js';
import { TEST_ARGON2 } from '../tenancy/test-fixtures.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const ENTRIES = 150;

/** The environment without FACELEDGER_* settings, so the data folder's own keys are used. */
const CLEAN_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('FACELEDGER_')),
);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: CLEAN_ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A data folder whose audit log holds ENTRIES varied events across three orgs and the platform. */
async function pristine(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'fl-audit-cli-'));
  const app = FaceLedgerApp.open({
    dataDir: join(root, 'data'),
    clock: new FakeClock('2025-01-01T00:00:00.000Z'),
    tenancy: { argon2: TEST_ARGON2 },
    env: {},
  });
  try {
    for (let i = 0; i < ENTRIES; i++) app.audit.append(sampleEvent(i));
  } finally {
    await app.close();
  }
  return root;
}

/** A copy of the folder (data and keys), altered with raw SQL, triggers dropped first. */
function tampered(source: string, attack: (raw: Database.Database) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'fl-audit-cli-'));
  cpSync(source, root, { recursive: true });
  const raw = connect(join(root, 'data', 'faceledger.db'));
  raw.exec(`DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete;`);
  raw.transaction(() => attack(raw))();
  raw.close();
  return root;
}

function row(raw: Database.Database, seq: number): AuditEntryRow {
  const found = raw.prepare('SELECT * FROM audit_entries WHERE seq = ?').get(seq) as
    | AuditEntryRow
    | undefined;
  assert.ok(found, `row ${seq}`);
  return found;
}

function verifyJson(root: string, extra: string[] = []) {
  const r = cli(['audit', 'verify', '--data', join(root, 'data'), '--json', ...extra]);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

describe('faceledger audit verify', () => {
  let source: string;
  before(async () => {
    source = await pristine();
  });

  it('an intact log: exit 0, every chain checked, and the verification itself is audited', () => {
    const first = verifyJson(source);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.report.ok, true);
    assert.equal(first.report.checked, ENTRIES);
    assert.ok(first.report.checkpoints.trusted >= 1, 'signed checkpoints were checked');
    const human = cli(['audit', 'verify', '--data', join(source, 'data')]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^Audit log OK: 151 entries checked/);
    const db = new Database(join(source, 'data', 'faceledger.db'), { readonly: true });
    const last = db.prepare('SELECT * FROM audit_entries ORDER BY seq DESC LIMIT 1').get() as AuditEntryRow;
    db.close();
    assert.equal(last.type, 'audit.verified');
    assert.match(last.actor, /^cli:/);
    assert.deepEqual(JSON.parse(last.details), { scope: 'global', ok: true, checked: ENTRIES + 1 });
  });

  const cases: {
    name: string;
    attack: (raw: Database.Database) => void;
    reason: string;
    seq: number;
  }[] = [
    {
      name: 'edit a row',
      attack: (raw) => raw.prepare("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = 50").run(),
      reason: 'modified',
      seq: 50,
    },
    {
      name: 'delete a row',
      attack: (raw) => raw.prepare('DELETE FROM audit_entries WHERE seq = 60').run(),
      reason: 'deleted',
      seq: 60,
    },
    {
      name: 'insert a forged row, shifting the rest up',
      attack: (raw) => {
        const forged: AuditEntry = {
          ...rowToEntry(row(raw, 70)),
          id: '01900000-0000-7000-8000-0000000000fe',
          orgId: null,
          orgSeq: null,
          orgPrevHash: null,
          type: 'config.changed',
          details: '{"changes":[{"key":"audit.enabled","to":"false"}]}',
          prevHash: row(raw, 69).hash,
        };
        raw.prepare('UPDATE audit_entries SET seq = seq + 1000000 WHERE seq >= 70').run();
        raw.prepare('UPDATE audit_entries SET seq = seq - 1000000 + 1 WHERE seq >= 1000000').run();
        raw
          .prepare(
            `INSERT INTO audit_entries (seq, id, org_id, org_seq, actor, at, type, details, prev_hash, org_prev_hash, hash)
             VALUES (@seq, @id, @orgId, @orgSeq, @actor, @at, @type, @details, @prevHash, @orgPrevHash, @hash)`,
          )
          .run({ ...forged, hash: computeEntryHash(forged) });
      },
      reason: 'inserted',
      seq: 70,
    },
    {
      name: 'swap two rows',
      attack: (raw) => {
        raw.prepare('UPDATE audit_entries SET seq = 999999 WHERE seq = 80').run();
        raw.prepare('UPDATE audit_entries SET seq = 80 WHERE seq = 81').run();
        raw.prepare('UPDATE audit_entries SET seq = 81 WHERE seq = 999999').run();
      },
      reason: 'reordered',
      seq: 80,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → exit 7, ${c.reason} at seq ${c.seq}`, () => {
      const root = tampered(source, c.attack);
      const json = verifyJson(root);
      assert.equal(json.code, 7, json.stderr);
      assert.equal(json.report.ok, false);
      assert.equal(json.report.firstBad.reason, c.reason);
      assert.equal(json.report.firstBad.seq, c.seq);
      const human = cli(['audit', 'verify', '--data', join(root, 'data')]);
      assert.equal(human.code, 7);
      assert.match(human.stdout, new RegExp(`^TAMPERED: ${c.reason} at seq ${c.seq}\\b`));
    });
  }

  it("--org checks one org's chain: the tampered org fails, another passes", () => {
    // Entry i belongs to org-alpha when i % 4 === 1 (seq i + 1); seq 50 is i = 49 → org-alpha.
    const root = tampered(source, (raw) =>
      raw.prepare("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = 50").run(),
    );
    const alpha = verifyJson(root, ['--org', 'org-alpha']);
    assert.equal(alpha.code, 7, alpha.stdout);
    assert.equal(alpha.report.scope, 'org');
    assert.equal(alpha.report.firstBad.seq, 50);
    const bravo = verifyJson(root, ['--org', 'org-bravo']);
    assert.equal(bravo.code, 0, bravo.stdout);
    assert.equal(verifyJson(root, ['--org', '']).code, 2, 'an empty --org is bad input');
  });
});

describe('faceledger audit export', () => {
  it("writes one org's entries in a time range as re-verifiable JSON lines", async () => {
    const source = await pristine();
    const data = join(source, 'data');
    const all = cli(['audit', 'export', '--data', data]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout.trimEnd().split('\n').length, ENTRIES);
    assert.match(all.stderr, new RegExp(`Exported ${ENTRIES} audit entries \\(sha256 [0-9a-f]{64}\\)`));

    // FakeClock does not move: every entry is at 2025-01-01T00:00:00Z.
    const r = cli([
      'audit',
      'export',
      '--data',
      data,
      '--org',
      'org-bravo',
      '--from',
      '2025-01-01',
      '--to',
      '2025-01-02',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    assert.ok(lines.length > 10);
    for (const entry of lines) {
      assert.equal(entry.orgId, 'org-bravo');
      assert.equal(computeEntryHash(entry), entry.hash);
    }
    const none = cli(['audit', 'export', '--data', data, '--to', '2024-12-31']);
    assert.equal(none.stdout, '');
    assert.equal(cli(['audit', 'export', '--data', data, '--from', 'last tuesday']).code, 2);
    assert.equal(verifyJson(source).code, 0, 'exports are recorded and the log still verifies');
  });
});
