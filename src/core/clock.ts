/** Injected wherever time matters (retention, job timestamps), so tests can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Milliseconds in a day: retention periods, holds and expiries are counted in whole days. */
export const DAY_MS = 86_400_000;
