import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rocAuc, type ScoredPair, tarAtFar, tenFoldAccuracy, thresholdAtFmr } from './metrics.js';

const pair = (fold: number, same: boolean, score: number | null): ScoredPair => ({ fold, same, score });

describe('LFW metrics', () => {
  it('scores a perfectly separated set at 100% and AUC 1', () => {
    const pairs = [0, 1, 2].flatMap((f) => [
      pair(f, true, 0.9),
      pair(f, true, 0.8),
      pair(f, false, 0.1),
      pair(f, false, 0.2),
    ]);
    assert.equal(tenFoldAccuracy(pairs).mean, 1);
    assert.equal(rocAuc(pairs), 1);
  });

  it('counts a pair with a missing face as an error in accuracy, whatever its label', () => {
    const pairs = [0, 1].flatMap((f) => [
      pair(f, true, 0.9),
      pair(f, false, 0.1),
      pair(f, false, null),
      pair(f, true, 0.8),
    ]);
    assert.equal(tenFoldAccuracy(pairs).mean, 0.75);
  });

  it('gives AUC 0.5 for indistinguishable scores', () => {
    assert.equal(rocAuc([pair(0, true, 0.5), pair(0, false, 0.5)]), 0.5);
  });

  it('finds the threshold that at most the allowed share of impostors reach', () => {
    const impostors = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const t = thresholdAtFmr(impostors, 0.01);
    assert.equal(impostors.filter((s) => s >= t).length, 10);
    const genuine = [pair(0, true, 0.995), pair(0, true, 0.5)];
    const tar = tarAtFar([...genuine, ...impostors.map((s) => pair(0, false, s))], 0.01);
    assert.equal(tar.tar, 0.5);
  });
});
