/**
 * What the audit log records: one discriminated union of security-relevant events, each with typed
 * details, and the stored entry that wraps an event in the two hash chains.
 *
 * Details are stored as an opaque string. AuditLog.append validates the typed details, writes them
 * as canonical JSON (always starting with `{`), and — if a sealer is configured — lets the sealer
 * replace that text with a sealed form (which must not start with `{`, e.g. crypto's `v1.<ver>.<b64>`).
 * The entry hash covers exactly the stored string, so `verify` never needs the keys that open it, and
 * sealing or not is invisible to the chain. Schemas are strict: an unknown detail key is refused, so
 * nothing (a probe image, an e-mail) slips into the permanent log by accident.
 */
import { z } from 'zod';
import { FaceLedgerError } from '../core/errors.js';
import type { AuditEventType } from './audit-event-types.js';
import { SHA256_HEX } from './canonical.js';

export { AUDIT_EVENT_TYPES, type AuditEventType } from './audit-event-types.js';

/** Who acted: `user:<id>`, `apikey:<id>`, `cli:<os user>` or `system`. */
export const actorSchema = z
  .string()
  .max(256)
  .regex(
    /^(system|(user|apikey|cli):\S{1,200})$/,
    "actor must be 'system', 'user:<id>', 'apikey:<id>' or 'cli:<name>'",
  );

export const SYSTEM_ACTOR = 'system';
export const actor = {
  user: (userId: string): string => `user:${userId}`,
  apiKey: (keyId: string): string => `apikey:${keyId}`,
  cli: (osUser: string): string => `cli:${osUser}`,
  system: SYSTEM_ACTOR,
} as const;

const ref = z.string().min(1).max(200);
const sha256 = z.string().regex(SHA256_HEX, 'expected a lowercase hex sha256');
const isoTime = z.iso.datetime({ offset: true });
const count = z.int().min(0);
const ip = z.string().min(1).max(64);
const freeText = z.string().min(1).max(2000);

/** Typed details per event type. Case number and purpose are free text the caller may seal. */
export const AUDIT_DETAIL_SCHEMAS = {
  'auth.login.ok': z.strictObject({
    userId: ref,
    method: z.enum(['password', 'password+mfa', 'apikey', 'sso']),
    sessionId: ref.optional(),
    ip: ip.optional(),
  }),
  'auth.login.failed': z.strictObject({
    /** Null when no such user exists; the attempted name is kept only as a hash. */
    userId: ref.nullable(),
    usernameSha256: sha256,
    reason: z.enum([
      'unknown-user',
      'bad-password',
      'bad-mfa',
      'locked',
      'disabled',
      'bad-apikey',
      'expired',
    ]),
    ip: ip.optional(),
  }),
  'auth.lockout': z.strictObject({
    userId: ref,
    failedAttempts: count,
    lockedUntil: isoTime.nullable(),
  }),
  'auth.unlock': z.strictObject({
    userId: ref,
    by: z.enum(['admin', 'timeout', 'password-reset']),
  }),
  'auth.mfa.changed': z.strictObject({
    userId: ref,
    change: z.enum(['enrolled', 'removed', 'reset', 'recovery-codes-regenerated']),
  }),
  'user.changed': z.strictObject({
    userId: ref,
    change: z.enum([
      'created',
      'updated',
      'disabled',
      'enabled',
      'deleted',
      'roles-changed',
      'password-changed',
    ]),
    fields: z.array(z.string().min(1).max(100)).max(50).optional(),
    rolesBefore: z.array(ref).max(50).optional(),
    rolesAfter: z.array(ref).max(50).optional(),
  }),
  'apikey.changed': z.strictObject({
    keyId: ref,
    change: z.enum(['created', 'revoked', 'rotated', 'scopes-changed']),
    ownerUserId: ref.optional(),
    scopes: z.array(ref).max(100).optional(),
    expiresAt: isoTime.nullable().optional(),
  }),
  'search.run': z.strictObject({
    searchId: ref,
    /** Sealed by the search service (org's data key, or the platform's for CLI searches): never plaintext. */
    caseNumber: z.string().min(1).max(512),
    purpose: freeText,
    /** Empty for a 1:1 compare, which searches no gallery. */
    galleries: z.array(ref).max(1000),
    /** 'compare' for a 1:1 comparison of two photos (default: a gallery search). */
    kind: z.enum(['search', 'compare']).optional(),
    probeSha256: sha256,
    /** A compare's second photo. */
    secondProbeSha256: sha256.optional(),
    resultCount: count,
    /** Best similarity returned, null when nothing was returned. */
    topSimilarity: z.number().min(-1).max(1).nullable(),
    k: z.int().min(1).optional(),
    threshold: z.number().min(-1).max(1).optional(),
    outcome: z.enum(['ok', 'no-face', 'failed']),
    errorCode: z.string().min(1).max(64).optional(),
  }),
  'search.result.viewed': z.strictObject({
    searchId: ref,
    /** Absent when the whole stored result (or the probe) was viewed rather than one candidate. */
    galleryId: ref.optional(),
    /** What was shown: the stored result list (default), or the probe photo. */
    view: z.enum(['result', 'probe']).optional(),
    faceId: ref.optional(),
    identityId: ref.optional(),
    imageId: ref.optional(),
    rank: z.int().min(1).optional(),
  }),
  export: z.strictObject({
    kind: z.enum(['search-results', 'audit', 'gallery-report', 'identity', 'images']),
    format: z.enum(['jsonl', 'json', 'csv', 'pdf', 'zip']),
    itemCount: count,
    searchId: ref.optional(),
    caseNumber: z.string().min(1).max(200).optional(),
    contentSha256: sha256.optional(),
  }),
  'ingest.run': z.strictObject({
    jobId: ref,
    galleryId: ref,
    sourceKind: z.string().min(1).max(64),
    phase: z.enum(['started', 'resumed', 'finished', 'failed', 'cancelled']),
    itemsDone: count.optional(),
    imagesEnrolled: count.optional(),
    facesEnrolled: count.optional(),
    errors: count.optional(),
  }),
  erasure: z.strictObject({
    scope: z.enum(['subject', 'identity', 'image', 'face', 'gallery']),
    galleryId: ref.optional(),
    targetIds: z.array(ref).max(1000).optional(),
    imagesRemoved: count,
    facesRemoved: count,
    reason: freeText,
    requestRef: z.string().min(1).max(200).optional(),
  }),
  'retention.purge': z.strictObject({
    scope: z.enum(['audit', 'gallery', 'search-history', 'search-probes']),
    before: isoTime,
    purgedCount: count,
    galleryId: ref.optional(),
    /** For the audit log: the last removed seq and its hash, the anchor verification restarts from. */
    throughSeq: z.int().min(1).optional(),
    anchorHash: sha256.optional(),
  }),
  'config.changed': z.strictObject({
    /** Callers mask secrets before they get here; values are for people, not for replay. */
    changes: z
      .array(
        z.strictObject({
          key: z.string().min(1).max(200),
          from: z.string().max(2000).nullable().optional(),
          to: z.string().max(2000).nullable().optional(),
        }),
      )
      .min(1)
      .max(200),
  }),
  'audit.verified': z.strictObject({
    scope: z.enum(['global', 'org']),
    ok: z.boolean(),
    checked: count,
    firstBad: z
      .strictObject({
        seq: z.int().min(1).nullable(),
        reason: z.enum([
          'modified',
          'deleted',
          'inserted',
          'reordered',
          'truncated',
          'rewritten',
          'bad-signature',
        ]),
      })
      .optional(),
  }),
  /** An auditor marked an alert as seen; the alert itself lives in the alerts table. */
  'alert.acknowledged': z.strictObject({
    alertId: ref,
    kind: z.string().min(1).max(64),
  }),
} as const satisfies Record<AuditEventType, z.ZodType>;

export type AuditDetails<T extends AuditEventType> = z.output<(typeof AUDIT_DETAIL_SCHEMAS)[T]>;

const orgIdSchema = z.string().min(1).max(200);

/**
 * Searches always run for an org and a case; everything else may be a platform event (orgId null).
 * The one exception: the CLI operator (`cli:` actor), who searches the platform's galleries at the
 * machine itself, with a case and purpose but no org.
 */
const ORG_REQUIRED: ReadonlySet<AuditEventType> = new Set(['search.run', 'search.result.viewed']);

function eventSchema<T extends AuditEventType>(type: T) {
  return z
    .strictObject({
      type: z.literal(type),
      orgId: orgIdSchema.nullable(),
      actor: actorSchema,
      details: AUDIT_DETAIL_SCHEMAS[type] as (typeof AUDIT_DETAIL_SCHEMAS)[T],
    })
    .refine(
      (e) =>
        e.orgId !== null || !ORG_REQUIRED.has(type) || (type === 'search.run' && e.actor.startsWith('cli:')),
      { path: ['orgId'], message: `${type} needs an org` },
    );
}

export const auditEventSchema = z.discriminatedUnion('type', [
  eventSchema('auth.login.ok'),
  eventSchema('auth.login.failed'),
  eventSchema('auth.lockout'),
  eventSchema('auth.unlock'),
  eventSchema('auth.mfa.changed'),
  eventSchema('user.changed'),
  eventSchema('apikey.changed'),
  eventSchema('search.run'),
  eventSchema('search.result.viewed'),
  eventSchema('export'),
  eventSchema('ingest.run'),
  eventSchema('erasure'),
  eventSchema('retention.purge'),
  eventSchema('config.changed'),
  eventSchema('audit.verified'),
  eventSchema('alert.acknowledged'),
]);

/** What callers hand to AuditLog.append. */
export type AuditEvent = z.input<typeof auditEventSchema>;

/** Validates an event; throws FaceLedgerError('BAD_INPUT') naming the bad paths (never the values). */
export function parseAuditEvent(event: unknown): z.output<typeof auditEventSchema> {
  const result = auditEventSchema.safeParse(event);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
  throw new FaceLedgerError('BAD_INPUT', `invalid audit event: ${problems}`);
}

/** One stored, chained entry: exactly the columns of `audit_entries`. */
export interface AuditEntry {
  /** UUIDv7; what URLs and people use. */
  id: string;
  /** Global position, gap-free from the chain's base; the global chain links seq-1 → seq. */
  seq: number;
  /** Null for platform events, which live in the global chain only. */
  orgId: string | null;
  /** Position in the org's own chain, gap-free; null when orgId is null. */
  orgSeq: number | null;
  actor: string;
  /** ISO-8601 UTC from the injected Clock. */
  at: string;
  type: AuditEventType;
  /** The stored details text: canonical JSON (starts with `{`) or a sealed string. Hashed verbatim. */
  details: string;
  /** Hash of entry seq-1 (or the anchor / genesis). */
  prevHash: string;
  /** Hash of the org's previous entry (or its anchor / genesis); null when orgId is null. */
  orgPrevHash: string | null;
  /** sha256 over canonical.ts's entry serialisation of every field above. */
  hash: string;
}

/** Turns the stored details back into typed details, unless they are sealed (then the caller must open them). */
export function readDetails<T extends AuditEventType>(entry: {
  type: T;
  details: string;
}): { sealed: false; details: AuditDetails<T> } | { sealed: true; text: string } {
  if (!isPlainDetails(entry.details)) return { sealed: true, text: entry.details };
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.details);
  } catch (cause) {
    throw new FaceLedgerError('INTERNAL', `audit details of type ${entry.type} are not valid JSON`, {
      cause,
    });
  }
  const schema: z.ZodType = AUDIT_DETAIL_SCHEMAS[entry.type];
  return { sealed: false, details: schema.parse(parsed) as AuditDetails<T> };
}

/** Plain (unsealed) details are canonical JSON objects; sealed ones never start with `{`. */
export function isPlainDetails(details: string): boolean {
  return details.startsWith('{');
}
