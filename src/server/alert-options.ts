import type { AlertLogger, AlertServiceOptions } from '../services/alerts/index.js';
import type { ServerConfig } from './config.js';

/** The alert settings the server configuration carries (working hours, webhook), as service options. */
export function alertOptionsFromConfig(config: ServerConfig, logger?: AlertLogger): AlertServiceOptions {
  return {
    rules: {
      workingHours: {
        startHour: config.workingHours.start,
        endHour: config.workingHours.end,
        timeZone: config.workingHours.timeZone,
      },
    },
    ...(config.alertWebhookUrl ? { webhook: { url: config.alertWebhookUrl } } : {}),
    ...(logger ? { logger } : {}),
  };
}
