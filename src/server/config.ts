/**
 * Server configuration: one zod schema over a JSON config file, then FACELEDGER_* environment
 * variables, then command-line flags (each later source wins). Validated once at start; a bad value
 * stops the server with a message naming the setting.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FaceLedgerError } from '../core/errors.js';

const MiB = 1024 * 1024;

/** A person opts out once; a few retries for a photo without a usable face. */
export const DEFAULT_OPT_OUT_PER_HOUR = 5;

export const serverConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Base URL people reach the server at, for setup links. */
  publicUrl: z.url().optional(),
  /** Set when served over HTTPS (directly or behind a proxy): cookies get `Secure`. */
  secureCookies: z.coerce.boolean().default(false),
  /** Trust X-Forwarded-* from a reverse proxy (for client IPs in the audit log and rate limits). */
  trustProxy: z.coerce.boolean().default(false),
  /** JSON bodies. */
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1 * MiB),
  /** Probe photos, selfies. */
  maxImageBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * MiB),
  /** Gallery archives and manifests uploaded for ingest (written to disk as they arrive). */
  maxArchiveBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2048 * MiB),
  /** Minutes between retention / lockout / session sweeps; 0 turns the scheduler off. */
  sweepMinutes: z.coerce.number().min(0).default(60),
  /** Public opt-out submissions per client address per hour (each runs the face pipeline). */
  optOutPerHour: z.coerce.number().int().min(1).default(DEFAULT_OPT_OUT_PER_HOUR),
  /**
   * Days a public opt-out is held (the face suppressed at once) before its matching faces are erased,
   * unless a platform-admin confirms or rejects it sooner.
   */
  optOutHoldDays: z.coerce.number().int().min(1).max(365).default(30),
  /** Search purposes offered and accepted (offence categories). Empty: the built-in list. */
  purposes: z.array(z.string().min(1).max(64)).default([]),
  /** Working hours for the out-of-hours alert (24 h clock, in `timeZone`). */
  workingHours: z
    .strictObject({
      start: z.number().int().min(0).max(23),
      end: z.number().int().min(1).max(24),
      timeZone: z.string().default('UTC'),
    })
    .default({ start: 7, end: 20, timeZone: 'UTC' }),
  /** Optional webhook that receives alert notices (no case numbers, no personal data). */
  alertWebhookUrl: z.url().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

const ENV_KEYS: Readonly<Record<string, keyof ServerConfigInput>> = {
  FACELEDGER_HOST: 'host',
  FACELEDGER_PORT: 'port',
  FACELEDGER_PUBLIC_URL: 'publicUrl',
  FACELEDGER_SECURE_COOKIES: 'secureCookies',
  FACELEDGER_TRUST_PROXY: 'trustProxy',
  FACELEDGER_SWEEP_MINUTES: 'sweepMinutes',
  FACELEDGER_OPT_OUT_HOLD_DAYS: 'optOutHoldDays',
  FACELEDGER_ALERT_WEBHOOK_URL: 'alertWebhookUrl',
  FACELEDGER_LOG_LEVEL: 'logLevel',
};

function envValue(raw: string): string | boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return raw;
}

export function loadServerConfig(options: {
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: ServerConfigInput;
}): ServerConfig {
  let fromFile: Record<string, unknown> = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new FaceLedgerError(
        'BAD_INPUT',
        `cannot read config file ${options.file}: ${(err as Error).message}`,
      );
    }
    try {
      fromFile = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new FaceLedgerError('BAD_INPUT', `config file ${options.file} is not valid JSON`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = (options.env ?? process.env)[name];
    if (raw !== undefined && raw !== '') fromEnv[key] = envValue(raw);
  }
  const merged = {
    ...fromFile,
    ...fromEnv,
    ...Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined)),
  };
  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)
      .join('; ');
    throw new FaceLedgerError('BAD_INPUT', `invalid server configuration — ${problems}`);
  }
  return parsed.data;
}
