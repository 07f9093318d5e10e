/**
 * Which pages a role may open: a copy of the server's policy (src/tenancy/policy.ts) reduced to what
 * navigation needs. It only hides links; the server refuses the calls behind them regardless.
 */
import type { Role } from './api/types.js';

export type Page = 'search' | 'compare' | 'history' | 'galleries' | 'admin' | 'audit' | 'platform';

const PAGE_ROLES: Readonly<Record<Page, readonly Role[]>> = {
  search: ['investigator'],
  compare: ['investigator'],
  history: ['investigator', 'org-admin', 'auditor'],
  galleries: ['org-admin', 'platform-admin'],
  admin: ['org-admin'],
  audit: ['auditor', 'platform-admin'],
  platform: ['platform-admin'],
};

export function mayOpen(roles: readonly Role[], page: Page): boolean {
  return PAGE_ROLES[page].some((r) => roles.includes(r));
}

/** Where a role lands after signing in. */
export function homeFor(roles: readonly Role[]): string {
  if (mayOpen(roles, 'search')) return '/search';
  if (roles.includes('auditor')) return '/audit';
  if (mayOpen(roles, 'admin')) return '/admin';
  if (mayOpen(roles, 'platform')) return '/platform';
  if (mayOpen(roles, 'galleries')) return '/galleries';
  return '/history';
}

export const PAGE_LABELS: Readonly<Record<Page, string>> = {
  search: 'Search',
  compare: 'Compare',
  history: 'History',
  galleries: 'Galleries',
  admin: 'Admin',
  audit: 'Audit',
  platform: 'Platform',
};
