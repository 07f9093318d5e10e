/**
 * Galleries over HTTP: list and create them, upload an archive or manifest to ingest in the background,
 * follow the job, browse images and identities. Who sees which gallery, and who may manage it, is the
 * OrgGalleryService's rule (owner or grant; platform galleries for platform-admins); ingest itself is
 * the IngestRunner's. Galleries outside the caller's view answer 404.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import type { IngestItem, IngestJob } from '../../gallery/store/records.js';
import { thumbnailUrl } from '../../services/case-search-service.js';
import { ingestRunnerFor, type LiveProgress } from '../../services/ingest-uploads/ingest-runner.js';
import type { UploadField } from '../../services/ingest-uploads/upload-kind.js';
import { type GalleryView, OrgGalleryService } from '../../services/org-gallery-service.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';
import { idParams } from './account-views.js';

const MAX_PROBLEMS_SHOWN = 500;

const galleryOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  legalBasis: z.string(),
  sourceDescription: z.string(),
  retentionDays: z.number().nullable(),
  createdAt: z.string(),
  relation: z.enum(['owned', 'granted', 'platform']),
  images: z.number(),
  faces: z.number(),
  identities: z.number(),
  grantedTo: z.array(z.string()).optional(),
});

function toGalleryOut(g: GalleryView): z.infer<typeof galleryOut> {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    legalBasis: g.legalBasis,
    sourceDescription: g.sourceDescription,
    retentionDays: g.retentionDays,
    createdAt: g.createdAt,
    relation: g.relation,
    images: g.images,
    faces: g.faces,
    identities: g.identities,
    ...(g.grantedTo ? { grantedTo: g.grantedTo } : {}),
  };
}

const jobOut = z.object({
  id: z.string(),
  galleryId: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  sourceKind: z.string(),
  /** The uploaded file's name (as saved). */
  upload: z.string(),
  createdBy: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: z.object({
    itemsDone: z.number(),
    /** Known for zip archives and manifests; null for tar archives and for jobs of an earlier run. */
    itemsTotal: z.number().nullable(),
    imagesPerSecond: z.number().nullable(),
    imagesEnrolled: z.number(),
    facesEnrolled: z.number(),
    duplicates: z.number(),
    noFace: z.number(),
    errors: z.number(),
    /** Faces not enrolled because their person opted out. */
    suppressed: z.number(),
    /** Faces left out by the quality filter, by reason. */
    facesFiltered: z.record(z.string(), z.number()),
  }),
  /** Why the whole job stopped, when it failed. */
  failure: z.string().nullable(),
});

const problemOut = z.object({
  itemKey: z.string(),
  location: z.string(),
  outcome: z.enum(['no_face', 'error']),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
});

function throughput(job: IngestJob): number | null {
  const end = Date.parse(job.finishedAt ?? job.updatedAt);
  const seconds = (end - Date.parse(job.startedAt)) / 1000;
  return seconds > 0 && job.itemsDone > 0 ? Math.round((job.itemsDone / seconds) * 100) / 100 : null;
}

function toJobOut(job: IngestJob, live: LiveProgress | undefined): z.infer<typeof jobOut> {
  // Ingest counts opted-out faces among the skipped ones; they are shown apart from the quality filter's.
  const { suppressed = 0, ...qualityFiltered } = job.facesFiltered;
  return {
    id: job.id,
    galleryId: job.galleryId,
    status: job.status,
    sourceKind: job.sourceKind,
    upload: basename(job.source),
    createdBy: job.createdBy,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
    progress: {
      itemsDone: job.itemsDone,
      itemsTotal: live?.itemsTotal ?? null,
      imagesPerSecond: live?.imagesPerSecond ?? throughput(job),
      imagesEnrolled: job.imagesEnrolled,
      facesEnrolled: job.facesEnrolled,
      duplicates: job.duplicates,
      noFace: job.noFace,
      errors: job.errors,
      suppressed,
      facesFiltered: qualityFiltered,
    },
    failure: live?.failure ?? (job.status === 'failed' ? 'the ingest stopped before the end' : null),
  };
}

function toProblemOut(item: IngestItem): z.infer<typeof problemOut> {
  return {
    itemKey: item.itemKey,
    location: item.location,
    outcome: item.outcome === 'no_face' ? 'no_face' : 'error',
    errorCode: item.errorCode,
    errorMessage: item.errorMessage,
  };
}

const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

export function galleryRoutes(ctx: ServerContext): RouteDef[] {
  const galleries = new OrgGalleryService(ctx.app);
  const runner = ingestRunnerFor(ctx.app);

  return [
    route({
      method: 'GET',
      url: '/api/v1/galleries',
      summary: "Galleries your organisation owns or was granted (platform-admins: the platform's)",
      tags: ['galleries'],
      access: { kind: 'authenticated' },
      response: z.object({ galleries: z.array(galleryOut) }),
      handler: ({ caller }) => ({ galleries: galleries.list(caller).map(toGalleryOut) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/galleries',
      summary: 'Create a gallery owned by your organisation (platform-admins: a platform gallery)',
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.manage' },
      body: z.strictObject({
        name: z.string().trim().min(1).max(200),
        legalBasis: z.string().trim().min(1).max(2000),
        description: z.string().trim().max(2000).optional(),
        sourceDescription: z.string().trim().max(2000).optional(),
        retentionDays: z.int().min(1).max(36_500).nullable().optional(),
      }),
      status: 201,
      response: galleryOut,
      handler: ({ caller, body }) => toGalleryOut(galleries.create(caller, body)),
    }),
    route({
      method: 'GET',
      url: '/api/v1/galleries/:id',
      summary: 'One gallery you can see, with its image, face and identity counts',
      tags: ['galleries'],
      access: { kind: 'authenticated' },
      params: idParams,
      response: galleryOut,
      handler: ({ caller, params }) => toGalleryOut(galleries.get(caller, params.id)),
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/galleries/:id',
      summary: 'Change how long a gallery you manage keeps its images (null: until erased); audited',
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.manage' },
      params: idParams,
      body: z.strictObject({ retentionDays: z.int().min(1).max(36_500).nullable() }),
      response: galleryOut,
      handler: ({ caller, params, body }) =>
        toGalleryOut(galleries.setRetention(caller, params.id, body.retentionDays)),
    }),
    route({
      method: 'POST',
      url: '/api/v1/galleries/:id/ingest',
      summary:
        'Upload an archive (.zip, .tar, .tar.gz) or a manifest of image URLs (.csv, .jsonl) to enrol; answers 202 with the job to follow',
      tags: ['galleries'],
      access: { kind: 'action', action: 'ingest.run' },
      params: idParams,
      multipart: {
        fields: z.strictObject({}),
        files: {
          archive: { required: false, spool: true, description: 'A .zip, .tar or .tar.gz archive of images' },
          manifest: {
            required: false,
            spool: true,
            description: 'A .csv or .jsonl manifest naming images by url (with subject_id, source)',
          },
        },
        maxFileBytes: ctx.config.maxArchiveBytes,
      },
      status: 202,
      response: z.object({ job: jobOut }),
      handler: async ({ caller, params, spooled, reply }) => {
        const gallery = galleries.requireManaged(caller, params.id);
        const sent = (['archive', 'manifest'] as const).filter((f) => spooled.has(f));
        if (sent.length !== 1)
          throw new FaceLedgerError('BAD_INPUT', 'send exactly one file: "archive" or "manifest"');
        const field = sent[0] as UploadField;
        const file = spooled.get(field);
        if (!file) throw new FaceLedgerError('BAD_INPUT', `the file "${field}" is missing`);
        const job = await runner.start({
          gallery,
          orgId: caller.orgId,
          actor: caller.actor,
          upload: { field, filename: file.filename, path: file.path },
          onEnrolled: ctx.metrics.countEnrolled,
        });
        void reply.header('location', `/api/v1/jobs/${job.id}`);
        return { job: toJobOut(job, runner.live(job.id)) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/jobs/:id',
      summary: 'Progress of an ingest job, with the items that enrolled nothing and why',
      tags: ['galleries'],
      access: { kind: 'action', action: 'ingest.run' },
      params: idParams,
      response: jobOut.extend({ problems: z.array(problemOut), problemsShown: z.number() }),
      handler: ({ caller, params }) => {
        const { job, problems } = galleries.job(caller, params.id, MAX_PROBLEMS_SHOWN);
        return {
          ...toJobOut(job, runner.live(job.id)),
          problems: problems.map(toProblemOut),
          problemsShown: problems.length,
        };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/galleries/:id/jobs',
      summary: "A gallery's ingest jobs, newest first",
      tags: ['galleries'],
      access: { kind: 'action', action: 'ingest.run' },
      params: idParams,
      response: z.object({ jobs: z.array(jobOut) }),
      handler: ({ caller, params }) => ({
        jobs: galleries.jobs(caller, params.id).map((j) => toJobOut(j, runner.live(j.id))),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/galleries/:id/images',
      summary: "A page of a gallery's images: subject id, source link, faces with their thumbnail URLs",
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.manage' },
      params: idParams,
      query: pageQuery,
      response: z.object({
        total: z.number(),
        limit: z.number(),
        offset: z.number(),
        images: z.array(
          z.object({
            id: z.string(),
            subjectId: z.string().nullable(),
            sourceLink: z.string().nullable(),
            location: z.string(),
            width: z.number(),
            height: z.number(),
            ingestedAt: z.string(),
            faceCount: z.number(),
            faces: z.array(
              z.object({
                id: z.string(),
                faceIndex: z.number(),
                isSubject: z.boolean(),
                thumbnailUrl: z.string(),
              }),
            ),
          }),
        ),
      }),
      handler: ({ caller, params, query }) => {
        const page = galleries.images(caller, params.id, query.limit, query.offset);
        return {
          total: page.total,
          limit: page.limit,
          offset: page.offset,
          images: page.items.map((i) => ({
            id: i.id,
            subjectId: i.subjectId,
            sourceLink: i.sourceLink,
            location: i.location,
            width: i.width,
            height: i.height,
            ingestedAt: i.ingestedAt,
            faceCount: i.faces.length,
            faces: i.faces.map((f) => ({ ...f, thumbnailUrl: thumbnailUrl(f.id) })),
          })),
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/galleries/:id/identities',
      summary:
        "Group a gallery's faces into identities (replaces the previous grouping; opted-out faces are left out)",
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.manage' },
      params: idParams,
      response: z.object({ faces: z.number(), identities: z.number(), suppressed: z.number() }),
      handler: ({ caller, params }) => galleries.buildIdentities(caller, params.id),
    }),
    route({
      method: 'GET',
      url: '/api/v1/galleries/:id/identities',
      summary: "A page of a gallery's identities (groups of faces of one person), largest first",
      tags: ['galleries'],
      access: { kind: 'action', action: 'galleries.manage' },
      params: idParams,
      query: pageQuery,
      response: z.object({
        total: z.number(),
        limit: z.number(),
        offset: z.number(),
        identities: z.array(
          z.object({
            id: z.string(),
            subjectId: z.string().nullable(),
            faceCount: z.number(),
            createdAt: z.string(),
          }),
        ),
      }),
      handler: ({ caller, params, query }) => {
        const page = galleries.identities(caller, params.id, query.limit, query.offset);
        return {
          total: page.total,
          limit: page.limit,
          offset: page.offset,
          identities: page.items.map((i) => ({
            id: i.id,
            subjectId: i.subjectId,
            faceCount: i.faceCount,
            createdAt: i.createdAt,
          })),
        };
      },
    }),
  ];
}
