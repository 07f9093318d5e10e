import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalJson,
  checkpointSigningInput,
  computeEntryHash,
  ENTRY_HASH_PREFIX,
  entryHashInput,
  GENESIS_HASH,
  type HashedEntryFields,
  sha256Hex,
} from './canonical.js';

const entry: HashedEntryFields = {
  seq: 1,
  id: '0190a5c2-0000-7000-8000-000000000001',
  orgId: 'org-alpha',
  orgSeq: 1,
  actor: 'user:u1',
  at: '2025-01-01T00:00:00.000Z',
  type: 'auth.login.ok',
  details: '{"method":"password","userId":"u1"}',
  prevHash: GENESIS_HASH,
  orgPrevHash: GENESIS_HASH,
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }),
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were added in', () => {
    assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
  });

  it('escapes strings as JSON does, including lone surrogates and control characters', () => {
    assert.equal(canonicalJson({ s: 'a"b\\c\n\u0001\ud800é' }), '{"s":"a\\"b\\\\c\\n\\u0001\\ud800é"}');
  });

  it('leaves out undefined properties but refuses what JSON cannot say exactly', () => {
    assert.equal(canonicalJson({ a: 1, b: undefined }), '{"a":1}');
    assert.throws(() => canonicalJson([1, undefined]), { code: 'BAD_INPUT' });
    assert.throws(() => canonicalJson({ n: Number.NaN }), { code: 'BAD_INPUT' });
    assert.throws(() => canonicalJson({ n: Number.POSITIVE_INFINITY }), { code: 'BAD_INPUT' });
    assert.throws(() => canonicalJson({ d: new Date(0) }), { code: 'BAD_INPUT' });
    assert.throws(() => canonicalJson({ b: 1n }), { code: 'BAD_INPUT' });
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    assert.throws(() => canonicalJson([1, , 3]), { code: 'BAD_INPUT' });
  });
});

describe('entry hashing', () => {
  it('hashes a version prefix plus the ten named fields, sorted', () => {
    const text = entryHashInput(entry);
    assert.ok(text.startsWith(ENTRY_HASH_PREFIX));
    assert.equal(
      text.slice(ENTRY_HASH_PREFIX.length),
      '{"actor":"user:u1","at":"2025-01-01T00:00:00.000Z","details":"{\\"method\\":\\"password\\",\\"userId\\":\\"u1\\"}",' +
        '"id":"0190a5c2-0000-7000-8000-000000000001","orgId":"org-alpha","orgPrevHash":"' +
        GENESIS_HASH +
        '","orgSeq":1,"prevHash":"' +
        GENESIS_HASH +
        '","seq":1,"type":"auth.login.ok"}',
    );
    assert.equal(computeEntryHash(entry), sha256Hex(text));
  });

  it('is pinned: a change here would orphan every stored entry', () => {
    assert.equal(computeEntryHash(entry), sha256Hex(entryHashInput(entry)));
    assert.match(computeEntryHash(entry), /^[0-9a-f]{64}$/);
    assert.equal(computeEntryHash(entry), PINNED_ENTRY_HASH);
  });

  it('changes when any hashed field changes, and ignores fields outside the list', () => {
    const base = computeEntryHash(entry);
    for (const [field, value] of Object.entries({
      seq: 2,
      id: 'x',
      orgId: null,
      orgSeq: 2,
      actor: 'system',
      at: '2025-01-01T00:00:00.001Z',
      type: 'export',
      details: '{}',
      prevHash: '1'.repeat(64),
      orgPrevHash: null,
    })) {
      assert.notEqual(computeEntryHash({ ...entry, [field]: value }), base, field);
    }
    assert.equal(computeEntryHash({ ...entry, hash: 'whatever' } as HashedEntryFields), base);
  });

  it('writes exactly what the generic canonicalJson writes for the named fields', () => {
    const variants: HashedEntryFields[] = [
      entry,
      { ...entry, orgId: null, orgSeq: null, orgPrevHash: null },
      { ...entry, seq: 9_007_199_254_740_991, details: 'v1.3.a"b\\\u2028\ud800', actor: 'cli:é' },
    ];
    for (const variant of variants) {
      const { seq, id, orgId, orgSeq, actor, at, type, details, prevHash, orgPrevHash } = variant;
      const generic = canonicalJson({
        seq,
        id,
        orgId,
        orgSeq,
        actor,
        at,
        type,
        details,
        prevHash,
        orgPrevHash,
      });
      assert.equal(entryHashInput(variant), ENTRY_HASH_PREFIX + generic);
    }
  });

  it('refuses an entry with a missing or mistyped field', () => {
    const { orgSeq: _, ...partial } = entry;
    assert.throws(() => computeEntryHash(partial as HashedEntryFields), { code: 'BAD_INPUT' });
    assert.throws(() => computeEntryHash({ ...entry, seq: 1.5 }), { code: 'BAD_INPUT' });
    assert.throws(() => computeEntryHash({ ...entry, seq: '1' as unknown as number }), { code: 'BAD_INPUT' });
  });

  it('signs checkpoints over a separate prefix', () => {
    const text = checkpointSigningInput({
      seq: 5,
      at: '2025-01-01T00:00:00.000Z',
      headHash: GENESIS_HASH,
      orgHeads: '{}',
      baseSeq: 0,
      baseHash: GENESIS_HASH,
      baseOrgHeads: '{}',
      keyId: 'abcd',
    });
    assert.ok(text.startsWith('faceledger.audit.checkpoint.v1\n{"at":'));
  });
});

// Recomputed independently (Python: json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False)).
const PINNED_ENTRY_HASH = '6bb6e7806b190ded033bde5ce1e4a71b3f89c93eadf1ddd441808c0d2394d891';
