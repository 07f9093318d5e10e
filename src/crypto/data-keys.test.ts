import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import { FaceLedgerError } from '../core/errors.js';
import {
  CRYPTO_MIGRATION,
  DataKeyManager,
  type DataKeyStore,
  dataKeyAad,
  PLATFORM_SCOPE,
  SqliteDataKeyStore,
} from './data-keys.js';
import { Vault } from './index.js';
import { MasterKeyRing } from './master-key.js';
import { gcmOpen } from './primitives.js';
import { openText, seal } from './sealed.js';
import { openCryptoTestDb } from './sqlite-fixture.js';

const ORG_A = '0190a1b2-0000-7000-8000-00000000000a';
const ORG_B = '0190a1b2-0000-7000-8000-00000000000b';
const fixedClock: Clock = { now: () => new Date('2025-01-02T03:04:05.000Z') };

function setup() {
  const db = openCryptoTestDb();
  const masterKey = randomBytes(32);
  const ring = MasterKeyRing.fromBytes(masterKey);
  const store = new SqliteDataKeyStore(db);
  const keys = new DataKeyManager({ provider: ring, store, clock: fixedClock });
  return { db, masterKey, ring, store, keys };
}

function rows(db: Database.Database) {
  return db
    .prepare('SELECT org_id, purpose, version, master_key_id, wrapped, created_at FROM data_keys')
    .all() as {
    org_id: string;
    purpose: string;
    version: number;
    master_key_id: string;
    wrapped: Buffer;
    created_at: string;
  }[];
}

describe('CRYPTO_MIGRATION', () => {
  it('is version 3 and creates data_keys', () => {
    assert.equal(CRYPTO_MIGRATION.version, 3);
    assert.equal(CRYPTO_MIGRATION.name, 'data keys');
    const db = openCryptoTestDb();
    const cols = (db.prepare('PRAGMA table_info(data_keys)').all() as { name: string; pk: number }[]).map(
      (c) => `${c.name}${c.pk ? `#${c.pk}` : ''}`,
    );
    assert.deepEqual(cols, ['org_id#1', 'purpose#2', 'version#3', 'master_key_id', 'wrapped', 'created_at']);
  });
});

describe('DataKeyManager', () => {
  it('creates version 1 once per scope and purpose, stored only wrapped', () => {
    const { db, ring, keys } = setup();
    const a = keys.current(ORG_A);
    assert.equal(a.version, 1);
    assert.deepEqual(keys.current(ORG_A).key.export(), a.key.export());
    const b = keys.current(ORG_B);
    const platform = keys.current(PLATFORM_SCOPE);
    const aIndex = keys.current(ORG_A, 'index');
    const secrets = [a, b, platform, aIndex].map((k) => k.key.export().toString('hex'));
    assert.equal(new Set(secrets).size, 4, 'every scope/purpose has its own key');
    const stored = rows(db);
    assert.equal(stored.length, 4);
    for (const row of stored) {
      assert.equal(row.master_key_id, ring.currentKeyId);
      assert.equal(row.created_at, '2025-01-02T03:04:05.000Z');
      assert.equal(row.wrapped.length, 1 + 12 + 32 + 16);
      for (const s of secrets) assert.ok(!row.wrapped.toString('hex').includes(s));
    }
  });

  it('persists: a second manager on the same table finds the same keys', () => {
    const { db, ring, keys } = setup();
    const first = keys.current(ORG_A).key.export();
    const again = new DataKeyManager({ provider: ring, store: new SqliteDataKeyStore(db) });
    assert.deepEqual(again.current(ORG_A).key.export(), first);
  });

  it('binds a wrapped key to its row: copied to another org or version it fails to unwrap', () => {
    const { db, keys } = setup();
    keys.current(ORG_A);
    keys.current(ORG_B);
    keys.rotateDataKey(ORG_B);
    db.prepare(
      "UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE org_id = ? AND version = 1 AND purpose = 'seal') WHERE org_id = ? AND version = 1 AND purpose = 'seal'",
    ).run(ORG_A, ORG_B);
    keys.forget();
    assert.throws(
      () => keys.byVersion(ORG_B, 1),
      (err) => err instanceof FaceLedgerError && err.code === 'INTERNAL',
    );
    db.prepare(
      "UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE org_id = ? AND version = 2) WHERE org_id = ? AND version = 1 AND purpose = 'seal'",
    ).run(ORG_B, ORG_B);
    assert.throws(() => keys.byVersion(ORG_B, 1), /failed authentication/);
  });

  it('rotateDataKey adds a version for new writes and keeps old ones', () => {
    const { keys } = setup();
    const v1 = keys.current(ORG_A).key.export();
    assert.equal(keys.rotateDataKey(ORG_A), 2);
    const current = keys.current(ORG_A);
    assert.equal(current.version, 2);
    assert.notDeepEqual(current.key.export(), v1);
    assert.deepEqual(keys.byVersion(ORG_A, 1).key.export(), v1);
    assert.equal(keys.rotateDataKey(ORG_B), 1, 'first rotation of an org without keys creates v1');
    assert.throws(() => keys.byVersion(ORG_A, 3), /no seal data key v3/);
  });

  it('does not trust a cached key whose row was rolled back', () => {
    const { db, ring, keys } = setup();
    let rolledBack: Buffer | undefined;
    assert.throws(
      () =>
        db.transaction(() => {
          rolledBack = keys.current(ORG_A).key.export();
          throw new Error('caller failed');
        })(),
      /caller failed/,
    );
    assert.equal(rows(db).length, 0);
    const sealed = seal(keys, ORG_A, 'orgs.name', 'kept');
    assert.notDeepEqual(keys.current(ORG_A).key.export(), rolledBack);
    const fresh = new DataKeyManager({ provider: ring, store: new SqliteDataKeyStore(db) });
    assert.equal(openText(fresh, ORG_A, 'orgs.name', sealed), 'kept');
  });

  it('two managers creating the same scope at once agree on one key', () => {
    const { db, ring, keys } = setup();
    const other = new DataKeyManager({ provider: ring, store: new SqliteDataKeyStore(db) });
    // Simulate the race: other inserts between our latest() miss and our insert.
    const store = new SqliteDataKeyStore(db);
    const racingStore: DataKeyStore = {
      latest: (scope, purpose) => {
        const found = store.latest(scope, purpose);
        if (!found) other.current(scope, purpose);
        return found;
      },
      get: (...args) => store.get(...args),
      insertIfAbsent: (record) => store.insertIfAbsent(record),
      list: () => store.list(),
      updateWrapped: (...args) => store.updateWrapped(...args),
      transaction: (fn) => store.transaction(fn),
    };
    const racing = new DataKeyManager({ provider: ring, store: racingStore });
    const mine = racing.current(ORG_A).key.export();
    assert.deepEqual(mine, other.current(ORG_A).key.export());
    assert.deepEqual(mine, keys.current(ORG_A).key.export());
    assert.equal(rows(db).length, 1);
  });
});

describe('master key rotation', () => {
  it('re-wraps every data key in one go; everything still opens; the old key alone opens nothing', () => {
    const { db, masterKey: oldKey, ring: oldRing, store } = setup();
    const vault = new Vault({ provider: oldRing, store });
    const sealed = new Map<string, string>();
    for (const org of [ORG_A, ORG_B, PLATFORM_SCOPE])
      sealed.set(org, vault.seal(org, 'orgs.name', `name of ${org}`));
    vault.rotateDataKey(ORG_A);
    const afterRotation = vault.seal(ORG_A, 'orgs.name', 'second version');
    const index = vault.blindIndex(ORG_A, 'users.email', 'a@example.org');
    const before = rows(db);
    assert.equal(before.length, 5);

    const newKey = randomBytes(32);
    const newRing = MasterKeyRing.fromBytes(newKey);
    const report = vault.rotateMasterKey(newRing);
    assert.deepEqual(report, { masterKeyId: newRing.currentKeyId, rewrapped: 5, alreadyCurrent: 0 });
    assert.equal(vault.masterKeyId, newRing.currentKeyId);

    const after = rows(db);
    for (const row of after) {
      assert.equal(row.master_key_id, newRing.currentKeyId);
      const old = before.find(
        (b) => b.org_id === row.org_id && b.version === row.version && b.purpose === row.purpose,
      );
      assert.ok(old && !old.wrapped.equals(row.wrapped));
    }

    // The same vault and a fresh one holding only the new key open everything; indexes are unchanged.
    const fresh = new Vault({ provider: newRing, store: new SqliteDataKeyStore(db) });
    for (const v of [vault, fresh]) {
      for (const [org, s] of sealed) assert.equal(v.openText(org, 'orgs.name', s), `name of ${org}`);
      assert.equal(v.openText(ORG_A, 'orgs.name', afterRotation), 'second version');
      assert.equal(v.blindIndex(ORG_A, 'users.email', 'a@example.org'), index);
    }

    // The old master key alone: no data key unwraps, by id or by brute force on the bytes.
    const oldOnly = new Vault({ provider: oldRing, store: new SqliteDataKeyStore(db) });
    assert.throws(() => oldOnly.openText(ORG_B, 'orgs.name', sealed.get(ORG_B) ?? ''), /not loaded/);
    for (const row of after)
      for (const id of [newRing.currentKeyId, oldRing.currentKeyId]) {
        const aad = dataKeyAad(row.org_id, row.purpose as 'seal', row.version, id);
        assert.equal(gcmOpen(createSecretKey(oldKey), row.wrapped.subarray(1), aad), undefined);
      }

    // Rotating again to the same key is a no-op.
    assert.deepEqual(vault.rotateMasterKey(newRing), {
      masterKeyId: newRing.currentKeyId,
      rewrapped: 0,
      alreadyCurrent: 5,
    });
  });

  it('assertMasterKeysLoaded catches a process started with the wrong master key', () => {
    const { db, ring, store } = setup();
    const vault = new Vault({ provider: ring, store });
    vault.assertMasterKeysLoaded();
    vault.seal(ORG_A, 'orgs.name', 'x');
    vault.assertMasterKeysLoaded();
    const wrong = new Vault({
      provider: MasterKeyRing.fromBytes(randomBytes(32)),
      store: new SqliteDataKeyStore(db),
    });
    assert.throws(
      () => wrong.assertMasterKeysLoaded(),
      (err) =>
        err instanceof FaceLedgerError && err.code === 'BAD_INPUT' && err.message.includes(ring.currentKeyId),
    );
    const both = new Vault({
      provider: MasterKeyRing.merge(MasterKeyRing.fromBytes(randomBytes(32)), ring),
      store: new SqliteDataKeyStore(db),
    });
    both.assertMasterKeysLoaded();
  });

  it('is all-or-nothing: one unreadable data key leaves every row as it was', () => {
    const { db, ring, keys } = setup();
    for (const org of [ORG_A, ORG_B, PLATFORM_SCOPE]) keys.current(org);
    db.prepare('UPDATE data_keys SET wrapped = ? WHERE org_id = ?').run(randomBytes(61), ORG_B);
    const before = rows(db);
    assert.throws(
      () => keys.rotateMasterKey(MasterKeyRing.fromBytes(randomBytes(32))),
      /failed authentication/,
    );
    assert.deepEqual(rows(db), before);
    assert.equal(keys.provider.currentKeyId, ring.currentKeyId);
  });

  it('can finish with a provider that holds both keys (current new, previous old)', () => {
    const { db, ring: oldRing, keys } = setup();
    keys.current(ORG_A);
    const newRing = MasterKeyRing.fromBytes(randomBytes(32));
    // A process started with both keys (e.g. FACELEDGER_PREVIOUS_MASTER_KEYS) can do the rotation itself.
    const both = MasterKeyRing.merge(newRing, oldRing);
    const viaBoth = new DataKeyManager({ provider: both, store: new SqliteDataKeyStore(db) });
    assert.ok(viaBoth.current(ORG_A));
    assert.equal(viaBoth.rotateMasterKey(both).rewrapped, 1);
    assert.ok(new DataKeyManager({ provider: newRing, store: new SqliteDataKeyStore(db) }).current(ORG_A));
  });
});
