/** Small shared pieces: messages, the investigative-lead notice, confidence bands, "not permitted". */
import type { ComponentChildren } from 'preact';
import { messageOf } from '../api/client.js';
import type { Confidence } from '../api/types.js';

export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div class="message error" role="alert">
      {title ? <strong>{title}</strong> : null}
      {messageOf(error)}
    </div>
  );
}

export function Message({
  kind,
  title,
  children,
}: {
  kind: 'error' | 'warn' | 'ok' | 'info';
  title?: string;
  children?: ComponentChildren;
}) {
  return (
    <div class={`message ${kind}`} role={kind === 'error' || kind === 'warn' ? 'alert' : 'status'}>
      {title ? <strong>{title}</strong> : null}
      {children}
    </div>
  );
}

/** Shown on every page that shows search results: a candidate is a lead to check, never an identification. */
export function LeadNotice() {
  return (
    <div class="lead-notice" role="note" data-testid="lead-notice">
      <span aria-hidden="true">⚠</span>
      <span>
        Investigative lead only — not an identification. Every candidate must be checked by other means before
        any action is taken.
      </span>
    </div>
  );
}

const BAND_LABEL: Record<Confidence, string> = { high: 'High', possible: 'Possible', low: 'Low' };

export function Band({ confidence }: { confidence: Confidence }) {
  return <span class={`band ${confidence}`}>{BAND_LABEL[confidence]}</span>;
}

export function NotPermitted({ what }: { what: string }) {
  return (
    <div class="center-page panel" data-testid="not-permitted">
      <h1>Not permitted</h1>
      <p class="muted">
        Your role does not permit the {what} page. If you need it for your work, ask your organisation’s
        admin.
      </p>
      <a class="button secondary" href="/">
        Go to your start page
      </a>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <div class="center-page panel">
      <h1>Page not found</h1>
      <p class="muted">There is no page at this address.</p>
      <a class="button secondary" href="/">
        Go to your start page
      </a>
    </div>
  );
}

/** A time for people, in their own zone; `seconds` where order within a minute matters (the audit log). */
export function formatTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  });
}

export function formatSimilarity(s: number | null | undefined): string {
  return s === null || s === undefined ? '—' : s.toFixed(3);
}
