import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FaceLedgerError } from '../../core/errors.js';
import { AdaptiveIndex } from './adaptive-index.js';
import { INDEX_DEFAULTS, indexKindOf, openIndex } from './index-file.js';
import { ClusteredVectors } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-adaptive-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const D = 128;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const g = new ClusteredVectors({ count: 400, seed: 9 });
const data = g.chunk(0, 400);
const rows = (from: number, to: number) => data.slice((from - 1) * D, (to - 1) * D); // labels [from, to)

/** Every present label finds itself first with similarity ≈ 1 (vectors survived the conversions). */
function assertSelfFound(index: AdaptiveIndex, labels: number[]) {
  for (const label of labels) {
    const hit = index.search(rows(label, label + 1), 1)[0];
    assert.equal(hit?.label, label);
    assert.ok((hit?.similarity ?? 0) > 0.999, `similarity ${hit?.similarity}`);
  }
}

describe('AdaptiveIndex', () => {
  it('switches exact → HNSW at the threshold, and back only below the low-water mark', () => {
    const index = new AdaptiveIndex({ dimensions: D, threshold: 100, downgradeRatio: 0.5, threads: 2 });
    assert.equal(index.lowWater, 50);
    index.add(range(1, 100), rows(1, 100));
    assert.equal(index.kind, 'exact');
    index.add([100], rows(100, 101));
    assert.equal(index.kind, 'hnsw');
    assert.equal(index.size(), 100);
    assertSelfFound(index, [1, 50, 100]);

    // Hovering around the threshold: no conversion either way.
    for (let round = 0; round < 5; round++) {
      index.remove(range(90, 101));
      assert.equal(index.kind, 'hnsw');
      index.add(range(90, 101), rows(90, 101));
    }
    assert.equal(index.conversionCount, 1);

    index.remove(range(51, 101));
    assert.equal(index.size(), 50);
    assert.equal(index.kind, 'hnsw');
    index.remove([50]);
    assert.equal(index.kind, 'exact');
    assert.equal(index.conversionCount, 2);
    assert.deepEqual(
      index.labels().sort((a, b) => a - b),
      range(1, 50),
    );
    assertSelfFound(index, [1, 25, 49]);
    // Staying above the low-water mark but under the threshold keeps it exact.
    index.add(range(50, 99), rows(50, 99));
    assert.equal(index.kind, 'exact');
    index.close();
  });

  it('sends a big first batch straight to HNSW, and counts replacements right', () => {
    const index = new AdaptiveIndex({ dimensions: D, threshold: 100 });
    index.add(range(1, 300), rows(1, 300));
    assert.equal(index.kind, 'hnsw');
    assert.equal(index.size(), 299);
    index.close();

    const again = new AdaptiveIndex({ dimensions: D, threshold: 100 });
    again.add(range(1, 100), rows(1, 100));
    again.add(range(1, 100), rows(1, 100)); // replacements only: still 99 labels
    assert.equal(again.kind, 'exact');
    again.close();
  });

  it('never returns removed labels across a conversion', () => {
    const index = new AdaptiveIndex({ dimensions: D, threshold: 250 });
    index.add(range(1, 301), rows(1, 301));
    const removed = range(1, 301).filter((l) => l % 3 === 0);
    index.remove(removed);
    assert.equal(index.kind, 'hnsw');
    for (const label of removed.slice(0, 30))
      assert.ok(!index.search(rows(label, label + 1), 20).some((n) => removed.includes(n.label)));
    index.remove(range(1, 301).filter((l) => l % 3 === 1));
    assert.equal(index.kind, 'exact');
    assert.equal(index.size(), 100);
    for (const n of index.search(rows(2, 3), 100)) assert.equal(n.label % 3, 2);
    index.close();
  });
});

describe('openIndex', () => {
  it('returns a new empty index when there is no file', () => {
    const index = openIndex(join(dir, 'missing.index'));
    assert.equal(index.kind, 'exact');
    assert.equal(index.size(), 0);
    assert.equal(index.dimensions, INDEX_DEFAULTS.dimensions);
    assert.equal(index.threshold, INDEX_DEFAULTS.threshold);
    assert.equal(indexKindOf(join(dir, 'missing.index')), null);
  });

  it('reads back whichever kind was saved', () => {
    for (const [name, n] of [
      ['exact', 80],
      ['hnsw', 300],
    ] as const) {
      const path = join(dir, `${name}.index`);
      const index = new AdaptiveIndex({ dimensions: D, threshold: 100 });
      index.add(range(1, n + 1), rows(1, n + 1));
      assert.equal(index.kind, name);
      index.save(path);
      assert.equal(indexKindOf(path), name);
      const back = openIndex(path, { threshold: 100 });
      assert.equal(back.kind, name);
      assert.equal(back.size(), n);
      assertSelfFound(back, [1, n]);
      const viewed = openIndex(path, { threshold: 100, mode: 'view' });
      assert.equal(viewed.kind, name);
      assert.deepEqual(viewed.searchBatch(g.queries(5), 10), back.searchBatch(g.queries(5), 10));
      back.close();
      viewed.close();
      index.close();
    }
  });

  it('converts on open when the file is outside the band of the configured threshold', () => {
    const path = join(dir, 'rebalance.index');
    const index = new AdaptiveIndex({ dimensions: D, threshold: 1000 });
    index.add(range(1, 201), rows(1, 201));
    index.save(path);
    assert.equal(openIndex(path, { threshold: 100 }).kind, 'hnsw');
    const big = new AdaptiveIndex({ dimensions: D, threshold: 100 });
    big.add(range(1, 201), rows(1, 201));
    big.save(path);
    assert.equal(openIndex(path, { threshold: 1000 }).kind, 'exact');
    assert.equal(openIndex(path, { threshold: 1000, mode: 'view' }).kind, 'hnsw'); // read-only: left as is
  });

  it('refuses files that are not an index', () => {
    const path = join(dir, 'junk.index');
    writeFileSync(path, 'definitely not an index');
    assert.throws(
      () => openIndex(path),
      (err: unknown) =>
        err instanceof FaceLedgerError && err.code === 'INTERNAL' && /not a FaceLedger/.test(err.message),
    );
  });
});
