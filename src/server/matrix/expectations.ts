/**
 * What each cell of the authorisation matrix must answer (tests only), derived from the route's
 * `access` rule (its action, or any of its actions) and `can()` — the policy itself, not a copy of
 * it — plus the handler-level rules its fixture declares.
 *
 * - public: served to anyone (never 401/403);
 * - anything else without credentials: 401;
 * - an action the principal's roles do not grant: 403 before the handler runs;
 * - a holder on its own resources (its org's, or the platform's for platform accounts): served;
 * - a holder aimed at org B's resources: 403 or 404 with nothing of B in the answer — unless the
 *   policy grants the action across orgs (`any-org`), in which case served.
 */
import { can } from '../../tenancy/index.js';
import { actionsOf, type RouteDef } from '../route.js';
import type { Fixture } from './fixtures.js';
import type { Principal } from './principals.js';
import type { Owner } from './resources.js';

export type Expectation =
  | { kind: 'served'; accept: readonly number[] }
  | { kind: 'unauthenticated' }
  | { kind: 'forbidden' }
  | { kind: 'refused'; statuses: readonly number[]; why: string }
  | { kind: 'isolated' };

const REFUSED = [403, 404] as const;

export function expectationFor(
  route: RouteDef,
  fixture: Fixture,
  principal: Principal,
  owner: Owner,
  otherOrgId: string,
): Expectation {
  const served: Expectation = { kind: 'served', accept: fixture.accept ?? [] };
  if (route.access.kind === 'public') return served;
  const caller = principal.caller;
  if (!caller) return { kind: 'unauthenticated' };
  const actions = actionsOf(route.access);
  if (actions.length > 0 && !actions.some((action) => can(caller, action))) return { kind: 'forbidden' };
  if (fixture.orgOnly && caller.orgId === null)
    return { kind: 'refused', statuses: REFUSED, why: 'belongs to no organisation' };
  const refusal = fixture.refusals?.find((r) => r.when(principal));
  if (refusal) return { kind: 'refused', statuses: [refusal.status], why: refusal.why };
  if (owner === 'b') {
    const acrossOrgs = actions.some((action) => can(caller, action, { orgId: otherOrgId }));
    return acrossOrgs ? served : { kind: 'isolated' };
  }
  return served;
}

/** Whether the request gets past the route's own access rule (reaches the handler). */
export function reachesHandler(e: Expectation): boolean {
  return e.kind !== 'unauthenticated' && e.kind !== 'forbidden';
}

export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'served':
      return `served (2xx${e.accept.length ? ` or ${e.accept.join('/')}` : ''})`;
    case 'unauthenticated':
      return '401 UNAUTHENTICATED';
    case 'forbidden':
      return '403 FORBIDDEN';
    case 'refused':
      return `refused ${e.statuses.join('/')} (${e.why})`;
    case 'isolated':
      return "403/404 with nothing of org B's";
  }
}

/** Why the answer does not meet the expectation, or null when it does. */
export function statusProblem(e: Expectation, status: number, errorCode: string | undefined): string | null {
  const ok = (() => {
    switch (e.kind) {
      case 'served':
        return (status >= 200 && status < 300) || e.accept.includes(status);
      case 'unauthenticated':
        return status === 401 && errorCode === 'UNAUTHENTICATED';
      case 'forbidden':
        return status === 403 && errorCode === 'FORBIDDEN';
      case 'refused':
        return e.statuses.includes(status);
      case 'isolated':
        return status === 403 || status === 404;
    }
  })();
  return ok ? null : `expected ${describeExpectation(e)}, got ${status}`;
}
