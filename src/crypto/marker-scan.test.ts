/**
 * The failure we exist to prevent: a stolen copy of the data folder reveals clients, their users and
 * their searches. Seal rows holding known marker strings the way the repositories will, then read the
 * raw bytes of the SQLite file, its WAL and shared-memory files and the image folder, and look for the
 * markers in every encoding a careless implementation might leave them in. Control rows stored in
 * plaintext prove the scan can fail: each is found in the file where it must be.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { GLOBAL_SCOPE } from './blind-index.js';
import { Vault } from './index.js';
import { filesUnder, scanForMarker } from './marker-scan-fixture.js';
import { loadOrCreateMasterKeyFile } from './master-key.js';
import { openCryptoTestDb } from './sqlite-fixture.js';

const MARKERS = {
  orgName: 'MARKER-ORG-NAME-7f3a',
  orgContact: 'MARKER-ORG-CONTACT-91bc',
  userEmail: 'marker-user-email-2d4e@example.org',
  userName: 'MARKER-USER-NAME-5c1f',
  caseNumber: 'MARKER-CASE-NUMBER-8a6b',
  purpose: 'MARKER-PURPOSE-3e9d',
  result: 'MARKER-RESULT-IDENTITY-6b2c',
  probe: 'MARKER-PROBE-IMAGE-4f7a',
} as const;

const CONTROL = {
  inDb: 'CONTROL-PLAINTEXT-IN-DB-0c11',
  inWal: 'CONTROL-PLAINTEXT-IN-WAL-0c22',
  base64: 'CONTROL-BASE64-0c33',
  hex: 'CONTROL-HEX-0c44',
  image: 'CONTROL-IMAGE-FILE-0c55',
} as const;

const SCHEMA = `
  CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_bidx TEXT NOT NULL, contact TEXT);
  CREATE TABLE users (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), email TEXT NOT NULL,
    email_bidx TEXT NOT NULL UNIQUE, name TEXT NOT NULL
  );
  CREATE TABLE searches (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), user_id TEXT NOT NULL,
    case_number TEXT NOT NULL, case_bidx TEXT NOT NULL, purpose TEXT NOT NULL, results TEXT NOT NULL,
    probe BLOB NOT NULL, created_at TEXT NOT NULL
  );
  CREATE INDEX searches_case ON searches(org_id, case_bidx);
  CREATE TABLE control (note TEXT NOT NULL);
  -- Its own table, so the WAL control's page is not a copy of a page holding the other controls.
  CREATE TABLE control_wal (note TEXT NOT NULL);
`;

let dir: string;
let dataDir: string;
let db: Database.Database;
let vault: Vault;
let dbPath: string;

function orgId(i: number): string {
  return `0190a1b2-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** Writes one org with a user and a few searches, every sensitive value sealed, probe also to a file. */
function writeOrg(i: number): void {
  const org = orgId(i);
  const tag = `-${i}`;
  db.transaction(() => {
    db.prepare('INSERT INTO orgs VALUES (?, ?, ?, ?)').run(
      org,
      vault.seal(org, 'orgs.name', MARKERS.orgName + tag),
      vault.blindIndex(org, 'orgs.name', MARKERS.orgName + tag),
      vault.sealJson(org, 'orgs.contact', {
        email: `${MARKERS.orgContact}${tag}@example.org`,
        phone: '+44 20',
      }),
    );
    const email = MARKERS.userEmail.replace('@', `${tag}@`);
    const user = `user${tag}`;
    db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?)').run(
      user,
      org,
      vault.seal(org, 'users.email', email),
      vault.blindIndex(GLOBAL_SCOPE, 'users.email', email),
      vault.seal(org, 'users.name', MARKERS.userName + tag),
    );
    for (let s = 0; s < 3; s++) {
      const id = `search${tag}-${s}`;
      const probe = Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
        randomBytes(2000),
        Buffer.from(MARKERS.probe + tag),
        randomBytes(2000),
      ]);
      const sealedProbe = vault.sealBytes(org, 'searches.probe', probe);
      writeFileSync(join(dataDir, 'images', `${id}.bin`), sealedProbe);
      db.prepare('INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        id,
        org,
        user,
        vault.seal(org, 'searches.case_number', MARKERS.caseNumber + tag),
        vault.blindIndex(org, 'searches.case_number', MARKERS.caseNumber + tag),
        vault.seal(org, 'searches.purpose', `${MARKERS.purpose}${tag}: locate a witness`),
        vault.sealJson(org, 'searches.results', [{ identity: MARKERS.result + tag, score: 0.87 }]),
        sealedProbe,
        '2025-01-01T00:00:00.000Z',
      );
    }
  })();
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-crypto-scan-'));
  dataDir = join(dir, 'data');
  mkdirSync(join(dataDir, 'images'), { recursive: true });
  // The key lives outside the scanned folder, as it must in a deployment.
  const ring = loadOrCreateMasterKeyFile(join(dir, 'keys', 'master.key'));
  dbPath = join(dataDir, 'faceledger.db');
  db = openCryptoTestDb(dbPath);
  db.exec(SCHEMA);
  vault = Vault.forDatabase(db, ring);

  // Phase 1: checkpointed into the main file.
  for (let i = 1; i <= 10; i++) writeOrg(i);
  db.prepare('INSERT INTO control VALUES (?)').run(CONTROL.inDb);
  db.prepare('INSERT INTO control VALUES (?)').run(Buffer.from(CONTROL.base64).toString('base64'));
  db.prepare('INSERT INTO control VALUES (?)').run(Buffer.from(CONTROL.hex).toString('hex'));
  const done = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  assert.equal(done[0]?.busy, 0);

  // Phase 2: left in the WAL (well under the 1000-page auto-checkpoint).
  for (let i = 11; i <= 13; i++) writeOrg(i);
  db.prepare('INSERT INTO control_wal VALUES (?)').run(CONTROL.inWal);
  writeFileSync(join(dataDir, 'images', 'control.jpg'), Buffer.from(`JFIF ${CONTROL.image} JFIF`));
});

after(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('marker scan of the raw data folder', () => {
  it('scans the database, its WAL and shm, and the image folder', () => {
    const files = filesUnder(dataDir).map((f) => relative(dataDir, f));
    for (const f of ['faceledger.db', 'faceledger.db-wal', 'faceledger.db-shm'])
      assert.ok(files.includes(f), `${f} present (have ${files.join(', ')})`);
    assert.ok(statSync(`${dbPath}-wal`).size > 0, 'phase 2 is in the WAL');
    assert.equal(files.filter((f) => f.startsWith('images')).length, 13 * 3 + 1);
  });

  it('finds the plaintext controls, so the scan can fail', () => {
    assert.deepEqual([...scanForMarker(dataDir, CONTROL.inDb).keys()], ['faceledger.db']);
    assert.deepEqual([...scanForMarker(dataDir, CONTROL.inWal).keys()], ['faceledger.db-wal']);
    assert.ok(scanForMarker(dataDir, CONTROL.base64).has('faceledger.db'), 'base64 needles work');
    assert.ok(scanForMarker(dataDir, CONTROL.hex).has('faceledger.db'), 'hex needles work');
    assert.deepEqual([...scanForMarker(dataDir, CONTROL.image).keys()], [join('images', 'control.jpg')]);
  });

  it('finds no marker, in any encoding, in any file', () => {
    for (const [what, marker] of Object.entries(MARKERS)) {
      const hits = scanForMarker(dataDir, marker);
      assert.equal(hits.size, 0, `${what} (${marker}) leaked into ${[...hits.keys()].join(', ')}`);
    }
  });

  it('finds no data key or master key bytes either', () => {
    const keyFile = readFileSync(join(dir, 'keys', 'master.key'));
    assert.equal(scanForMarker(dataDir, keyFile).size, 0);
    const keys = [vault.keys.current(GLOBAL_SCOPE, 'index')];
    for (let i = 1; i <= 13; i++)
      keys.push(vault.keys.current(orgId(i), 'seal'), vault.keys.current(orgId(i), 'index'));
    for (const { key } of keys) {
      const bytes = key.export();
      assert.equal(scanForMarker(dataDir, bytes).size, 0);
      assert.equal(scanForMarker(dataDir, bytes.toString('hex')).size, 0);
      assert.equal(scanForMarker(dataDir, bytes.toString('base64url')).size, 0);
    }
  });

  it('still serves the data: rows open and blind-index lookups find them', () => {
    const user = db
      .prepare('SELECT org_id, email, name FROM users WHERE email_bidx = ?')
      .get(
        vault.blindIndex(
          GLOBAL_SCOPE,
          'users.email',
          ` ${MARKERS.userEmail.replace('@', '-12@').toUpperCase()} `,
        ),
      ) as { org_id: string; email: string; name: string } | undefined;
    assert.ok(user);
    assert.equal(user.org_id, orgId(12));
    assert.equal(vault.openText(user.org_id, 'users.name', user.name), `${MARKERS.userName}-12`);
    const search = db
      .prepare('SELECT id, results, probe FROM searches WHERE org_id = ? AND case_bidx = ?')
      .all(orgId(3), vault.blindIndex(orgId(3), 'searches.case_number', `${MARKERS.caseNumber}-3`)) as {
      id: string;
      results: string;
      probe: Buffer;
    }[];
    assert.equal(search.length, 3);
    const first = search[0];
    assert.ok(first);
    assert.deepEqual(vault.openJson(orgId(3), 'searches.results', first.results), [
      { identity: `${MARKERS.result}-3`, score: 0.87 },
    ]);
    const image = vault.openBytes(
      orgId(3),
      'searches.probe',
      readFileSync(join(dataDir, 'images', `${first.id}.bin`)),
    );
    assert.ok(image.includes(`${MARKERS.probe}-3`));
    assert.ok(vault.openBytes(orgId(3), 'searches.probe', first.probe).equals(image));
  });
});
