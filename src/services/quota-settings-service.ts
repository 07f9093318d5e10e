/**
 * An org-admin's quota settings: the per-user default and per-user / per-key overrides, changed
 * together in one transaction, each within the ceiling a platform-admin set for the org. A limit above
 * the ceiling could never be reached, so it is refused rather than stored as a promise the org cannot
 * keep; null (no per-user cap) stays allowed and means "up to the org's ceiling".
 */
import { FaceLedgerError } from '../core/errors.js';
import type { Caller, QuotaLimits, QuotaSettingsView } from '../tenancy/index.js';
import type { FaceLedgerApp } from './app.js';

export interface QuotaChanges {
  /** The per-user default; null returns to the installation default. */
  userDefault?: QuotaLimits | null;
  /** Overrides for one user (`user:<id>`) or key (`apikey:<id>`); limits null removes the override. */
  overrides?: readonly { subject: string; limits: QuotaLimits | null }[];
}

function checkWithin(ceiling: QuotaLimits, limits: QuotaLimits, what: string): void {
  for (const window of ['perMinute', 'perDay'] as const) {
    const cap = ceiling[window];
    const value = limits[window];
    if (cap !== null && value !== null && value > cap)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `${what}: ${window} ${value} is above the organisation's ceiling of ${cap} (set by the platform)`,
      );
  }
}

export class QuotaSettingsService {
  readonly #app: FaceLedgerApp;

  constructor(app: FaceLedgerApp) {
    this.#app = app;
  }

  settings(caller: Caller): QuotaSettingsView {
    return this.#app.tenancy.forCaller(caller).quotas.settings();
  }

  update(caller: Caller, changes: QuotaChanges): QuotaSettingsView {
    const quotas = this.#app.tenancy.forCaller(caller).quotas;
    return this.#app.store.transaction(() => {
      const ceiling = quotas.settings().org;
      if (changes.userDefault) checkWithin(ceiling, changes.userDefault, 'the per-user default');
      for (const o of changes.overrides ?? []) if (o.limits) checkWithin(ceiling, o.limits, o.subject);
      if (changes.userDefault !== undefined) quotas.setUserDefault(changes.userDefault);
      for (const o of changes.overrides ?? []) quotas.setForSubject(o.subject, o.limits);
      return quotas.settings();
    });
  }
}
