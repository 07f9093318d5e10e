/**
 * The caller: who is acting, for which org, with which roles. Only authentication (AuthService) mints
 * callers, from the database's current state; the data layer (`TenancyStore.forCaller`) refuses any
 * object it did not mint, so a hand-built `{ orgId: 'someone-else' }` cannot open another tenant.
 *
 * A caller is a snapshot taken when a session or API key was checked: re-authenticate per request, so
 * a disabled user, revoked key or changed role takes effect on the next one.
 */
import { actor as auditActor } from '../audit/audit-event.js';
import { FaceLedgerError } from '../core/errors.js';
import type { Role } from './roles.js';

export interface Caller {
  readonly kind: 'user' | 'apikey';
  /** The user acting; null for an API key. */
  readonly userId: string | null;
  /** The API key acting; null for a user. */
  readonly apiKeyId: string | null;
  /** The caller's org; null only for platform-admins. */
  readonly orgId: string | null;
  readonly roles: readonly Role[];
  /** The session the caller authenticated with; null for API keys. */
  readonly sessionId: string | null;
  /** Whether the session was opened with a second factor. */
  readonly mfa: boolean;
  /** The audit actor: `user:<id>` or `apikey:<id>`. */
  readonly actor: string;
}

/** A caller acting for an org (every role but platform-admin). */
export type OrgCaller = Caller & { readonly orgId: string };

const minted = new WeakSet<Caller>();

type CallerFields =
  | {
      kind: 'user';
      userId: string;
      orgId: string | null;
      roles: readonly Role[];
      sessionId: string;
      mfa: boolean;
    }
  | { kind: 'apikey'; apiKeyId: string; orgId: string; roles: readonly Role[] };

/** Internal to the tenancy room: builds a frozen caller and remembers it as genuine. */
export function mintCaller(fields: CallerFields): Caller {
  const caller: Caller =
    fields.kind === 'user'
      ? {
          kind: 'user',
          userId: fields.userId,
          apiKeyId: null,
          orgId: fields.orgId,
          roles: Object.freeze([...fields.roles]),
          sessionId: fields.sessionId,
          mfa: fields.mfa,
          actor: auditActor.user(fields.userId),
        }
      : {
          kind: 'apikey',
          userId: null,
          apiKeyId: fields.apiKeyId,
          orgId: fields.orgId,
          roles: Object.freeze([...fields.roles]),
          sessionId: null,
          mfa: false,
          actor: auditActor.apiKey(fields.apiKeyId),
        };
  Object.freeze(caller);
  minted.add(caller);
  return caller;
}

/** True only for callers minted by authentication in this process. */
export function isGenuineCaller(value: unknown): value is Caller {
  return typeof value === 'object' && value !== null && minted.has(value as Caller);
}

/** Throws INTERNAL for a caller that authentication did not mint (a programming error, never user input). */
export function assertGenuineCaller(value: unknown): asserts value is Caller {
  if (!isGenuineCaller(value))
    throw new FaceLedgerError(
      'INTERNAL',
      'caller was not produced by authentication (TenancyStore refuses it)',
    );
}

/**
 * For repository constructors: the caller must be genuine and belong to the tenant the repository is
 * bound to (an org id, or null for the platform), so no repository can be built for a foreign tenant.
 */
export function assertCallerOfTenant(caller: unknown, tenant: string | null): asserts caller is Caller {
  assertGenuineCaller(caller);
  if (caller.orgId !== tenant)
    throw new FaceLedgerError('INTERNAL', 'a repository was bound to a tenant other than its caller’s');
}
