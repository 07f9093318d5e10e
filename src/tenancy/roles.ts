/**
 * Roles. A user holds a small set of roles; an API key holds exactly one (investigator or auditor).
 *
 * - `platform-admin` runs the installation: orgs, shared galleries, grants. Belongs to no org, holds no
 *   other role, and can read no org's search content, users or counts.
 * - `org-admin` manages its own org's users, API keys and per-user quotas.
 * - `investigator` searches.
 * - `auditor` reads its own org's audit log, alerts and search counts; cannot search.
 *
 * Separation of duties: `auditor` and `investigator` are never held together (whoever audits the
 * searches must not be running them). `org-admin` may be combined with either.
 */
import { FaceLedgerError } from '../core/errors.js';

export const ROLES = ['platform-admin', 'org-admin', 'investigator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
export type OrgRole = Exclude<Role, 'platform-admin'>;

/** Roles an API key may carry: machine clients search or read the audit trail, never administer. */
export const API_KEY_ROLES = ['investigator', 'auditor'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Roles whose holders must use a second factor, whatever the org's policy says. */
export const MFA_REQUIRED_ROLES: readonly Role[] = ['platform-admin', 'org-admin'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isApiKeyRole(value: unknown): value is ApiKeyRole {
  return typeof value === 'string' && (API_KEY_ROLES as readonly string[]).includes(value);
}

/**
 * Validates and normalises a role set (deduplicated, in ROLES order). `tenant` says where the user
 * lives: `'platform'` accepts exactly `['platform-admin']`, `'org'` any non-empty set of org roles.
 */
export function parseRoles(value: readonly unknown[], tenant: 'platform' | 'org'): Role[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new FaceLedgerError('BAD_INPUT', 'a user needs at least one role');
  for (const role of value) {
    if (!isRole(role)) throw new FaceLedgerError('BAD_INPUT', `unknown role ${JSON.stringify(role)}`);
  }
  const roles = ROLES.filter((r) => value.includes(r));
  if (tenant === 'platform') {
    if (roles.length !== 1 || roles[0] !== 'platform-admin')
      throw new FaceLedgerError('BAD_INPUT', 'platform accounts hold exactly the platform-admin role');
    return roles;
  }
  if (roles.includes('platform-admin'))
    throw new FaceLedgerError('BAD_INPUT', 'platform-admin is not an org role');
  if (roles.includes('auditor') && roles.includes('investigator'))
    throw new FaceLedgerError('BAD_INPUT', 'auditor and investigator cannot be held together');
  return roles;
}

/** Storage form: comma-joined, in ROLES order. */
export function formatRoles(roles: readonly Role[]): string {
  return ROLES.filter((r) => roles.includes(r)).join(',');
}

/** Reads the stored form back; a value that does not parse is a corrupt row (INTERNAL). */
export function readStoredRoles(text: string): Role[] {
  const parts = text.split(',');
  if (parts.length === 0 || !parts.every(isRole))
    throw new FaceLedgerError('INTERNAL', 'stored roles are not valid');
  return parts;
}

/** Whether this role set must authenticate with a second factor. */
export function mfaRequiredFor(roles: readonly Role[], orgRequiresMfa: boolean): boolean {
  return orgRequiresMfa || roles.some((r) => MFA_REQUIRED_ROLES.includes(r));
}
