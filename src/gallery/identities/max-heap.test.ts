import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MaxHeap } from './max-heap.js';

describe('MaxHeap', () => {
  it('pops the largest key first, ties to the smaller id', () => {
    const heap = new MaxHeap();
    const entries: [number, number][] = [];
    let seed = 7;
    for (let id = 0; id < 500; id++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const key = (seed % 50) / 50; // many ties
      entries.push([key, id]);
      heap.push(key, id);
    }
    assert.equal(heap.size, 500);
    entries.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    const popped: [number, number][] = [];
    while (heap.size > 0) {
      const key = heap.peekKey();
      popped.push([key, heap.pop()]);
    }
    assert.deepEqual(popped, entries);
    assert.equal(heap.pop(), -1);
    assert.ok(Number.isNaN(heap.peekKey()));
  });
});
