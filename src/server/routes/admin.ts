/**
 * An org-admin's own org: users, API keys, quotas, search counts and the org's MFA policy. Every call
 * goes through the caller's org scope (`tenancy.forCaller`), which binds every statement to the
 * caller's org, so another org's ids answer 404 like ids that do not exist. Platform-admins reach the
 * user routes too, for the platform accounts (the null tenant) and nothing of any org.
 */
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import { QuotaSettingsService } from '../../services/quota-settings-service.js';
import type { Caller } from '../../tenancy/index.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';
import {
  apiKeyOut,
  idParams,
  limitsSchema,
  orgOut,
  roleSchema,
  setupOut,
  toApiKeyOut,
  toOrgOut,
  toSetupOut,
  toUserOut,
  userOut,
} from './account-views.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC day, YYYY-MM-DD');

const quotasOut = z.object({
  /** The org's ceiling over all its users and keys (set by the platform). */
  org: limitsSchema,
  userDefault: limitsSchema,
  overrides: z.array(z.object({ subject: z.string(), limits: limitsSchema })),
});

export function adminRoutes(ctx: ServerContext): RouteDef[] {
  const tenancy = ctx.app.tenancy;
  const quotas = new QuotaSettingsService(ctx.app);

  /** The caller's tenant's user directory: their org's users, or the platform accounts. */
  const directory = (caller: Caller) =>
    caller.orgId === null ? tenancy.forPlatform(caller).admins : tenancy.forCaller(caller).users;
  const sessionsOf = (caller: Caller) =>
    caller.orgId === null ? tenancy.forPlatform(caller).sessions : tenancy.forCaller(caller).sessions;

  const userAction = (
    url: string,
    summary: string,
    act: (caller: Caller, id: string) => ReturnType<ReturnType<typeof directory>['enable']>,
  ) =>
    route({
      method: 'POST',
      url,
      summary,
      tags: ['users'],
      access: { kind: 'action', action: 'users.manage' },
      params: idParams,
      response: userOut,
      handler: ({ caller, params }) => toUserOut(act(caller, params.id)),
    });

  return [
    route({
      method: 'GET',
      url: '/api/v1/users',
      summary: 'The users of your organisation (platform-admins: the platform accounts)',
      tags: ['users'],
      access: { kind: 'action', action: 'users.read' },
      response: z.object({ users: z.array(userOut) }),
      handler: ({ caller }) => ({ users: directory(caller).list().map(toUserOut) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/users',
      summary: 'Create a user; answers the one-time setup token and link they set their password with',
      tags: ['users'],
      access: { kind: 'action', action: 'users.manage' },
      body: z.strictObject({
        email: z.string().trim().min(3).max(320),
        name: z.string().trim().min(1).max(200).nullable().optional(),
        roles: z.array(roleSchema).min(1).max(4),
      }),
      status: 201,
      response: z.object({ user: userOut, ...setupOut.shape }),
      handler: ({ caller, body }) => {
        const { user, ...issued } = directory(caller).create({
          email: body.email,
          name: body.name ?? null,
          roles: body.roles,
        });
        return { user: toUserOut(user), ...toSetupOut(ctx.config, issued) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/users/:id',
      summary: 'One user of your organisation',
      tags: ['users'],
      access: { kind: 'action', action: 'users.read' },
      params: idParams,
      response: userOut,
      handler: ({ caller, params }) => {
        const user = directory(caller).get(params.id);
        if (!user) throw new FaceLedgerError('NOT_FOUND', 'user not found');
        return toUserOut(user);
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/users/:id',
      summary: "Change a user's e-mail and/or name",
      tags: ['users'],
      access: { kind: 'action', action: 'users.manage' },
      params: idParams,
      body: z
        .strictObject({
          email: z.string().trim().min(3).max(320).optional(),
          name: z.string().trim().min(1).max(200).nullable().optional(),
        })
        .refine((b) => b.email !== undefined || b.name !== undefined, 'give email and/or name'),
      response: userOut,
      handler: ({ caller, params, body }) => toUserOut(directory(caller).update(params.id, body)),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/users/:id/roles',
      summary: "Replace a user's roles (their sessions end; the next sign-in applies the new MFA rule)",
      tags: ['users'],
      access: { kind: 'action', action: 'users.manage' },
      params: idParams,
      body: z.strictObject({ roles: z.array(roleSchema).min(1).max(4) }),
      response: userOut,
      handler: ({ caller, params, body }) => {
        const users = directory(caller);
        // Which user comes first: roles valid for some other tenant are no business of this caller.
        if (!users.get(params.id)) throw new FaceLedgerError('NOT_FOUND', 'user not found');
        return toUserOut(users.setRoles(params.id, body.roles));
      },
    }),
    userAction('/api/v1/users/:id/disable', 'Disable a user (their sessions end at once)', (c, id) =>
      directory(c).disable(id),
    ),
    userAction('/api/v1/users/:id/enable', 'Enable a disabled user', (c, id) => directory(c).enable(id)),
    userAction('/api/v1/users/:id/unlock', 'Lift a sign-in lockout now (audited)', (c, id) =>
      directory(c).unlock(id),
    ),
    route({
      method: 'POST',
      url: '/api/v1/users/:id/reset',
      summary: "Reset a user's password (and optionally second factor); answers a new one-time setup token",
      tags: ['users'],
      access: { kind: 'action', action: 'users.manage' },
      params: idParams,
      body: z.strictObject({ resetMfa: z.boolean().default(false) }),
      response: setupOut,
      handler: ({ caller, params, body }) =>
        toSetupOut(ctx.config, directory(caller).resetCredentials(params.id, { resetMfa: body.resetMfa })),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/users/:id/sessions',
      summary: 'End every session of a user (they must sign in again)',
      tags: ['users'],
      access: { kind: 'action', action: 'users.manage' },
      params: idParams,
      response: z.object({ ended: z.number() }),
      handler: ({ caller, params }) => ({ ended: sessionsOf(caller).revokeAll(params.id) }),
    }),

    route({
      method: 'GET',
      url: '/api/v1/api-keys',
      summary: "Your organisation's API keys (never their secrets)",
      tags: ['api-keys'],
      access: { kind: 'action', action: 'apikeys.manage' },
      response: z.object({ keys: z.array(apiKeyOut) }),
      handler: ({ caller }) => ({ keys: tenancy.forCaller(caller).apiKeys.list().map(toApiKeyOut) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/api-keys',
      summary: 'Create an API key for a machine client; the token is shown in this answer only',
      tags: ['api-keys'],
      access: { kind: 'action', action: 'apikeys.manage' },
      body: z.strictObject({
        role: z.enum(['investigator', 'auditor']),
        label: z.string().trim().max(200).nullable().optional(),
        expiresInDays: z.int().min(1).max(365).optional(),
      }),
      status: 201,
      response: z.object({ key: apiKeyOut, token: z.string() }),
      handler: ({ caller, body }) => {
        const { key, token } = tenancy.forCaller(caller).apiKeys.create({
          role: body.role,
          label: body.label ?? null,
          ...(body.expiresInDays === undefined ? {} : { expiresInDays: body.expiresInDays }),
        });
        return { key: toApiKeyOut(key), token };
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/api-keys/:id',
      summary: 'Revoke an API key (it stops working at once)',
      tags: ['api-keys'],
      access: { kind: 'action', action: 'apikeys.manage' },
      params: idParams,
      response: apiKeyOut,
      handler: ({ caller, params }) => toApiKeyOut(tenancy.forCaller(caller).apiKeys.revoke(params.id)),
    }),

    route({
      method: 'GET',
      url: '/api/v1/quotas',
      summary: "Your organisation's search quotas: its ceiling, the per-user default and overrides",
      tags: ['quotas'],
      access: { kind: 'action', action: 'counts.read' },
      response: quotasOut,
      handler: ({ caller }) => quotas.settings(caller),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/quotas',
      summary: 'Set the per-user default and per-user / per-key overrides (null: back to the default)',
      tags: ['quotas'],
      access: { kind: 'action', action: 'quotas.manage' },
      body: z
        .strictObject({
          userDefault: limitsSchema.nullable().optional(),
          overrides: z
            .array(
              z.strictObject({
                subject: z.string().regex(/^(user|apikey):\S{1,100}$/, 'user:<id> or apikey:<id>'),
                limits: limitsSchema.nullable(),
              }),
            )
            .max(1000)
            .optional(),
        })
        .refine(
          (b) => b.userDefault !== undefined || b.overrides !== undefined,
          'give userDefault and/or overrides',
        ),
      response: quotasOut,
      handler: ({ caller, body }) =>
        quotas.update(caller, {
          ...(body.userDefault === undefined ? {} : { userDefault: body.userDefault }),
          ...(body.overrides === undefined ? {} : { overrides: body.overrides }),
        }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/counts',
      summary: "Your organisation's searches per UTC day, per user / key and in total",
      tags: ['quotas'],
      access: { kind: 'action', action: 'counts.read' },
      query: z.strictObject({ from: day.optional(), to: day.optional() }),
      response: z.object({
        totals: z.array(z.object({ day: z.string(), count: z.number() })),
        bySubject: z.array(z.object({ day: z.string(), subject: z.string(), count: z.number() })),
      }),
      handler: ({ caller, query }) => {
        const counts = tenancy.forCaller(caller).counts;
        const range = { ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) };
        return { totals: counts.totals(range), bySubject: counts.daily(range) };
      },
    }),

    route({
      method: 'GET',
      url: '/api/v1/org',
      summary: 'Your organisation: name, contact, status and MFA policy',
      tags: ['org'],
      access: { kind: 'authenticated' },
      response: orgOut,
      handler: ({ caller }) => {
        if (caller.orgId === null)
          throw new FaceLedgerError('FORBIDDEN', 'platform accounts belong to no organisation');
        return toOrgOut(tenancy.forCaller(caller).org.get());
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/org',
      summary: 'Require a second factor of every user of your organisation (admins always need one)',
      tags: ['org'],
      access: { kind: 'action', action: 'users.manage' },
      body: z.strictObject({ mfaRequired: z.boolean() }),
      response: orgOut,
      handler: ({ caller, body }) => {
        if (caller.orgId === null)
          throw new FaceLedgerError('FORBIDDEN', 'platform accounts belong to no organisation');
        return toOrgOut(tenancy.forCaller(caller).org.setMfaRequired(body.mfaRequired));
      },
    }),
  ];
}
