import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ALERT_RULES, judgeHours, judgeVolume, resolveAlertRules } from './alert-rules.js';

const volume = { baselineDays: 4, k: 2, minimum: 5, dailyCap: 50 };

describe('judgeVolume', () => {
  it('fires only above mean + k·sd of the own baseline', () => {
    // mean 10, sd 2 → threshold 14
    assert.deepEqual(judgeVolume(14, [8, 12, 8, 12], volume), []);
    const [verdict] = judgeVolume(15, [8, 12, 8, 12], volume);
    assert.equal(verdict?.kind, 'volume-baseline');
    assert.deepEqual(verdict?.details, {
      count: 15,
      threshold: 14,
      baselineMean: 10,
      baselineSd: 2,
      baselineDays: 4,
      k: 2,
    });
  });

  it('never fires at or below the minimum, even for a user with no history', () => {
    assert.deepEqual(judgeVolume(5, [0, 0, 0, 0], volume), []);
    assert.equal(judgeVolume(6, [0, 0, 0, 0], volume)[0]?.kind, 'volume-baseline');
  });

  it('a busy baseline is no alert; the absolute cap fires whatever the baseline', () => {
    assert.deepEqual(judgeVolume(50, [49, 51, 50, 50], volume), []);
    const verdicts = judgeVolume(51, [60, 60, 60, 60], volume);
    assert.deepEqual(
      verdicts.map((v) => v.kind),
      ['volume-cap'],
    );
    assert.deepEqual(verdicts[0]?.details, { count: 51, cap: 50 });
  });
});

describe('judgeHours', () => {
  const utc = { startHour: 7, endHour: 20, timeZone: 'UTC' };

  it('working hours are start inclusive, end exclusive', () => {
    assert.deepEqual(judgeHours(new Date('2025-03-10T06:59:59Z'), utc), {
      outside: true,
      localTime: '06:59',
    });
    assert.equal(judgeHours(new Date('2025-03-10T07:00:00Z'), utc).outside, false);
    assert.equal(judgeHours(new Date('2025-03-10T19:59:59Z'), utc).outside, false);
    assert.equal(judgeHours(new Date('2025-03-10T20:00:00Z'), utc).outside, true);
  });

  it('reads the hours in the configured IANA zone, summer time included', () => {
    const berlin = { ...utc, timeZone: 'Europe/Berlin' };
    // 06:30 UTC is 07:30 in Berlin (CET, +1): inside; 05:30 UTC is 06:30: outside.
    assert.equal(judgeHours(new Date('2025-03-10T06:30:00Z'), berlin).outside, false);
    assert.deepEqual(judgeHours(new Date('2025-03-10T05:30:00Z'), berlin), {
      outside: true,
      localTime: '06:30',
    });
    // In July Berlin is +2: 18:30 UTC is 20:30 local, outside although UTC says inside.
    assert.equal(judgeHours(new Date('2025-07-10T18:30:00Z'), berlin).outside, true);
    assert.equal(judgeHours(new Date('2025-07-10T18:30:00Z'), utc).outside, false);
  });

  it('an end before the start spans midnight (night shift)', () => {
    const night = { startHour: 22, endHour: 6, timeZone: 'UTC' };
    assert.equal(judgeHours(new Date('2025-03-10T23:00:00Z'), night).outside, false);
    assert.equal(judgeHours(new Date('2025-03-10T05:59:00Z'), night).outside, false);
    assert.equal(judgeHours(new Date('2025-03-10T12:00:00Z'), night).outside, true);
  });
});

describe('resolveAlertRules', () => {
  it('overlays overrides on the defaults', () => {
    assert.deepEqual(resolveAlertRules(), DEFAULT_ALERT_RULES);
    const rules = resolveAlertRules({ workingHours: { timeZone: 'America/New_York' }, volume: { k: 2 } });
    assert.equal(rules.workingHours.timeZone, 'America/New_York');
    assert.equal(rules.workingHours.startHour, 7);
    assert.equal(rules.volume.k, 2);
    assert.equal(rules.volume.dailyCap, DEFAULT_ALERT_RULES.volume.dailyCap);
  });

  it('refuses nonsense with BAD_INPUT naming the option', () => {
    for (const [overrides, path] of [
      [{ workingHours: { timeZone: 'Mars/Olympus_Mons' } }, /workingHours.timeZone/],
      [{ workingHours: { startHour: 25 } }, /workingHours.startHour/],
      [{ workingHours: { startHour: 8, endHour: 8 } }, /workingHours/],
      [{ probeBurst: { count: 1 } }, /probeBurst.count/],
      [{ volume: { dailyCap: 0 } }, /volume.dailyCap/],
    ] as const) {
      assert.throws(
        () => resolveAlertRules(overrides),
        (err: Error & { code?: string }) => err.code === 'BAD_INPUT' && path.test(err.message),
        JSON.stringify(overrides),
      );
    }
  });
});
