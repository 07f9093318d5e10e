import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { FaceLedgerError } from '../core/errors.js';
import { GLOBAL_SCOPE, normalise } from './blind-index.js';
import { SqliteDataKeyStore } from './data-keys.js';
import { Vault } from './index.js';
import { MasterKeyRing } from './master-key.js';
import { testVault } from './sqlite-fixture.js';

const ORG_A = '0190a1b2-0000-7000-8000-00000000000a';
const ORG_B = '0190a1b2-0000-7000-8000-00000000000b';
const FORMAT = /^b1\.[A-Za-z0-9_-]{43}$/;

describe('normalise', () => {
  it('documents each kind by example', () => {
    assert.equal(normalise('email', '  Alice.Smith+x@Example.COM \n'), 'alice.smith+x@example.com');
    assert.equal(
      normalise('email', 'ＡＬＩＣＥ@example.com'),
      'alice@example.com',
      'full-width folds (NFKC)',
    );
    assert.equal(normalise('name', '  ACME\t Police   Dept '), 'acme police dept');
    assert.equal(normalise('identifier', ' 2024 / 17-b '), '2024/17-B');
    assert.equal(normalise('exact', ' Case '), ' Case ');
  });
});

describe('blindIndex', () => {
  it('is stable, including across vault instances and master key rotation', () => {
    const { vault, db, ring } = testVault();
    const first = vault.blindIndex(GLOBAL_SCOPE, 'users.email', 'alice@example.org');
    assert.match(first, FORMAT);
    assert.equal(vault.blindIndex(GLOBAL_SCOPE, 'users.email', 'alice@example.org'), first);
    const other = new Vault({ provider: ring, store: new SqliteDataKeyStore(db) });
    assert.equal(other.blindIndex(GLOBAL_SCOPE, 'users.email', 'alice@example.org'), first);
    vault.rotateMasterKey(MasterKeyRing.fromBytes(randomBytes(32)));
    vault.rotateDataKey(GLOBAL_SCOPE);
    assert.equal(vault.blindIndex(GLOBAL_SCOPE, 'users.email', 'alice@example.org'), first);
  });

  it('normalises per field, so lookups match however the value was typed', () => {
    const { vault } = testVault();
    const email = vault.blindIndex(GLOBAL_SCOPE, 'users.email', 'alice@example.org');
    assert.equal(vault.blindIndex(GLOBAL_SCOPE, 'users.email', '  Alice@Example.ORG '), email);
    const caseNo = vault.blindIndex(ORG_A, 'searches.case_number', '2024/17-b');
    assert.equal(vault.blindIndex(ORG_A, 'searches.case_number', ' 2024 / 17-B'), caseNo);
    assert.notEqual(vault.blindIndex(ORG_A, 'searches.case_number', '2024/1-7b'), caseNo);
    assert.equal(
      vault.blindIndex(ORG_A, 'orgs.name', 'ACME  Police'),
      vault.blindIndex(ORG_A, 'orgs.name', 'acme police'),
    );
    // Unlisted fields are exact.
    assert.notEqual(
      vault.blindIndex(ORG_A, 'things.code', 'Ab'),
      vault.blindIndex(ORG_A, 'things.code', 'ab'),
    );
  });

  it('separates scopes and fields: the same value gives unrelated indexes', () => {
    const { vault } = testVault();
    const value = 'alice@example.org';
    const all = [
      vault.blindIndex(GLOBAL_SCOPE, 'users.email', value),
      vault.blindIndex(ORG_A, 'users.email', value),
      vault.blindIndex(ORG_B, 'users.email', value),
      vault.blindIndex(ORG_A, 'orgs.contact_email', value),
    ];
    assert.equal(new Set(all).size, all.length);
    const another = testVault().vault;
    assert.notEqual(
      another.blindIndex(GLOBAL_SCOPE, 'users.email', value),
      all[0],
      'another deployment, another key',
    );
  });

  it('is keyed: not a plain hash of the value', () => {
    const { vault } = testVault();
    const index = vault.blindIndex(ORG_A, 'searches.case_number', '2024/17');
    for (const algo of ['sha256', 'sha512', 'md5', 'sha1'])
      for (const enc of ['hex', 'base64url'] as const)
        assert.ok(!index.includes(createHash(algo).update('2024/17').digest(enc).slice(0, 12)));
  });

  it('refuses empty values and non-text', () => {
    const { vault } = testVault();
    for (const value of ['', '   '])
      assert.throws(
        () => vault.blindIndex(GLOBAL_SCOPE, 'users.email', value),
        (err) => err instanceof FaceLedgerError && err.code === 'BAD_INPUT',
      );
    assert.throws(
      () => vault.blindIndex(GLOBAL_SCOPE, 'users.email', 7 as unknown as string),
      (err) => err instanceof FaceLedgerError && err.code === 'BAD_INPUT',
    );
  });

  it('honours a per-vault field table', () => {
    const { db, ring } = testVault();
    const vault = new Vault({
      provider: ring,
      store: new SqliteDataKeyStore(db),
      blindIndexFields: { 'x.code': 'identifier' },
    });
    assert.equal(vault.blindIndex(ORG_A, 'x.code', 'ab 1'), vault.blindIndex(ORG_A, 'x.code', 'AB1'));
  });
});
