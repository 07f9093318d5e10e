/**
 * Erasure over HTTP: a gallery, an image, a face or an identity, removed from the database, the vector
 * index and the thumbnails at once and audited. Org-admins reach the galleries their org owns,
 * platform-admins the platform's; the erasure service decides (anything else is 404).
 */
import { z } from 'zod';
import { ERASURE_REASONS, type ErasureReport, ErasureService } from '../../services/erasure-service.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';
import { idParams } from './account-views.js';

const eraseQuery = z.strictObject({
  reason: z.enum(ERASURE_REASONS).optional(),
  /** A ticket or letter reference for the audit entry: a reference, not a description. */
  requestRef: z
    .string()
    .regex(/^[\w.:/#-]{1,100}$/, 'letters, digits and . : / # - _ only, up to 100')
    .optional(),
});

const erasedOut = z.object({
  erased: z.object({
    scope: z.enum(['image', 'face', 'identity', 'gallery', 'subject']),
    targetId: z.string(),
    galleryId: z.string(),
    imagesRemoved: z.number(),
    facesRemoved: z.number(),
  }),
});

type Target = 'galleries' | 'images' | 'faces' | 'identities';

export function erasureRoutes(ctx: ServerContext): RouteDef[] {
  const service = new ErasureService(ctx.app);
  const erase: Record<
    Target,
    (s: ErasureService, ...a: Parameters<ErasureService['eraseImage']>) => ErasureReport
  > = {
    galleries: (s, by, id, r) => s.eraseGallery(by, id, r),
    images: (s, by, id, r) => s.eraseImage(by, id, r),
    faces: (s, by, id, r) => s.eraseFace(by, id, r),
    identities: (s, by, id, r) => s.eraseIdentity(by, id, r),
  };
  const what: Record<Target, string> = {
    galleries: 'a whole gallery: images, faces, thumbnails, identities, jobs, grants and its index',
    images: 'an image with its faces and thumbnails',
    faces: 'one face and its thumbnail',
    identities: 'every face of an identity, and the images left without a face',
  };
  return (Object.keys(erase) as Target[]).map((target) =>
    route({
      method: 'DELETE',
      url: `/api/v1/${target}/:id`,
      summary: `Erase ${what[target]} (database, index and thumbnails at once; audited)`,
      tags: ['erasure'],
      access: { kind: 'action', action: 'erasure.run' },
      params: idParams,
      query: eraseQuery,
      response: erasedOut,
      handler: ({ caller, params, query }) => ({
        erased: erase[target](service, { caller }, params.id, {
          ...(query.reason ? { reason: query.reason } : {}),
          ...(query.requestRef ? { requestRef: query.requestRef } : {}),
        }),
      }),
    }),
  );
}
