/**
 * The composition root for long-running shells: one instance of each stateful use case, wired to the
 * others (a search raises alerts; retention purges the same search history and confirms the same held opt-outs). The server builds one
 * registry at start; route modules and sweeps take their services from it, so no two parts of one
 * process hold differently configured copies.
 */
import { AlertService, type AlertServiceOptions } from './alerts/index.js';
import type { FaceLedgerApp } from './app.js';
import { CaseSearchService } from './case-search-service.js';
import { OptOutService } from './opt-out-service.js';
import { RetentionService } from './retention-service.js';

export interface RegistryOptions {
  /** Accepted search purposes; the built-in list when empty or absent. */
  purposes?: readonly string[];
  alerts?: AlertServiceOptions;
  /** Days a public opt-out is held before its matching faces are erased (the default when absent). */
  optOutHoldDays?: number;
}

export interface Services {
  readonly searches: CaseSearchService;
  readonly alerts: AlertService;
  readonly retention: RetentionService;
  readonly optOuts: OptOutService;
}

export function createServices(app: FaceLedgerApp, options: RegistryOptions = {}): Services {
  const alerts = new AlertService(
    { db: app.store.db, audit: app.audit, clock: app.clock },
    options.alerts ?? {},
  );
  const searches = new CaseSearchService(app, {
    ...(options.purposes && options.purposes.length > 0 ? { purposes: options.purposes } : {}),
    afterSearch: (activity) => {
      alerts.afterSearch({
        caller: activity.caller,
        orgId: activity.orgId,
        actor: activity.actor,
        at: activity.at,
        probeSha256: activity.probeSha256,
        resultCount: activity.resultCount,
        searchId: activity.searchId,
      });
    },
  });
  const optOuts = new OptOutService(
    app,
    options.optOutHoldDays !== undefined ? { holdDays: options.optOutHoldDays } : {},
  );
  const retention = new RetentionService(app, { searches, optOuts });
  return { searches, alerts, retention, optOuts };
}
