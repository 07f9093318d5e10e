/**
 * One object for the shells (server, CLI) to hold: the data layer, authentication and quotas over
 * one connection, Vault and audit log.
 *
 *   const tenancy = new Tenancy({ db, vault, audit }, { clock });
 *   const login = await tenancy.auth.login({ email, password, ip });
 *   const check = tenancy.auth.authenticateSession(bearer);      // per request
 *   if (check.ok) tenancy.forCaller(check.caller).users.list();  // scoped to the caller's org
 */
import { AuthService } from './auth.js';
import { createPlatformAdmin, type NewPlatformAdmin } from './bootstrap.js';
import type { Caller } from './caller.js';
import type { TenancyDeps } from './context.js';
import { type Action, can, type Resource } from './policy.js';
import { QuotaService } from './quota.js';
import type { IssuedSetupToken } from './records.js';
import { type OrgScope, type PlatformScope, TenancyStore, type TenancyStoreOptions } from './store.js';

export class Tenancy {
  readonly store: TenancyStore;
  readonly auth: AuthService;
  readonly quotas: QuotaService;

  constructor(deps: TenancyDeps, options: TenancyStoreOptions = {}) {
    this.store = new TenancyStore(deps, options);
    this.auth = new AuthService(this.store);
    this.quotas = new QuotaService(this.store.ctx, this.store.quotaDefaults);
  }

  forCaller(caller: Caller): OrgScope {
    return this.store.forCaller(caller);
  }

  forPlatform(caller: Caller): PlatformScope {
    return this.store.forPlatform(caller);
  }

  accessibleGalleryIds(caller: Caller): string[] {
    return this.store.accessibleGalleryIds(caller);
  }

  can(caller: Caller, action: Action, resource?: Resource): boolean {
    return can(caller, action, resource);
  }

  createPlatformAdmin(input: NewPlatformAdmin): IssuedSetupToken {
    return createPlatformAdmin(this.store, input);
  }
}
