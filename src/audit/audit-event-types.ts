/**
 * The kinds of audit event, alone in a file without dependencies: the web app's filters import this
 * list too, so a new event type appears there without a second copy to keep in step.
 */
export const AUDIT_EVENT_TYPES = [
  'auth.login.ok',
  'auth.login.failed',
  'auth.lockout',
  'auth.unlock',
  'auth.mfa.changed',
  'user.changed',
  'apikey.changed',
  'search.run',
  'search.result.viewed',
  'export',
  'ingest.run',
  'erasure',
  'retention.purge',
  'config.changed',
  'audit.verified',
  'alert.acknowledged',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
