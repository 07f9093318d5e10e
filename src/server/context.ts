import type { FaceLedgerApp } from '../services/app.js';
import type { ServerConfig } from './config.js';
import type { Metrics } from './metrics.js';

/** What route modules are built from: the app (services' wiring), the validated config, the metrics. */
export interface ServerContext {
  readonly app: FaceLedgerApp;
  readonly config: ServerConfig;
  readonly metrics: Metrics;
}
