/**
 * The platform-admin's review of opt-out requests. A request from the public page suppresses the face
 * at once but erases the matching enrolled faces only when its hold ends: until then a platform-admin
 * may confirm it (erase now) or reject it (the template is destroyed and the hidden faces come back),
 * e.g. for a flood of requests from one source. The list shows states, dates and counts — never a
 * template, a code, or which faces or galleries a request matched.
 */
import { z } from 'zod';
import { OPT_OUT_STATES } from '../../services/opt-out/opt-outs-repo.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';
import { idParams } from './account-views.js';

const requestOut = z.object({
  id: z.string(),
  via: z.enum(['public', 'cli']),
  state: z.enum(OPT_OUT_STATES),
  createdAt: z.string(),
  eraseAfter: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  facesRemoved: z.number(),
  imagesRemoved: z.number(),
});

const erasedOut = z.object({ galleries: z.number(), images: z.number(), faces: z.number() });

export function optOutReviewRoutes(ctx: ServerContext): RouteDef[] {
  const optOuts = ctx.services.optOuts;
  const access = { kind: 'action', action: 'optouts.review' } as const;
  return [
    route({
      method: 'GET',
      url: '/api/v1/opt-outs',
      summary: 'Opt-out requests, newest first (states, dates and counts only)',
      tags: ['data subjects'],
      access,
      query: z.strictObject({
        state: z.enum(OPT_OUT_STATES).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: z.object({ total: z.number(), items: z.array(requestOut) }),
      handler: ({ query }) => optOuts.list(query.state, query.limit, query.offset),
    }),
    route({
      method: 'POST',
      url: '/api/v1/opt-outs/:id/confirm',
      summary: 'End a held opt-out’s hold now: its matching enrolled faces are erased',
      tags: ['data subjects'],
      access,
      params: idParams,
      response: z.object({ request: requestOut, removed: erasedOut }),
      handler: ({ caller, params }) => optOuts.confirm(params.id, caller.actor),
    }),
    route({
      method: 'POST',
      url: '/api/v1/opt-outs/:id/reject',
      summary: 'Reject a held opt-out (not the sender’s own face): its template is destroyed',
      tags: ['data subjects'],
      access,
      params: idParams,
      body: z.strictObject({ reason: z.string().trim().min(3).max(500) }),
      response: requestOut,
      handler: ({ caller, params, body }) => optOuts.reject(params.id, caller.actor, body.reason),
    }),
  ];
}
