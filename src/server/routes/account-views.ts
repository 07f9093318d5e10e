/**
 * The JSON shapes of accounts, keys and orgs shared by the admin, self-service and platform routes,
 * with their zod schemas for OpenAPI. Views come from the tenancy room already opened and stripped of
 * secrets; here they only get their HTTP form.
 */
import { z } from 'zod';
import type { ApiKeyView, IssuedSetupToken, OrgView, UserView } from '../../tenancy/index.js';
import { ROLES } from '../../tenancy/index.js';
import type { ServerConfig } from '../config.js';

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

export const limitsSchema = z.strictObject({
  perMinute: z.int().min(0).max(1_000_000_000).nullable(),
  perDay: z.int().min(0).max(1_000_000_000).nullable(),
});

export const roleSchema = z.enum(ROLES);

export const userOut = z.object({
  id: z.string(),
  orgId: z.string().nullable(),
  email: z.string(),
  name: z.string().nullable(),
  roles: z.array(roleSchema),
  status: z.enum(['active', 'disabled']),
  setupPending: z.boolean(),
  mfaEnrolled: z.boolean(),
  lockedUntil: z.string().nullable(),
  failedAttempts: z.number(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});

export function toUserOut(u: UserView): z.infer<typeof userOut> {
  return {
    id: u.id,
    orgId: u.orgId,
    email: u.email,
    name: u.name,
    roles: u.roles,
    status: u.status,
    setupPending: u.setupPending,
    mfaEnrolled: u.mfaEnrolled,
    lockedUntil: u.lockedUntil,
    failedAttempts: u.failedAttempts,
    lastLoginAt: u.lastLoginAt,
    createdAt: u.createdAt,
  };
}

export const setupOut = z.object({
  userId: z.string(),
  /** Shown once: the user sets their own password with it. */
  setupToken: z.string(),
  setupLink: z.string(),
  expiresAt: z.string(),
});

/** The one-time setup token and the link to hand over (the token rides in the fragment, never sent to a server log). */
export function toSetupOut(config: ServerConfig, issued: IssuedSetupToken): z.infer<typeof setupOut> {
  const base = (config.publicUrl ?? '').replace(/\/+$/, '');
  return {
    userId: issued.userId,
    setupToken: issued.setupToken,
    setupLink: `${base}/setup#token=${encodeURIComponent(issued.setupToken)}`,
    expiresAt: issued.expiresAt,
  };
}

export const apiKeyOut = z.object({
  id: z.string(),
  role: z.enum(['investigator', 'auditor']),
  label: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});

export function toApiKeyOut(k: ApiKeyView): z.infer<typeof apiKeyOut> {
  return {
    id: k.id,
    role: k.role,
    label: k.label,
    createdBy: k.createdBy,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
    status: k.status,
  };
}

export const contactSchema = z.strictObject({
  person: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().min(3).max(320).optional(),
  phone: z.string().trim().min(1).max(64).optional(),
  address: z.string().trim().min(1).max(1000).optional(),
  notes: z.string().trim().min(1).max(2000).optional(),
});

export const orgOut = z.object({
  id: z.string(),
  name: z.string(),
  contact: contactSchema.nullable(),
  status: z.enum(['active', 'suspended']),
  mfaRequired: z.boolean(),
  createdAt: z.string(),
});

export function toOrgOut(o: OrgView): z.infer<typeof orgOut> {
  return {
    id: o.id,
    name: o.name,
    contact: o.contact,
    status: o.status,
    mfaRequired: o.mfaRequired,
    createdAt: o.createdAt,
  };
}
