/**
 * The platform-admin's routes: the directory of client orgs (create, suspend, contact, quota ceiling,
 * first org-admin) and the sharing of platform galleries with named orgs. Everything goes through the
 * platform scope (`tenancy.forPlatform`), which cannot read inside an org: no users, keys, counts or
 * searches of any org come back from here.
 */
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import { OrgDirectoryService } from '../../services/org-directory-service.js';
import { OrgGalleryService } from '../../services/org-gallery-service.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';
import {
  contactSchema,
  idParams,
  limitsSchema,
  orgOut,
  setupOut,
  toOrgOut,
  toSetupOut,
} from './account-views.js';

const orgName = z.string().trim().min(1).max(200);
const grantParams = z.strictObject({ id: z.string().min(1).max(100), orgId: z.string().min(1).max(100) });

export function platformRoutes(ctx: ServerContext): RouteDef[] {
  const tenancy = ctx.app.tenancy;
  const directory = new OrgDirectoryService(ctx.app);
  const galleries = new OrgGalleryService(ctx.app);

  return [
    route({
      method: 'GET',
      url: '/api/v1/orgs',
      summary: 'The client organisations (names, contacts, status)',
      tags: ['orgs'],
      access: { kind: 'action', action: 'orgs.manage' },
      response: z.object({ orgs: z.array(orgOut) }),
      handler: ({ caller }) => ({ orgs: tenancy.forPlatform(caller).orgs.list().map(toOrgOut) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/orgs',
      summary: 'Create a client organisation (then give it its first org-admin)',
      tags: ['orgs'],
      access: { kind: 'action', action: 'orgs.manage' },
      body: z.strictObject({
        name: orgName,
        contact: contactSchema.nullable().optional(),
        mfaRequired: z.boolean().default(false),
        quota: limitsSchema.nullable().optional(),
      }),
      status: 201,
      response: orgOut,
      handler: ({ caller, body }) =>
        toOrgOut(
          directory.create(caller, {
            name: body.name,
            contact: body.contact ?? null,
            mfaRequired: body.mfaRequired,
            quota: body.quota ?? null,
          }),
        ),
    }),
    route({
      method: 'GET',
      url: '/api/v1/orgs/:id',
      summary: 'One client organisation',
      tags: ['orgs'],
      access: { kind: 'action', action: 'orgs.manage' },
      params: idParams,
      response: orgOut,
      handler: ({ caller, params }) => {
        const org = tenancy.forPlatform(caller).orgs.get(params.id);
        if (!org) throw new FaceLedgerError('NOT_FOUND', 'org not found');
        return toOrgOut(org);
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/orgs/:id',
      summary: "Change an org's name, contact, status (suspend / activate) or quota ceiling, all at once",
      tags: ['orgs'],
      access: { kind: 'action', action: 'orgs.manage' },
      params: idParams,
      body: z
        .strictObject({
          name: orgName.optional(),
          contact: contactSchema.nullable().optional(),
          status: z.enum(['active', 'suspended']).optional(),
          quota: limitsSchema.nullable().optional(),
        })
        .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one change'),
      response: orgOut,
      handler: ({ caller, params, body }) => {
        const changes = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
        return toOrgOut(directory.update(caller, params.id, changes));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/orgs/:id/admins',
      summary:
        'Create an org-admin for an org (its first, or a replacement); answers their one-time setup token',
      tags: ['orgs'],
      access: { kind: 'action', action: 'orgs.manage' },
      params: idParams,
      body: z.strictObject({
        email: z.string().trim().min(3).max(320),
        name: z.string().trim().min(1).max(200).nullable().optional(),
      }),
      status: 201,
      response: setupOut,
      handler: ({ caller, params, body }) =>
        toSetupOut(
          ctx.config,
          tenancy
            .forPlatform(caller)
            .orgs.createAdmin(params.id, { email: body.email, name: body.name ?? null }),
        ),
    }),
    route({
      method: 'POST',
      url: '/api/v1/galleries/:id/grants/:orgId',
      summary: 'Share a platform gallery with an org (it may then search it)',
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.grant' },
      params: grantParams,
      response: z.object({
        galleryId: z.string(),
        orgId: z.string(),
        grantedBy: z.string(),
        grantedAt: z.string(),
      }),
      handler: ({ caller, params }) => galleries.grant(caller, params.id, params.orgId),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/galleries/:id/owner',
      summary: 'Hand a platform gallery over to an org, which then owns and manages it',
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.grant' },
      params: idParams,
      body: z.strictObject({ orgId: z.string().min(1).max(100) }),
      response: z.object({ id: z.string(), name: z.string(), images: z.number(), faces: z.number() }),
      handler: ({ caller, params, body }) => {
        const g = galleries.handOver(caller, params.id, body.orgId);
        return { id: g.id, name: g.name, images: g.images, faces: g.faces };
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/galleries/:id/grants/:orgId',
      summary: 'Stop sharing a platform gallery with an org',
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.grant' },
      params: grantParams,
      handler: ({ caller, params }) => {
        galleries.revokeGrant(caller, params.id, params.orgId);
        return undefined;
      },
    }),
  ];
}
