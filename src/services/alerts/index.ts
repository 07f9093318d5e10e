/**
 * Alerts for an org's auditors: unusual volume (own baseline and absolute cap), searches outside
 * working hours, bursts on one probe, activity of locked/disabled/expired accounts. Shells hold one
 * `AlertService`; the search use case calls `afterSearch`, a timer calls `scan`.
 */
export {
  ALERT_KINDS,
  type AlertKind,
  type AlertRuleOptions,
  type AlertRuleOverrides,
  DEFAULT_ALERT_RULES,
  resolveAlertRules,
} from './alert-rules.js';
export {
  ALERT_LIST_MAX_LIMIT,
  type AlertPage,
  AlertService,
  type AlertServiceDeps,
  type AlertServiceOptions,
  type ScanResult,
  type SearchFacts,
} from './alert-service.js';
export {
  type AlertLogger,
  type AlertNotice,
  type AlertWebhookOptions,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
} from './alert-webhook.js';
export type { Alert } from './alerts-repo.js';
export { ALERTS_MIGRATION } from './alerts-schema.js';
