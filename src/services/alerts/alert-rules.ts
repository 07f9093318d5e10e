/**
 * The alert rules as pure decisions over numbers and times, and the options that tune them. The
 * service (alert-service.ts) gathers the facts from the audit log and the search counts; nothing here
 * touches the database.
 */
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';

export const ALERT_KINDS = [
  /** A user's searches today far above their own recent days. */
  'volume-baseline',
  /** A user's searches today above the absolute daily cap. */
  'volume-cap',
  /** A search outside the configured working hours. */
  'off-hours',
  /** The same probe searched many times in a short window, by anyone in the org. */
  'probe-burst',
  /** A locked, disabled, revoked or expired account tried to log in or search. */
  'inactive-account',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertRuleOptions {
  volume: {
    /** Previous days that make up a user's baseline (days without searches count as 0). */
    baselineDays: number;
    /** Today's count must exceed mean + k·sd of the baseline... */
    k: number;
    /** ...and never fires at or below this many searches, however quiet the baseline. */
    minimum: number;
    /** Searches in one UTC day above which a user is always flagged. */
    dailyCap: number;
  };
  workingHours: {
    /** Local hour (0–23) the working day starts. */
    startHour: number;
    /** Local hour (1–24) it ends (exclusive); an end before the start spans midnight (night shifts). */
    endHour: number;
    /** IANA time zone the hours are read in. */
    timeZone: string;
  };
  probeBurst: {
    /** Searches of one probe (same sha256) across the org... */
    count: number;
    /** ...within this many minutes. */
    windowMinutes: number;
  };
}

export const DEFAULT_ALERT_RULES: Readonly<AlertRuleOptions> = Object.freeze({
  volume: Object.freeze({ baselineDays: 14, k: 3, minimum: 20, dailyCap: 200 }),
  workingHours: Object.freeze({ startHour: 7, endHour: 20, timeZone: 'UTC' }),
  probeBurst: Object.freeze({ count: 5, windowMinutes: 30 }),
});

/** Partial overrides, section by section. */
export interface AlertRuleOverrides {
  volume?: Partial<AlertRuleOptions['volume']>;
  workingHours?: Partial<AlertRuleOptions['workingHours']>;
  probeBurst?: Partial<AlertRuleOptions['probeBurst']>;
}

const rulesSchema = z.strictObject({
  volume: z.strictObject({
    baselineDays: z.int().min(1).max(365),
    k: z.number().min(0).max(100),
    minimum: z.int().min(0),
    dailyCap: z.int().min(1),
  }),
  workingHours: z
    .strictObject({
      startHour: z.int().min(0).max(23),
      endHour: z.int().min(1).max(24),
      timeZone: z.string().min(1).refine(isTimeZone, 'unknown IANA time zone'),
    })
    .refine((h) => h.startHour !== h.endHour, 'startHour and endHour must differ'),
  probeBurst: z.strictObject({
    count: z.int().min(2),
    windowMinutes: z
      .int()
      .min(1)
      .max(24 * 60),
  }),
});

/** Defaults overlaid with `overrides`, validated (BAD_INPUT names the bad option). */
export function resolveAlertRules(overrides: AlertRuleOverrides = {}): AlertRuleOptions {
  const merged = {
    volume: { ...DEFAULT_ALERT_RULES.volume, ...overrides.volume },
    workingHours: { ...DEFAULT_ALERT_RULES.workingHours, ...overrides.workingHours },
    probeBurst: { ...DEFAULT_ALERT_RULES.probeBurst, ...overrides.probeBurst },
  };
  const result = rulesSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FaceLedgerError(
      'BAD_INPUT',
      `alert rule option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface VolumeVerdict {
  kind: 'volume-baseline' | 'volume-cap';
  details: Record<string, number>;
}

/**
 * Today's count against the user's own previous days (`history`: one count per baseline day, zeros
 * included) and against the absolute cap. Both may fire on the same day.
 */
export function judgeVolume(today: number, history: readonly number[], rules: AlertRuleOptions['volume']) {
  const verdicts: VolumeVerdict[] = [];
  const n = history.length;
  const mean = n === 0 ? 0 : history.reduce((a, b) => a + b, 0) / n;
  const sd = n === 0 ? 0 : Math.sqrt(history.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const threshold = Math.max(rules.minimum, Math.ceil(mean + rules.k * sd));
  if (today > threshold) {
    verdicts.push({
      kind: 'volume-baseline',
      details: {
        count: today,
        threshold,
        baselineMean: round2(mean),
        baselineSd: round2(sd),
        baselineDays: n,
        k: rules.k,
      },
    });
  }
  if (today > rules.dailyCap)
    verdicts.push({ kind: 'volume-cap', details: { count: today, cap: rules.dailyCap } });
  return verdicts;
}

/** The local wall-clock time of `at` in the rule's zone, and whether it falls outside working hours. */
export function judgeHours(
  at: Date,
  rules: AlertRuleOptions['workingHours'],
): { outside: boolean; localTime: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: rules.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  const local = hour + minute / 60;
  const { startHour: start, endHour: end } = rules;
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  return {
    outside: !inside,
    localTime: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
