import type { FaceLedgerApp } from '../services/app.js';
import type { Services } from '../services/registry.js';
import type { ServerConfig } from './config.js';
import type { Metrics } from './metrics.js';

/**
 * What route modules are built from: the app (shared wiring), the process's one set of stateful
 * services, the validated config, the metrics.
 */
export interface ServerContext {
  readonly app: FaceLedgerApp;
  readonly services: Services;
  readonly config: ServerConfig;
  readonly metrics: Metrics;
}
