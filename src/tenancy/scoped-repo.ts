/**
 * What every scoped repository holds, and the one check that binds it: its SQL runs for one tenant (an
 * org, or the platform), and it can only be built for a genuine caller of that same tenant — so no
 * repository can exist that acts for one org on behalf of another's caller.
 */
import { assertCallerOfTenant, type Caller } from './caller.js';
import type { TenancyContext, TenantSql } from './context.js';
import type { PlatformSql } from './platform-sql.js';

/** A repository of one org's rows (SQL through TenantSql, bound to the caller's org). */
export abstract class OrgScopedRepo {
  constructor(
    protected readonly ctx: TenancyContext,
    protected readonly sql: TenantSql,
    protected readonly caller: Caller,
  ) {
    assertCallerOfTenant(caller, sql.orgId);
  }
}

/** A repository of the platform's own rows (SQL through PlatformSql); only platform callers build one. */
export abstract class PlatformScopedRepo {
  constructor(
    protected readonly ctx: TenancyContext,
    protected readonly sql: PlatformSql,
    protected readonly caller: Caller,
  ) {
    assertCallerOfTenant(caller, null);
  }
}
