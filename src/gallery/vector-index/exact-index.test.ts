import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FaceLedgerError } from '../../core/errors.js';
import { ExactIndex, NATIVE_SCAN_FROM } from './exact-index.js';
import { ClusteredVectors } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-exact-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const D = 128;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function bruteForce(data: Float32Array, labels: number[], q: Float32Array, k: number) {
  const scores = labels.map((label, row) => {
    let s = 0;
    for (let j = 0; j < D; j++) s += (data[row * D + j] as number) * (q[j] as number);
    return { label, similarity: s };
  });
  return scores.sort((a, b) => b.similarity - a.similarity).slice(0, k);
}

function isCode(code: string, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof FaceLedgerError, `expected a FaceLedgerError, got ${err}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}

describe('ExactIndex', () => {
  for (const n of [100, NATIVE_SCAN_FROM * 4]) {
    it(`returns the exact top-k with cosine similarities (${n} vectors, ${n < NATIVE_SCAN_FROM ? 'JS' : 'native'} scan)`, () => {
      const g = new ClusteredVectors({ count: n, seed: 7 });
      const data = g.chunk(0, n);
      const labels = range(1, n + 1);
      const index = new ExactIndex({ dimensions: D });
      index.add(labels, data);
      const queries = g.queries(20);
      for (let i = 0; i < 20; i++) {
        const q = queries.slice(i * D, (i + 1) * D);
        const got = index.search(q, 10);
        const want = bruteForce(data, labels, q, 10);
        assert.deepEqual(
          got.map((x) => x.label),
          want.map((x) => x.label),
        );
        for (let j = 0; j < 10; j++)
          assert.ok(Math.abs((got[j]?.similarity ?? 0) - (want[j]?.similarity ?? 0)) < 1e-5);
      }
    });
  }

  it('add / search / remove / re-add', () => {
    const g = new ClusteredVectors({ count: 1000, seed: 3 });
    const data = g.chunk(0, 1000);
    const index = new ExactIndex({ dimensions: D });
    index.add(range(1, 1001), data);
    assert.equal(index.size(), 1000);
    const v5 = data.slice(4 * D, 5 * D);
    assert.equal(index.search(v5, 1)[0]?.label, 5);

    assert.equal(index.remove([5, 5, 99_999]), 1);
    assert.equal(index.size(), 999);
    assert.equal(index.has(5), false);
    assert.ok(!index.search(v5, 50).some((n) => n.label === 5));
    assert.equal(new Set(index.labels()).size, 999);

    // Re-add 5 with vector 7's direction: it must be found there, and no longer at its old place.
    const v7 = data.slice(6 * D, 7 * D);
    index.add([5], v7);
    const top = index.search(v7, 2).map((n) => n.label);
    assert.deepEqual(top.sort(), [5, 7]);
    assert.notEqual(index.search(v5, 1)[0]?.label, 5);

    // Replacing an existing label keeps the size; the last occurrence in a batch wins.
    index.add([7, 7], new Float32Array([...v5, ...v5]));
    assert.equal(index.size(), 1000);
    const hit = index.search(v5, 1)[0];
    assert.equal(hit?.label, 7);
    assert.ok(Math.abs((hit?.similarity ?? 0) - 1) < 1e-5);
  });

  it('normalises vectors, so similarity is the cosine', () => {
    const index = new ExactIndex({ dimensions: 2 });
    index.add([1, 2], new Float32Array([3, 0, 5, 5]));
    const [a, b] = index.search(new Float32Array([10, 0]), 2);
    assert.equal(a?.label, 1);
    assert.ok(Math.abs((a?.similarity ?? 0) - 1) < 1e-6);
    assert.ok(Math.abs((b?.similarity ?? 0) - Math.SQRT1_2) < 1e-6);
  });

  it('reads queries at any byte offset (usearch exactSearch ignores byteOffset) and batches agree', () => {
    const n = NATIVE_SCAN_FROM * 2;
    const g = new ClusteredVectors({ count: n, seed: 11 });
    const index = new ExactIndex({ dimensions: D, threads: 2 });
    index.add(range(1, n + 1), g.chunk(0, n));
    const queries = g.queries(8);
    const batch = index.searchBatch(queries, 10);
    for (let i = 0; i < 8; i++) {
      const view = queries.subarray(i * D, (i + 1) * D); // byteOffset ≠ 0 for i > 0
      assert.deepEqual(index.search(view, 10), batch[i]);
      assert.deepEqual(index.search(view.slice(), 10), batch[i]);
    }
  });

  it('handles k = 0, k > size, an empty index', () => {
    const index = new ExactIndex({ dimensions: D });
    const q = new ClusteredVectors({ count: 1 }).queries(1);
    assert.deepEqual(index.search(q, 10), []);
    assert.deepEqual(index.searchBatch(new Float32Array(2 * D).fill(1), 10), [[], []]);
    index.add([1, 2], new ClusteredVectors({ count: 2 }).chunk(0, 2));
    assert.equal(index.search(q, 10).length, 2);
    assert.equal(index.search(q, 0).length, 0);
  });

  it('rejects bad labels and vectors with BAD_INPUT and leaves the index unchanged', () => {
    const index = new ExactIndex({ dimensions: 4 });
    index.add([1], new Float32Array([1, 0, 0, 0]));
    assert.throws(() => index.add([0], new Float32Array(4).fill(1)), isCode('BAD_INPUT'));
    assert.throws(() => index.add([1.5], new Float32Array(4).fill(1)), isCode('BAD_INPUT'));
    assert.throws(() => index.add([2 ** 53], new Float32Array(4).fill(1)), isCode('BAD_INPUT'));
    assert.throws(() => index.add([2], new Float32Array(3)), isCode('BAD_INPUT'));
    assert.throws(
      () => index.add([2, 3], new Float32Array([1, 0, 0, 0, 0, 0, 0, 0])),
      isCode('BAD_INPUT', /zero/),
    );
    assert.throws(() => index.add([2], new Float32Array([Number.NaN, 0, 0, 1])), isCode('BAD_INPUT'));
    assert.throws(() => index.search(new Float32Array(5), 1), isCode('BAD_INPUT'));
    assert.equal(index.size(), 1);
    assert.deepEqual(index.labels(), [1]);
  });

  it('saves and reads back the same index', () => {
    const n = 700;
    const g = new ClusteredVectors({ count: n, seed: 5 });
    const index = new ExactIndex({ dimensions: D });
    index.add(range(10, 10 + n), g.chunk(0, n));
    index.remove([10, 11, 500]);
    const path = join(dir, 'round-trip.index');
    index.save(path);
    assert.equal(statSync(path).size, 40 + (n - 3) * (8 + 4 * D));
    const back = ExactIndex.read(path, { dimensions: D });
    assert.equal(back.size(), n - 3);
    assert.deepEqual(back.labels().sort(), index.labels().sort());
    const queries = g.queries(5);
    assert.deepEqual(back.searchBatch(queries, 10), index.searchBatch(queries, 10));
    // Saving over an existing file replaces it.
    back.add([1], g.chunk(0, 1));
    back.save(path);
    assert.equal(ExactIndex.read(path).size(), n - 2);
  });

  it('detects truncated and corrupt files', () => {
    const g = new ClusteredVectors({ count: 50 });
    const index = new ExactIndex({ dimensions: D });
    index.add(range(1, 51), g.chunk(0, 50));
    const path = join(dir, 'corrupt.index');
    index.save(path);
    const good = readFileSync(path);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated', good.subarray(0, good.length - 100), /truncated|bytes where/],
      ['header only', good.subarray(0, 20), /shorter than the header/],
      ['payload bit flip', Buffer.from(good).fill(7, 2000, 2001), /payload checksum/],
      ['header bit flip', Buffer.from(good).fill(9, 13, 14), /header checksum/],
      ['bad magic', Buffer.concat([Buffer.from('NOTMAGIC'), good.subarray(8)]), /bad magic/],
    ];
    for (const [name, bytes, message] of cases) {
      writeFileSync(path, bytes);
      assert.throws(() => ExactIndex.read(path), isCode('INTERNAL', message), name);
    }
    writeFileSync(path, good);
    assert.throws(() => ExactIndex.read(path, { dimensions: 64 }), isCode('INTERNAL', /128-d/));
  });

  it('throws after close', () => {
    const index = new ExactIndex({ dimensions: 4 });
    index.close();
    assert.throws(() => index.size(), isCode('INTERNAL', /close/));
  });
});
