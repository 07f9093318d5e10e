/** Injected wherever time matters (retention, job timestamps), so tests can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
