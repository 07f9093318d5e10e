/**
 * The tenancy data layer. There is no way to read an org's rows without an authenticated caller:
 * `forCaller(caller)` returns the repositories of the caller's own org, each bound to it through
 * TenantSql (every statement filters on `org_id = @org`, bound here, refused otherwise), and each
 * method also checks the policy. `forPlatform(caller)` gives platform-admins the org directory, gallery
 * grants and platform accounts — and nothing that reads inside an org.
 */
import { ApiKeysRepo } from './api-keys-repo.js';
import { assertGenuineCaller, type Caller } from './caller.js';
import { TenancyContext, type TenancyDeps, type TenancyOptions, TenantSql } from './context.js';
import { deny } from './denial.js';
import { GalleryAccessRepo } from './galleries-access.js';
import { GalleryGrantsRepo } from './gallery-grants.js';
import { OrgDirectory, OrgProfileRepo } from './orgs.js';
import { PlatformSql } from './platform-sql.js';
import { CountsRepo, DEFAULT_QUOTAS, type QuotaDefaults, QuotasRepo } from './quota.js';
import { SessionsRepo } from './sessions-repo.js';
import { UsersRepo } from './users-repo.js';

/** Everything one org's caller can reach; all of it bound to `orgId`. */
export class OrgScope {
  readonly orgId: string;
  readonly caller: Caller;
  /** The org's own profile and MFA policy. */
  readonly org: OrgProfileRepo;
  /** The user directory (read: org-admin, auditor; manage: org-admin). */
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  /** Machine clients (org-admin). */
  readonly apiKeys: ApiKeysRepo;
  /** Quota settings (read: counts.read; write: quotas.manage). */
  readonly quotas: QuotasRepo;
  /** Search counts (org-admin, auditor). */
  readonly counts: CountsRepo;
  /** Owned and granted galleries. */
  readonly galleries: GalleryAccessRepo;

  constructor(ctx: TenancyContext, caller: Caller & { orgId: string }, quotaDefaults: QuotaDefaults) {
    assertGenuineCaller(caller);
    if (caller.orgId === null) throw deny('forbidden', 'platform accounts cannot open an org scope');
    this.orgId = caller.orgId;
    this.caller = caller;
    const sql = new TenantSql(ctx.db, caller.orgId);
    this.org = new OrgProfileRepo(ctx, sql, caller);
    this.users = new UsersRepo(ctx, sql, caller);
    this.sessions = new SessionsRepo(ctx, sql, caller);
    this.apiKeys = new ApiKeysRepo(ctx, sql, caller);
    this.quotas = new QuotasRepo(ctx, sql, caller, quotaDefaults);
    this.counts = new CountsRepo(sql, caller);
    this.galleries = new GalleryAccessRepo(ctx, sql, caller);
    Object.freeze(this);
  }
}

/** What a platform-admin can reach: no org's users, sessions, keys, counts or searches. */
export class PlatformScope {
  readonly caller: Caller;
  /** Create, list, suspend orgs; an org's first admin; its quota ceiling. */
  readonly orgs: OrgDirectory;
  /** Platform accounts (the null tenant). */
  readonly admins: UsersRepo;
  /** Platform accounts' sessions. */
  readonly sessions: SessionsRepo;
  /** Gallery ownership and sharing. */
  readonly galleries: GalleryGrantsRepo;

  constructor(ctx: TenancyContext, caller: Caller) {
    assertGenuineCaller(caller);
    if (caller.orgId !== null || !caller.roles.includes('platform-admin'))
      throw deny('forbidden', 'only platform-admins can open the platform scope');
    this.caller = caller;
    const platform = new PlatformSql(ctx.db);
    const accounts = new TenantSql(ctx.db, null);
    this.orgs = new OrgDirectory(ctx, platform, caller);
    this.admins = new UsersRepo(ctx, accounts, caller);
    this.sessions = new SessionsRepo(ctx, accounts, caller);
    this.galleries = new GalleryGrantsRepo(ctx, platform, caller);
    Object.freeze(this);
  }
}

export interface TenancyStoreOptions extends TenancyOptions {
  /** Installation-wide quota defaults (see quota.ts). */
  quotas?: QuotaDefaults;
}

export class TenancyStore {
  readonly ctx: TenancyContext;
  readonly quotaDefaults: QuotaDefaults;

  constructor(deps: TenancyDeps, options: TenancyStoreOptions = {}) {
    const { quotas, ...rest } = options;
    this.ctx = new TenancyContext(deps, rest);
    this.quotaDefaults = quotas ?? DEFAULT_QUOTAS;
  }

  /** The caller's org's repositories. Platform accounts have none (use forPlatform). */
  forCaller(caller: Caller): OrgScope {
    return new OrgScope(this.ctx, caller as Caller & { orgId: string }, this.quotaDefaults);
  }

  /** The platform-admin's repositories. */
  forPlatform(caller: Caller): PlatformScope {
    return new PlatformScope(this.ctx, caller);
  }

  /** Gallery ids the caller's org owns or was granted (none for platform accounts, which never search). */
  accessibleGalleryIds(caller: Caller): string[] {
    assertGenuineCaller(caller);
    if (caller.orgId === null) return [];
    return this.forCaller(caller).galleries.accessibleIds();
  }
}
