import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMPOSTOR_TAIL, OPERATING_POINTS, searchThresholds, thresholdAtFmr } from './operating-points.js';

describe('search thresholds', () => {
  it('interpolates the measured impostor tail and clamps outside it', () => {
    for (const row of IMPOSTOR_TAIL) assert.ok(Math.abs(thresholdAtFmr(row.fmr) - row.threshold) < 1e-9);
    assert.equal(thresholdAtFmr(0.5), IMPOSTOR_TAIL[0]?.threshold);
    assert.equal(thresholdAtFmr(1e-12), IMPOSTOR_TAIL[IMPOSTOR_TAIL.length - 1]?.threshold);
    const mid = thresholdAtFmr(2e-4);
    assert.ok(mid > OPERATING_POINTS.fmr1e3 && mid < OPERATING_POINTS.fmr1e4);
  });

  it('keeps the 1:1 points for tiny galleries, rises with gallery size, and stops at the measured tail', () => {
    assert.deepEqual(searchThresholds(1), {
      possible: OPERATING_POINTS.fmr1e3,
      high: OPERATING_POINTS.fmr1e4,
    });
    const small = searchThresholds(100);
    const large = searchThresholds(5_000);
    assert.ok(large.possible > small.possible && small.possible > OPERATING_POINTS.fmr1e3);
    assert.ok(large.high >= large.possible);
    const last = IMPOSTOR_TAIL[IMPOSTOR_TAIL.length - 1]?.threshold;
    assert.deepEqual(searchThresholds(1e9), { possible: last, high: last });
  });
});
