import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './audit-fixtures.js';
import {
  keyIdOf,
  loadOrCreateSigningKey,
  loadPublicKey,
  loadSigningKey,
  publicKeyPath,
  verifyCheckpointSignature,
} from './checkpoint-signer.js';

describe('checkpoint signing key', () => {
  it('is created once, private (0600), with a public key beside it', () => {
    const path = join(tempDir(), 'keys', 'audit-signing.key');
    const signer = loadOrCreateSigningKey(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(signer.keyId, /^[0-9a-f]{16}$/);
    assert.equal(signer.keyId, keyIdOf(signer.publicKey));
    assert.equal(loadOrCreateSigningKey(path).keyId, signer.keyId, 'reloads the same key');
    assert.equal(keyIdOf(loadPublicKey(publicKeyPath(path))), signer.keyId);
  });

  it('signs so that only the public key is needed to verify, and any change fails', () => {
    const path = join(tempDir(), 'k.key');
    const signer = loadOrCreateSigningKey(path);
    const publicKey = loadPublicKey(publicKeyPath(path));
    const signature = signer.sign('head 42');
    assert.ok(verifyCheckpointSignature(publicKey, 'head 42', signature));
    assert.ok(!verifyCheckpointSignature(publicKey, 'head 43', signature));
    const other = generateKeyPairSync('ed25519').publicKey;
    assert.ok(!verifyCheckpointSignature(other, 'head 42', signature));
    assert.ok(!verifyCheckpointSignature(signer.publicKey, 'head 42', 'not base64!'));
    assert.ok(!verifyCheckpointSignature(signer.publicKey, 'head 42', Buffer.alloc(64).toString('base64')));
  });

  it('refuses a key file that others can read', () => {
    const path = join(tempDir(), 'k.key');
    loadOrCreateSigningKey(path);
    chmodSync(path, 0o644);
    assert.throws(() => loadSigningKey(path), { code: 'BAD_INPUT' });
  });

  it('refuses files that are not Ed25519 keys', () => {
    const dir = tempDir();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPrivate = join(dir, 'rsa.key');
    writeFileSync(rsaPrivate, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const rsaPublic = join(dir, 'rsa.pub');
    writeFileSync(rsaPublic, rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    assert.throws(() => loadSigningKey(rsaPrivate), { code: 'BAD_INPUT' });
    assert.throws(() => loadPublicKey(rsaPublic), { code: 'BAD_INPUT' });
    assert.throws(() => loadPublicKey(join(dir, 'missing.pub')), { code: 'BAD_INPUT' });
  });
});
