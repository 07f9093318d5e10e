/**
 * Opt-out over HTTP: the one route anyone may call without an account, because the people it serves
 * have none. A selfie comes in (in memory only), its face template joins the suppression list, and the
 * answer is a confirmation code — never what the face matched, or the endpoint would tell anyone who
 * uploads a photo whether that person is enrolled somewhere. Rate-limited per client address, since
 * every call runs the face pipeline.
 */
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import { OPT_OUT_STATES } from '../../services/opt-out/opt-outs-repo.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';

const STATUS_RATE_LIMIT = { max: 30, perSeconds: 3600 } as const;

const receiptOut = z.object({
  confirmationCode: z.string(),
  submittedAt: z.string(),
  /** When faces already enrolled that match are erased, unless the request is rejected on review. */
  eraseAfter: z.string().nullable(),
  message: z.string(),
});

const statusBody = z.strictObject({ code: z.string().min(1).max(64) });
const statusOut = z.object({
  submittedAt: z.string(),
  state: z.enum(OPT_OUT_STATES),
  active: z.boolean(),
  eraseAfter: z.string().nullable(),
});

export function optOutRoutes(ctx: ServerContext): RouteDef[] {
  const service = ctx.services.optOuts;
  // Per client address: a person opts out once; a few retries for a photo without a usable face.
  const rateLimit = { max: ctx.config.optOutPerHour, perSeconds: 3600 };
  return [
    route({
      method: 'POST',
      url: '/api/v1/opt-out',
      summary: 'Opt out of face search: send a selfie with exactly one face (yours)',
      tags: ['data subjects'],
      access: { kind: 'public', rateLimit },
      multipart: {
        fields: z.strictObject({}),
        files: { selfie: { required: true, description: 'a photo with exactly one face: yours' } },
      },
      response: receiptOut,
      status: 201,
      handler: async ({ files }) => {
        const selfie = files.get('selfie');
        if (!selfie) throw new FaceLedgerError('BAD_INPUT', 'the file "selfie" is required');
        const receipt = await service.submit({ selfie: selfie.data, via: 'public' });
        return {
          confirmationCode: receipt.confirmationCode,
          submittedAt: receipt.submittedAt,
          eraseAfter: receipt.eraseAfter,
          message:
            'From now on your face is not returned by searches or enrolled into galleries. Photos of ' +
            'you already held are erased when the review period ends, unless the request is found not ' +
            'to be about your own face. Keep this confirmation code: it is shown only once. Your photo ' +
            'was not kept.',
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/opt-out/status',
      summary: 'Check that an opt-out is on file, by its confirmation code',
      tags: ['data subjects'],
      access: { kind: 'public', rateLimit: STATUS_RATE_LIMIT },
      body: statusBody,
      response: statusOut,
      handler: ({ body }) => service.status(body.code),
    }),
  ];
}
