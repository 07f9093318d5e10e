import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { FaceLedgerError } from '../core/errors.js';
import { PLATFORM_SCOPE } from './data-keys.js';
import { sealedKeyVersion } from './sealed.js';
import { testVault } from './sqlite-fixture.js';

const ORG_A = '0190a1b2-0000-7000-8000-00000000000a';
const ORG_B = '0190a1b2-0000-7000-8000-00000000000b';
const FORMAT = /^v1\.[1-9][0-9]*\.[A-Za-z0-9_-]+$/;

function failsAuth(plaintext?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof FaceLedgerError, String(err));
    assert.equal(err.code, 'INTERNAL');
    assert.match(err.message, /sealed value failed authentication/);
    if (plaintext) assert.ok(!err.message.includes(plaintext), 'error must not leak the plaintext');
    return true;
  };
}

function isCode(code: string, pattern: RegExp) {
  return (err: unknown) => err instanceof FaceLedgerError && err.code === code && pattern.test(err.message);
}

/** Flips one bit of the decoded payload at `index` and re-encodes. */
function flip(sealed: string, index: number): string {
  const [v, version, body] = sealed.split('.') as [string, string, string];
  const bytes = Buffer.from(body, 'base64url');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return `${v}.${version}.${bytes.toString('base64url')}`;
}

describe('seal / open', () => {
  it('round-trips text, unicode, empty strings and bytes', () => {
    const { vault } = testVault();
    for (const text of ['ACME Investigations Ltd', 'Zoë Ø’Brien — 東京', '', 'x'.repeat(10_000)]) {
      const sealed = vault.seal(ORG_A, 'orgs.name', text);
      assert.match(sealed, FORMAT);
      assert.equal(vault.openText(ORG_A, 'orgs.name', sealed), text);
    }
    const bytes = randomBytes(100);
    assert.deepEqual(
      vault.open(ORG_A, 'searches.results', vault.seal(ORG_A, 'searches.results', bytes)),
      bytes,
    );
    assert.equal(
      vault.openText(PLATFORM_SCOPE, 'users.email', vault.seal(PLATFORM_SCOPE, 'users.email', 'a@b.c')),
      'a@b.c',
    );
  });

  it('has optional and JSON helpers', () => {
    const { vault } = testVault();
    assert.equal(vault.sealOptional(ORG_A, 'orgs.phone', null), null);
    assert.equal(vault.sealOptional(ORG_A, 'orgs.phone', undefined), null);
    assert.equal(vault.openOptional(ORG_A, 'orgs.phone', null), null);
    const phone = vault.sealOptional(ORG_A, 'orgs.phone', '+44 20 7946 0000');
    assert.equal(vault.openOptional(ORG_A, 'orgs.phone', phone), '+44 20 7946 0000');
    const results = [
      { identity: 'x', score: 0.91 },
      { identity: 'y', score: 0.5 },
    ];
    assert.deepEqual(
      vault.openJson(ORG_A, 'searches.results', vault.sealJson(ORG_A, 'searches.results', results)),
      results,
    );
    assert.throws(() => vault.sealJson(ORG_A, 'searches.results', undefined), isCode('BAD_INPUT', /JSON/));
  });

  it('uses a fresh nonce every time and hides length to the nearest 32 bytes', () => {
    const { vault } = testVault();
    const a = vault.seal(ORG_A, 'orgs.name', 'same');
    const b = vault.seal(ORG_A, 'orgs.name', 'same');
    assert.notEqual(a, b);
    const lengths = new Set(
      ['', 'a', 'abcdefghij', 'x'.repeat(31)].map((t) => vault.seal(ORG_A, 'orgs.name', t).length),
    );
    assert.equal(lengths.size, 1);
    assert.ok(vault.seal(ORG_A, 'orgs.name', 'x'.repeat(32)).length > Math.max(...lengths));
  });

  it('binds the org: a value copied to another org fails', () => {
    const { vault } = testVault();
    const sealed = vault.seal(ORG_A, 'users.email', 'secret@example.org');
    vault.seal(ORG_B, 'users.email', 'other'); // ORG_B has its own key v1
    assert.throws(() => vault.open(ORG_B, 'users.email', sealed), failsAuth('secret@example.org'));
  });

  it('binds the field: a value copied to another column fails, even within the org', () => {
    const { vault } = testVault();
    const sealed = vault.seal(ORG_A, 'searches.purpose', 'missing child');
    assert.throws(() => vault.open(ORG_A, 'searches.case_number', sealed), failsAuth('missing child'));
  });

  it('binds the key version: relabelled versions fail, old versions still open after rotateDataKey', () => {
    const { vault } = testVault();
    const v1 = vault.seal(ORG_A, 'orgs.name', 'first');
    assert.equal(vault.rotateDataKey(ORG_A), 2);
    const v2 = vault.seal(ORG_A, 'orgs.name', 'second');
    assert.equal(sealedKeyVersion(v1), 1);
    assert.equal(sealedKeyVersion(v2), 2);
    assert.equal(vault.openText(ORG_A, 'orgs.name', v1), 'first');
    assert.equal(vault.openText(ORG_A, 'orgs.name', v2), 'second');
    assert.throws(() => vault.open(ORG_A, 'orgs.name', v1.replace(/^v1\.1\./, 'v1.2.')), failsAuth('first'));
    assert.throws(() => vault.open(ORG_A, 'orgs.name', v2.replace(/^v1\.2\./, 'v1.1.')), failsAuth('second'));
  });

  it('fails on any flipped byte (nonce, ciphertext, tag)', () => {
    const { vault } = testVault();
    const sealed = vault.seal(ORG_A, 'orgs.name', 'tamper me');
    const size = Buffer.from(sealed.split('.')[2] ?? '', 'base64url').length;
    for (let i = 0; i < size; i++)
      assert.throws(() => vault.open(ORG_A, 'orgs.name', flip(sealed, i)), failsAuth('tamper me'));
  });

  it('fails under another master key / another database', () => {
    const one = testVault();
    const two = testVault();
    const sealed = one.vault.seal(ORG_A, 'orgs.name', 'private');
    two.vault.seal(ORG_A, 'orgs.name', 'has its own key v1');
    assert.throws(() => two.vault.open(ORG_A, 'orgs.name', sealed), failsAuth('private'));
  });

  it('refuses malformed values and bad names with clear codes', () => {
    const { vault } = testVault();
    const good = vault.seal(ORG_A, 'orgs.name', 'x');
    for (const bad of [
      '',
      'plain text',
      'v2.1.AAAA',
      'v1.0.AAAA',
      'v1.1.',
      `${good}=`,
      `${good}!`,
      good.slice(0, 30),
      ` ${good}`,
    ])
      assert.throws(
        () => vault.open(ORG_A, 'orgs.name', bad),
        isCode('INTERNAL', /malformed sealed value/),
        bad,
      );
    assert.throws(
      () => vault.open(ORG_A, 'orgs.name', good.replace(/^v1\.1\./, 'v1.7.')),
      isCode('INTERNAL', /no seal data key v7/),
    );
    for (const scope of ['', 'a|b', 'org id', '-x', 'x'.repeat(129)])
      assert.throws(() => vault.seal(scope, 'orgs.name', 'x'), isCode('BAD_INPUT', /key scope/), scope);
    for (const field of ['', 'Orgs.Name', 'orgs|name', 'orgs..name', 'a'.repeat(65)])
      assert.throws(() => vault.seal(ORG_A, field, 'x'), isCode('BAD_INPUT', /field name/), field);
    assert.throws(
      () => vault.seal(ORG_A, 'orgs.name', 42 as unknown as string),
      isCode('BAD_INPUT', /strings and byte/),
    );
  });
});

describe('sealBytes / openBytes (probe images)', () => {
  it('round-trips a 50 MB image and rejects tampering, another field or another org', () => {
    const { vault } = testVault();
    const image = randomBytes(50 * 1024 * 1024);
    vault.sealBytes(ORG_B, 'probes.image', Buffer.from('gives ORG_B a key'));
    const sealed = vault.sealBytes(ORG_A, 'probes.image', image);
    assert.equal(sealed.length, image.length + 8 + 12 + 16);
    assert.equal(sealed.subarray(0, 4).toString('latin1'), 'FLS\x01');
    assert.equal(sealedKeyVersion(sealed), 1);
    assert.ok(vault.openBytes(ORG_A, 'probes.image', sealed).equals(image));
    const tampered = Buffer.from(sealed);
    const middle = tampered.length >> 1;
    tampered[middle] = (tampered[middle] ?? 0) ^ 0x80;
    assert.throws(() => vault.openBytes(ORG_A, 'probes.image', tampered), failsAuth());
    assert.throws(() => vault.openBytes(ORG_A, 'searches.results', sealed), failsAuth());
    assert.throws(() => vault.openBytes(ORG_B, 'probes.image', sealed), failsAuth());
  });

  it('accepts a Uint8Array view, refuses garbage, and relabelled versions fail', () => {
    const { vault } = testVault();
    const image = new Uint8Array(randomBytes(1000).buffer, 10, 500);
    const sealed = vault.sealBytes(ORG_A, 'probes.image', image);
    assert.deepEqual(new Uint8Array(vault.openBytes(ORG_A, 'probes.image', new Uint8Array(sealed))), image);
    assert.throws(
      () => vault.openBytes(ORG_A, 'probes.image', randomBytes(100)),
      isCode('INTERNAL', /malformed/),
    );
    vault.rotateDataKey(ORG_A);
    const relabelled = Buffer.from(sealed);
    relabelled.writeUInt32BE(2, 4);
    assert.throws(() => vault.openBytes(ORG_A, 'probes.image', relabelled), failsAuth());
    assert.equal(sealedKeyVersion(randomBytes(3)), undefined);
    assert.equal(sealedKeyVersion('hello'), undefined);
  });
});
