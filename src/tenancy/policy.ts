/**
 * Authorisation: one explicit table of actions × roles, one `can`. Default deny: an action or role the
 * table does not name is refused, and so is any resource outside the reach a role is granted.
 *
 * Reach says which resources a grant covers (the resource is named by the org owning it; null for
 * things the platform owns, such as platform accounts and unowned shared galleries):
 * - `own-org`:  caller has an org and the resource belongs to it;
 * - `platform`: caller is a platform account and the resource belongs to no org;
 * - `any-org`:  caller is a platform account; the resource may belong to any org (managing orgs and
 *   gallery grants — never reading their content, which no platform action reaches).
 *
 * The data layer calls `authorize` in every repository method, so a route that forgets a check still
 * cannot act. The server can generate its authorisation matrix test from `POLICY` / `policyMatrix()`.
 */
import type { Caller } from './caller.js';
import { deny } from './denial.js';
import { ROLES, type Role } from './roles.js';

export const ACTIONS = [
  'search.run',
  'search.read.own',
  'search.read.org',
  'search.retention.manage',
  'audit.read',
  'audit.read.platform',
  'alerts.read',
  'alerts.ack',
  'users.read',
  'users.manage',
  'apikeys.manage',
  'quotas.manage',
  'counts.read',
  'galleries.manage',
  'galleries.grant',
  'orgs.manage',
  'ingest.run',
  'erasure.run',
  'optouts.review',
] as const;
export type Action = (typeof ACTIONS)[number];

export const REACHES = ['own-org', 'platform', 'any-org'] as const;
export type Reach = (typeof REACHES)[number];

/** The thing acted on, named by the org that owns it (null: owned by the platform). */
export interface Resource {
  readonly orgId: string | null;
}

type Grants = Readonly<Partial<Record<Role, Reach>>>;

/** The whole policy. Anything not listed is denied. */
export const POLICY: Readonly<Record<Action, Grants>> = Object.freeze({
  /** Run a face search (case number and purpose required by the search service). */
  'search.run': { investigator: 'own-org' },
  /** Read one's own search history and results. */
  'search.read.own': { investigator: 'own-org' },
  /** Read every search of the org (oversight): its auditors and its admins. */
  'search.read.org': { 'org-admin': 'own-org', auditor: 'own-org' },
  /** Set how long the org keeps probe images and search history. */
  'search.retention.manage': { 'org-admin': 'own-org' },
  /** Read the org's audit log. */
  'audit.read': { auditor: 'own-org' },
  /** Read platform events (org-less audit entries: platform logins, org and grant changes). */
  'audit.read.platform': { 'platform-admin': 'platform' },
  'alerts.read': { auditor: 'own-org' },
  /** Mark an alert of the org as seen (audited). */
  'alerts.ack': { auditor: 'own-org' },
  /** See the user directory (names, e-mails, roles, status). Platform-admins see platform accounts only. */
  'users.read': { 'org-admin': 'own-org', auditor: 'own-org', 'platform-admin': 'platform' },
  /** Create users, change roles, disable, unlock, reset credentials, set the org's MFA policy. */
  'users.manage': { 'org-admin': 'own-org', 'platform-admin': 'platform' },
  'apikeys.manage': { 'org-admin': 'own-org' },
  /** Per-user quotas and the org's default per-user quota (the org's own ceiling is `orgs.manage`). */
  'quotas.manage': { 'org-admin': 'own-org' },
  /** Per-user and per-org search counts and quota settings. */
  'counts.read': { 'org-admin': 'own-org', auditor: 'own-org' },
  /** Create and describe galleries the caller's org (or, for platform-admins, the platform) owns. */
  'galleries.manage': { 'org-admin': 'own-org', 'platform-admin': 'platform' },
  /** Share a gallery with named orgs, or assign its owner. */
  'galleries.grant': { 'platform-admin': 'any-org' },
  /** Create, suspend and reactivate orgs, create an org's first admin, set an org's quota ceiling. */
  'orgs.manage': { 'platform-admin': 'any-org' },
  'ingest.run': { 'org-admin': 'own-org', 'platform-admin': 'platform' },
  /** Erase subjects, images or galleries the caller's org (or the platform) owns. */
  'erasure.run': { 'org-admin': 'own-org', 'platform-admin': 'platform' },
  /** List data subjects' opt-out requests (counts only) and confirm or reject a held one. */
  'optouts.review': { 'platform-admin': 'platform' },
});

function reaches(caller: Caller, reach: Reach, resource: Resource): boolean {
  switch (reach) {
    case 'own-org':
      return caller.orgId !== null && resource.orgId === caller.orgId;
    case 'platform':
      return caller.orgId === null && resource.orgId === null;
    case 'any-org':
      return caller.orgId === null;
    default:
      return false;
  }
}

/**
 * Whether `caller` may perform `action` on `resource` (default: a resource of the caller's own org, or
 * of the platform for platform accounts). Any one of the caller's roles granting it suffices.
 */
export function can(caller: Caller, action: Action, resource: Resource = { orgId: caller.orgId }): boolean {
  if (!Object.hasOwn(POLICY, action)) return false;
  const grants = POLICY[action];
  for (const role of caller.roles) {
    const reach = Object.hasOwn(grants, role) ? grants[role] : undefined;
    if (reach !== undefined && reaches(caller, reach, resource)) return true;
  }
  return false;
}

/** `can`, or throw a `forbidden` denial (see denial.ts). */
export function authorize(caller: Caller, action: Action, resource?: Resource): void {
  if (!can(caller, action, resource)) throw deny('forbidden', `not permitted: ${action}`, action);
}

/** The table as rows (every role × action, `reach` null where denied), for docs and matrix tests. */
export function policyMatrix(): { action: Action; role: Role; reach: Reach | null }[] {
  return ACTIONS.flatMap((action) =>
    ROLES.map((role) => ({ action, role, reach: POLICY[action][role] ?? null })),
  );
}
