import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { FaceLedgerError } from '../core/errors.js';
import {
  createMasterKeyFile,
  keyProviderFromEnv,
  loadMasterKeyFile,
  loadOrCreateMasterKeyFile,
  MasterKeyRing,
  masterKeyId,
  resolveKeyProvider,
} from './master-key.js';
import { gcmOpen, utf8 } from './primitives.js';

const posix = process.platform !== 'win32';

function isCode(code: string, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof FaceLedgerError, `expected FaceLedgerError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-crypto-key-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('master key id', () => {
  it('is 16 hex digits, stable per key, different between keys, and not the key', () => {
    const key = randomBytes(32);
    const id = masterKeyId(key);
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(masterKeyId(Buffer.from(key)), id);
    assert.equal(masterKeyId(createSecretKey(key)), id);
    assert.notEqual(masterKeyId(randomBytes(32)), id);
    assert.ok(!key.toString('hex').includes(id));
  });
});

describe('MasterKeyRing', () => {
  it('refuses keys that are not exactly 32 bytes', () => {
    for (const n of [0, 16, 31, 33, 64])
      assert.throws(() => MasterKeyRing.fromBytes(randomBytes(n)), isCode('BAD_INPUT', /exactly 32 bytes/));
  });

  it('wraps with the current key and unwraps with any key it holds', () => {
    const oldRing = MasterKeyRing.fromBytes(randomBytes(32));
    const newRing = MasterKeyRing.fromBytes(randomBytes(32));
    const both = MasterKeyRing.merge(newRing, oldRing);
    assert.equal(both.currentKeyId, newRing.currentKeyId);
    assert.deepEqual(both.keyIds, [newRing.currentKeyId, oldRing.currentKeyId]);
    const secret = randomBytes(32);
    const aad = utf8('context');
    const oldWrap = oldRing.wrap(secret, aad);
    assert.deepEqual(both.unwrap(oldRing.currentKeyId, oldWrap, aad), secret);
    const newWrap = both.wrap(secret, aad);
    assert.deepEqual(newRing.unwrap(newRing.currentKeyId, newWrap, aad), secret);
    assert.throws(() => oldRing.unwrap(newRing.currentKeyId, newWrap, aad), isCode('INTERNAL', /not loaded/));
  });

  it('fails authentication on wrong associated data or a flipped byte', () => {
    const ring = MasterKeyRing.fromBytes(randomBytes(32));
    const wrapped = ring.wrap(randomBytes(32), utf8('a'));
    assert.throws(
      () => ring.unwrap(ring.currentKeyId, wrapped, utf8('b')),
      isCode('INTERNAL', /authentication/),
    );
    for (const i of [0, 1, 20, wrapped.length - 1]) {
      const bad = Buffer.from(wrapped);
      bad[i] = (bad[i] ?? 0) ^ 1;
      assert.throws(() => ring.unwrap(ring.currentKeyId, bad, utf8('a')), isCode('INTERNAL'));
    }
  });

  it('never shows key bytes when printed or serialised', () => {
    const key = randomBytes(32);
    const ring = MasterKeyRing.fromBytes(key);
    for (const text of [inspect(ring, { showHidden: true, depth: 10 }), JSON.stringify(ring), String(ring)]) {
      assert.ok(!text.includes(key.toString('hex')));
      assert.ok(!text.includes(key.toString('base64')));
    }
  });

  it('does not keep a reference to the caller buffer', () => {
    const key = randomBytes(32);
    const ring = MasterKeyRing.fromBytes(key);
    const wrapped = ring.wrap(utf8('x'), utf8('a'));
    key.fill(0);
    assert.deepEqual(ring.unwrap(ring.currentKeyId, wrapped, utf8('a')), utf8('x'));
  });
});

describe('master key from the environment', () => {
  it('reads FACELEDGER_MASTER_KEY (base64 or base64url) and previous keys', () => {
    const key = randomBytes(32);
    const prev = randomBytes(32);
    const ring = keyProviderFromEnv({
      FACELEDGER_MASTER_KEY: `${key.toString('base64')}\n`,
      FACELEDGER_PREVIOUS_MASTER_KEYS: ` ${prev.toString('base64url')} ,`,
    });
    assert.ok(ring);
    assert.deepEqual(ring.keyIds, [masterKeyId(key), masterKeyId(prev)]);
  });

  it('is undefined when unset, and refuses bad text or a wrong length without echoing it', () => {
    assert.equal(keyProviderFromEnv({}), undefined);
    assert.throws(
      () => keyProviderFromEnv({ FACELEDGER_MASTER_KEY: '  ' }),
      isCode('BAD_INPUT', /set but empty/),
    );
    const short = randomBytes(16).toString('base64');
    assert.throws(
      () => keyProviderFromEnv({ FACELEDGER_MASTER_KEY: short }),
      (err) =>
        isCode('BAD_INPUT', /exactly 32 bytes, got 16/)(err) && !(err as Error).message.includes(short),
    );
    assert.throws(
      () => keyProviderFromEnv({ FACELEDGER_MASTER_KEY: 'not base64 at all!' }),
      isCode('BAD_INPUT', /FACELEDGER_MASTER_KEY is not valid base64/),
    );
    assert.throws(
      () =>
        keyProviderFromEnv({
          FACELEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
          FACELEDGER_PREVIOUS_MASTER_KEYS: randomBytes(33).toString('base64'),
        }),
      isCode('BAD_INPUT', /FACELEDGER_PREVIOUS_MASTER_KEYS\[0\]/),
    );
  });
});

describe('master key file', () => {
  it('is created with 32 random bytes and mode 0600, even under a permissive umask, then reloaded', () => {
    const path = join(dir, 'new', 'deeper', 'master.key');
    const previousUmask = process.umask(0);
    let ring: MasterKeyRing;
    try {
      ring = loadOrCreateMasterKeyFile(path);
    } finally {
      process.umask(previousUmask);
    }
    const bytes = readFileSync(path);
    assert.equal(bytes.length, 32);
    assert.equal(ring.currentKeyId, masterKeyId(bytes));
    if (posix) {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'new', 'deeper')).mode & 0o077, 0);
    }
    assert.equal(loadOrCreateMasterKeyFile(path).currentKeyId, ring.currentKeyId);
    assert.equal(loadMasterKeyFile(path).currentKeyId, ring.currentKeyId);
  });

  it('refuses a file readable or writable by group or others', { skip: !posix }, () => {
    const path = join(dir, 'loose.key');
    loadOrCreateMasterKeyFile(path);
    for (const mode of [0o640, 0o604, 0o660, 0o644, 0o620]) {
      chmodSync(path, mode);
      assert.throws(
        () => loadOrCreateMasterKeyFile(path),
        isCode(
          'BAD_INPUT',
          new RegExp(`accessible by group or others \\(mode 0${mode.toString(8)}\\).*chmod 600`),
        ),
      );
    }
    chmodSync(path, 0o400);
    assert.doesNotThrow(() => loadMasterKeyFile(path));
  });

  it('refuses a wrong length, raw or base64, and never overwrites it', () => {
    for (const [name, content] of [
      ['short.key', randomBytes(31)],
      ['long.key', randomBytes(33)],
      ['empty.key', Buffer.alloc(0)],
      ['b64-short.key', Buffer.from(`${randomBytes(16).toString('base64')}\n`)],
      ['huge.key', randomBytes(4096)],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      assert.throws(() => loadOrCreateMasterKeyFile(path), isCode('BAD_INPUT', /32 bytes/), name);
      assert.deepEqual(readFileSync(path), content, `${name} untouched`);
    }
  });

  it('accepts the base64 text of 32 bytes', () => {
    const key = randomBytes(32);
    const path = join(dir, 'text.key');
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600 });
    assert.equal(loadMasterKeyFile(path).currentKeyId, masterKeyId(key));
  });

  it('refuses a directory, and loading a missing file without create', () => {
    const sub = join(dir, 'a-dir');
    mkdirSync(sub, { mode: 0o700 });
    assert.throws(() => loadMasterKeyFile(sub), isCode('BAD_INPUT', /not a regular file/));
    assert.throws(() => loadMasterKeyFile(join(dir, 'missing.key')), /ENOENT/);
  });

  it('createMasterKeyFile refuses to overwrite and leaves no temporary files', () => {
    const sub = join(dir, 'mint');
    const path = join(sub, 'next.key');
    const id = createMasterKeyFile(path);
    assert.equal(loadMasterKeyFile(path).currentKeyId, id);
    assert.throws(() => createMasterKeyFile(path), isCode('BAD_INPUT', /already exists/));
    assert.equal(loadMasterKeyFile(path).currentKeyId, id);
    assert.deepEqual(readFileSync(path).length, 32);
  });

  it('resolveKeyProvider prefers the environment and adds previous key files', () => {
    const fileKey = join(dir, 'resolve.key');
    const fromFile = loadOrCreateMasterKeyFile(fileKey);
    const envKey = randomBytes(32);
    const envRing = resolveKeyProvider({
      keyFile: join(dir, 'never-created.key'),
      env: { FACELEDGER_MASTER_KEY: envKey.toString('base64') },
      previousKeyFiles: [fileKey],
    });
    assert.deepEqual(envRing.keyIds, [masterKeyId(envKey), fromFile.currentKeyId]);
    assert.throws(() => statSync(join(dir, 'never-created.key')));
    assert.equal(resolveKeyProvider({ keyFile: fileKey, env: {} }).currentKeyId, fromFile.currentKeyId);
  });
});

describe('wrapped keys', () => {
  it('cannot be opened by the raw old key even if the key id is forged', () => {
    const oldKey = randomBytes(32);
    const newRing = MasterKeyRing.fromBytes(randomBytes(32));
    const wrapped = newRing.wrap(randomBytes(32), utf8('aad'));
    assert.equal(gcmOpen(createSecretKey(oldKey), wrapped.subarray(1), utf8('aad')), undefined);
  });
});
