/**
 * Case-bound search over HTTP: search, 1:1 compare, history, stored results and probe photos, candidate
 * thumbnails, the org's retention and the purpose list. Every rule (case and purpose, quota, which
 * galleries, who reads which history) lives in the case search service; routes only shape HTTP.
 * Reads that investigators, auditors and org-admins share (`authenticated` here) are decided by the
 * service's data layer, which answers FORBIDDEN to anyone else (platform-admins see no search content).
 */
import type { FastifyReply } from 'fastify';
import { FaceLedgerError } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route, type UploadedFile } from '../route.js';
import {
  compareFields,
  compareResultOut,
  faceIdParams,
  historyOut,
  historyQuery,
  probeQuery,
  purposesOut,
  retentionBody,
  retentionOut,
  searchFields,
  searchIdParams,
  searchResultOut,
  storedSearchOut,
} from './search-schemas.js';

/** Probe photos and thumbnails are personal data: never cached, never sniffed into something else. */
function sendImage(reply: FastifyReply, mediaType: string, bytes: Uint8Array): void {
  void reply
    .type(mediaType)
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function fileOf(files: ReadonlyMap<string, UploadedFile>, name: string): Buffer {
  const file = files.get(name);
  if (!file) throw new FaceLedgerError('BAD_INPUT', `the file "${name}" is required`);
  return file.data;
}

export function searchRoutes(ctx: ServerContext): RouteDef[] {
  const service = ctx.services.searches;

  /** Counts each search by outcome for /metrics (labels: outcomes only). */
  async function counted<T extends { decision?: string; match?: boolean }>(
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      const result = await work();
      const matched = result.decision ? result.decision === 'match' : result.match === true;
      ctx.metrics.searches.inc({ outcome: matched ? 'match' : 'no-match' });
      return result;
    } catch (err) {
      const code = err instanceof FaceLedgerError ? err.code : 'INTERNAL';
      ctx.metrics.searches.inc({
        outcome: code === 'NO_FACE' ? 'no-face' : code === 'INTERNAL' ? 'failed' : 'refused',
      });
      throw err;
    }
  }

  return [
    route({
      method: 'POST',
      url: '/api/v1/searches',
      summary: 'Search the org’s galleries with one probe photo, for a case and a purpose',
      tags: ['searches'],
      access: { kind: 'action', action: 'search.run' },
      multipart: {
        fields: searchFields,
        files: { probe: { required: true, description: 'the probe photo (JPEG, PNG, WebP…)' } },
      },
      response: searchResultOut,
      status: 201,
      handler: ({ caller, body, files }) =>
        counted(() =>
          service.run({
            caller,
            probe: fileOf(files, 'probe'),
            caseNumber: body.caseNumber,
            purpose: body.purpose,
            galleries: body.galleries,
            top: body.top,
            ...(body.face !== undefined ? { face: body.face } : {}),
          }),
        ),
    }),
    route({
      method: 'GET',
      url: '/api/v1/searches',
      summary: 'Search history: one’s own; org-admins and auditors see the org’s',
      tags: ['searches'],
      access: { kind: 'anyAction', actions: ['search.read.own', 'search.read.org'] },
      query: historyQuery,
      response: historyOut,
      handler: ({ caller, query }) =>
        service.list(caller, {
          limit: query.limit,
          ...(query.caseNumber !== undefined ? { caseNumber: query.caseNumber } : {}),
          ...(query.actor !== undefined ? { actor: query.actor } : {}),
          ...(query.from !== undefined ? { from: query.from } : {}),
          ...(query.to !== undefined ? { to: query.to } : {}),
          ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/searches/:id',
      summary: 'One stored search with its results as answered (the view is audited)',
      tags: ['searches'],
      access: { kind: 'anyAction', actions: ['search.read.own', 'search.read.org'] },
      params: searchIdParams,
      response: storedSearchOut,
      handler: ({ caller, params }) => service.get(caller, params.id),
    }),
    route({
      method: 'GET',
      url: '/api/v1/searches/:id/probe',
      summary: 'The probe photo of a stored search, while retention keeps it (the view is audited)',
      tags: ['searches'],
      access: { kind: 'anyAction', actions: ['search.read.own', 'search.read.org'] },
      params: searchIdParams,
      query: probeQuery,
      response: { mediaType: 'image/*', description: 'the probe photo as uploaded' },
      handler: ({ caller, params, query, reply }) => {
        const photo = service.probe(caller, params.id, query.photo);
        sendImage(reply, photo.mediaType, photo.bytes);
        return undefined;
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/compare',
      summary: 'Compare two photos 1:1, for a case and a purpose',
      tags: ['searches'],
      access: { kind: 'action', action: 'search.run' },
      multipart: {
        fields: compareFields,
        files: {
          a: { required: true, description: 'the first photo' },
          b: { required: true, description: 'the second photo' },
        },
      },
      response: compareResultOut,
      status: 201,
      handler: ({ caller, body, files }) =>
        counted(() =>
          service.compare({
            caller,
            a: fileOf(files, 'a'),
            b: fileOf(files, 'b'),
            caseNumber: body.caseNumber,
            purpose: body.purpose,
          }),
        ),
    }),
    route({
      method: 'GET',
      url: '/api/v1/faces/:id/thumbnail',
      summary: 'A face’s thumbnail, if the caller’s org may search its gallery',
      tags: ['searches'],
      access: { kind: 'anyAction', actions: ['search.run', 'search.read.own', 'search.read.org'] },
      params: faceIdParams,
      response: { mediaType: 'image/jpeg', description: 'a square JPEG of the face' },
      handler: ({ caller, params, reply }) => {
        sendImage(reply, 'image/jpeg', service.thumbnail(caller, params.id));
        return undefined;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/org/retention',
      summary: 'How long the org keeps probe photos and search history',
      tags: ['searches', 'org'],
      access: { kind: 'action', action: 'search.read.org' },
      response: retentionOut,
      handler: ({ caller }) => service.retention(caller),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/org/retention',
      summary: 'Set the org’s probe and history retention (null: back to the default); audited',
      tags: ['searches', 'org'],
      access: { kind: 'action', action: 'search.retention.manage' },
      body: retentionBody,
      response: retentionOut,
      handler: ({ caller, body }) =>
        service.setRetention(caller, {
          ...(body.probeDays !== undefined ? { probeDays: body.probeDays } : {}),
          ...(body.historyDays !== undefined ? { historyDays: body.historyDays } : {}),
        }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/purposes',
      summary: 'The purposes a search may be run for',
      tags: ['searches'],
      access: { kind: 'authenticated' },
      response: purposesOut,
      handler: () => ({ purposes: [...service.purposes] }),
    }),
  ];
}
