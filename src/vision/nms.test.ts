import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iou } from './geometry.js';
import { nonMaxSuppression } from './nms.js';

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint ones, and 1/3 for half-overlapping equal boxes', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    assert.equal(iou(a, a), 1);
    assert.equal(iou(a, { x: 20, y: 0, width: 10, height: 10 }), 0);
    assert.ok(Math.abs(iou(a, { x: 5, y: 0, width: 10, height: 10 }) - 1 / 3) < 1e-12);
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the best of overlapping boxes and every separate one', () => {
    const box = (x: number) => ({ x, y: 0, width: 10, height: 10 });
    const kept = nonMaxSuppression(
      [
        { box: box(0), score: 0.7 },
        { box: box(1), score: 0.9 },
        { box: box(50), score: 0.8 },
      ],
      0.3,
    );
    assert.deepEqual(
      kept.map((k) => k.score),
      [0.9, 0.8],
    );
  });
});
