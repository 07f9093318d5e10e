/**
 * Tells an outside system that an alert was raised: POST `{ id, orgId, kind, at }` as JSON. Only those
 * four fields ever leave — no subject, no details — so a webhook receiver learns nothing about who
 * searched for what; it fetches the alert through the API if it is allowed to.
 *
 * Fire-and-forget with a short timeout: alerting must never slow down or fail the search that raised
 * it. Failures are logged (without the payload) and swallowed; `drain()` lets shutdown and tests wait.
 */
import { FaceLedgerError } from '../../core/errors.js';

export interface AlertWebhookOptions {
  /** http(s) URL to POST to. */
  url: string;
  /** Default 3000 ms. */
  timeoutMs?: number;
}

export interface AlertNotice {
  id: string;
  orgId: string;
  kind: string;
  at: string;
}

/** pino-compatible: `logger.warn({ ...fields }, 'message')`. */
export interface AlertLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 3000;

export class AlertWebhook {
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #log: AlertLogger;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: AlertWebhookOptions, log: AlertLogger) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new FaceLedgerError('BAD_INPUT', 'alert webhook URL is not a valid URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new FaceLedgerError('BAD_INPUT', 'alert webhook URL must be http or https');
    const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000)
      throw new FaceLedgerError('BAD_INPUT', 'alert webhook timeout must be 1 to 60000 ms');
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#log = log;
  }

  /** Starts the POST and returns at once. */
  notify(alert: AlertNotice): void {
    const body = JSON.stringify({ id: alert.id, orgId: alert.orgId, kind: alert.kind, at: alert.at });
    const sent = this.#post(body, alert.id).finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
  }

  /** Waits for every POST in flight to finish or time out. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #post(body: string, alertId: string): Promise<void> {
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // The body is not needed; release the connection.
      await response.body?.cancel();
      if (!response.ok)
        this.#log.warn({ alertId, status: response.status }, 'alert webhook answered with an error status');
    } catch (err) {
      const reason = err instanceof Error ? err.name : 'unknown';
      this.#log.warn({ alertId, reason }, 'alert webhook failed');
    }
  }
}
