/**
 * The shapes of the search routes: form fields and queries in (checked here, at the edge; the case
 * rules themselves live in the search service, shared with the CLI), and the answers out (for OpenAPI).
 */
import { z } from 'zod';
import { RETENTION_MAX_DAYS } from '../../services/search-history/retention.js';
import { HISTORY_PAGE_MAX } from '../../services/search-history/search-history-repo.js';

const id = z.string().min(1).max(200);

/** The case binding as form fields; the service checks length, printable characters and the purpose list. */
const caseFields = {
  caseNumber: z.string({ error: 'a case number is required' }).max(1000),
  purpose: z.string({ error: 'a purpose is required (GET /api/v1/purposes lists them)' }).max(200),
};

/** `galleries=a,b` or `galleries=a&galleries=b` (or both). */
const galleryList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) =>
    (v === undefined ? [] : Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().max(200)).max(100))
  .describe('gallery ids or names, comma-separated or repeated; default: every gallery the org may search');

export const searchFields = z.strictObject({
  ...caseFields,
  galleries: galleryList,
  top: z.coerce.number().int().min(1).max(1000).default(10),
  face: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000)
    .optional()
    .describe('which probe face (default: the largest)'),
});

export const compareFields = z.strictObject(caseFields);

export const searchIdParams = z.strictObject({ id: z.uuid() });
export const faceIdParams = z.strictObject({ id });

export const probeQuery = z.strictObject({
  photo: z.enum(['first', 'second']).default('first').describe("a compare's second photo: 'second'"),
});

export const historyQuery = z.strictObject({
  caseNumber: z.string().trim().min(1).max(1000).optional(),
  actor: z.string().min(1).max(256).optional().describe('org-wide readers: one user (user:<id>) or key'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

const days = z.int().min(1).max(RETENTION_MAX_DAYS).nullable().optional();
export const retentionBody = z.strictObject({
  probeDays: days.describe('days probe photos are kept; null: the installation default'),
  historyDays: days.describe('days search history is kept; null: the installation default'),
});

/** [x, y, width, height] in the photo's pixels. */
const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

const faceView = z.looseObject({
  box,
  score: z.number(),
  /** Five points, [x, y] each: eyes, nose tip, mouth corners. */
  landmarks: z.array(z.tuple([z.number(), z.number()])),
  quality: z.record(z.string(), z.number()),
});

const record = {
  searchId: z.string(),
  caseNumber: z.string(),
  purpose: z.string(),
  createdAt: z.string(),
};

export const searchResultOut = z.object({
  ...record,
  kind: z.literal('search'),
  probe: z.object({ faces: z.array(faceView), selected: z.number() }),
  candidates: z.array(
    z.looseObject({
      rank: z.number(),
      faceId: z.string(),
      imageId: z.string(),
      gallery: z.string(),
      subjectId: z.string().nullable(),
      source: z.string(),
      location: z.string(),
      similarity: z.number(),
      confidence: z.enum(['high', 'possible', 'low']),
      identity: z.object({ id: z.string().nullable(), faces: z.number() }).nullable(),
      box,
      thumbnailUrl: z.string(),
    }),
  ),
  thresholds: z.object({ high: z.number(), possible: z.number() }),
  decision: z.enum(['match', 'no_confident_match']),
  galleryFaces: z.number(),
});

export const compareResultOut = z.object({
  ...record,
  kind: z.literal('compare'),
  similarity: z.number(),
  threshold: z.number(),
  match: z.boolean(),
  faces: z.object({ a: faceView, b: faceView }),
});

const stored = { actor: z.string(), probeKept: z.boolean() };
export const storedSearchOut = z.union([searchResultOut.extend(stored), compareResultOut.extend(stored)]);

export const historyOut = z.object({
  items: z.array(
    z.object({
      searchId: z.string(),
      kind: z.enum(['search', 'compare']),
      actor: z.string(),
      createdAt: z.string(),
      caseNumber: z.string(),
      purpose: z.string(),
      galleries: z.array(z.string()),
      top: z.number().nullable(),
      probeSha256: z.string(),
      secondProbeSha256: z.string().nullable(),
      resultCount: z.number(),
      topSimilarity: z.number().nullable(),
      decision: z.string(),
      probeKept: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const retention = { probeDays: z.number(), historyDays: z.number() };
export const retentionOut = z.object({
  ...retention,
  defaults: z.object(retention),
  overridden: z.object({ probeDays: z.boolean(), historyDays: z.boolean() }),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

export const purposesOut = z.object({ purposes: z.array(z.string()) });
