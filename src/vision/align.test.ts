import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALIGNED_SIZE,
  ARCFACE_TEMPLATE,
  alignFace,
  applySimilarity,
  estimateSimilarity,
  flipHorizontal,
} from './align.js';
import type { Landmarks, Point } from './geometry.js';
import { rgbImage } from './image.js';

describe('estimateSimilarity', () => {
  it('recovers a known rotation, scale and translation', () => {
    const angle = 0.3;
    const scale = 1.7;
    const truth = { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx: 12, ty: -5 };
    const from = ARCFACE_TEMPLATE;
    const to = from.map((p) => applySimilarity(truth, p));
    const m = estimateSimilarity(from, to);
    for (const k of ['a', 'b', 'tx', 'ty'] as const) assert.ok(Math.abs(m[k] - truth[k]) < 1e-9, k);
  });

  it('never reflects: mirrored points give a poor fit, not a flip', () => {
    const mirrored = ARCFACE_TEMPLATE.map(([x, y]) => [ALIGNED_SIZE - x, y] as Point);
    const m = estimateSimilarity(mirrored, ARCFACE_TEMPLATE);
    const err = mirrored.reduce((s, p, i) => {
      const q = applySimilarity(m, p);
      const t = ARCFACE_TEMPLATE[i] as Point;
      return s + Math.hypot(q[0] - t[0], q[1] - t[1]);
    }, 0);
    assert.ok(err > 20, `a reflection would fit exactly; error was ${err}`);
  });

  it('rejects coincident points', () => {
    assert.throws(
      () =>
        estimateSimilarity(
          [
            [1, 1],
            [1, 1],
          ],
          [
            [0, 0],
            [1, 1],
          ],
        ),
      RangeError,
    );
  });
});

describe('alignFace', () => {
  it('is the identity when the landmarks already sit on the template', () => {
    const data = new Uint8Array(ALIGNED_SIZE * ALIGNED_SIZE * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 251;
    const image = rgbImage(ALIGNED_SIZE, ALIGNED_SIZE, data);
    const aligned = alignFace(image, ARCFACE_TEMPLATE);
    assert.deepEqual(aligned.data, image.data);
  });

  it('undoes a 2× scale and shift', () => {
    // A 224×224 picture whose content is the template picture enlarged 2× and shifted by (0, 0).
    const small = new Uint8Array(ALIGNED_SIZE * ALIGNED_SIZE * 3);
    for (let y = 0; y < ALIGNED_SIZE; y++)
      for (let x = 0; x < ALIGNED_SIZE; x++)
        small.fill(x < 56 ? 200 : 20, (y * ALIGNED_SIZE + x) * 3, (y * ALIGNED_SIZE + x) * 3 + 3);
    const big = new Uint8Array(224 * 224 * 3);
    for (let y = 0; y < 224; y++)
      for (let x = 0; x < 224; x++) big.fill(x < 112 ? 200 : 20, (y * 224 + x) * 3, (y * 224 + x) * 3 + 3);
    const landmarks = ARCFACE_TEMPLATE.map(
      ([x, y]) => [x * 2 + 0.5, y * 2 + 0.5] as Point,
    ) as unknown as Landmarks;
    const aligned = alignFace(rgbImage(224, 224, big), landmarks);
    let mismatches = 0;
    for (let i = 0; i < small.length; i++)
      if (Math.abs((aligned.data[i] ?? 0) - (small[i] ?? 0)) > 1) mismatches++;
    // Only the one column on the edge between the halves may blend.
    assert.ok(mismatches <= ALIGNED_SIZE * 3, `${mismatches} mismatching samples`);
  });

  it('fills area outside the picture with black', () => {
    const image = rgbImage(10, 10, new Uint8Array(300).fill(255));
    const aligned = alignFace(image, ARCFACE_TEMPLATE);
    assert.equal(aligned.data[(111 * ALIGNED_SIZE + 111) * 3], 0);
  });
});

describe('flipHorizontal', () => {
  it('mirrors columns and is its own inverse', () => {
    const image = rgbImage(3, 1, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    assert.deepEqual(Array.from(flipHorizontal(image).data), [7, 8, 9, 4, 5, 6, 1, 2, 3]);
    assert.deepEqual(flipHorizontal(flipHorizontal(image)).data, image.data);
  });
});
