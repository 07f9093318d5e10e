/**
 * The audit log and alerts over HTTP. Who reads which chain is the audit service's decision: an org's
 * auditors their org's entries, platform-admins platform entries (and verify the whole log); so the
 * audit routes are `authenticated` and everyone else gets FORBIDDEN from the service. Alerts belong to
 * the org's auditors (`alerts.read`, `alerts.ack`).
 */
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, AUDIT_QUERY_MAX_LIMIT, VERIFY_FAILURE_REASONS } from '../../audit/index.js';
import { ALERT_KINDS, ALERT_LIST_MAX_LIMIT, type Alert } from '../../services/alerts/index.js';
import { AuditService, type AuditServiceFilters } from '../../services/audit-service.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';

const eventType = z.enum(AUDIT_EVENT_TYPES);

/** `type=a&type=b` or `type=a,b`. */
const typesParam = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))
  .pipe(z.array(eventType).min(1).max(AUDIT_EVENT_TYPES.length))
  .describe('event type(s): repeat the parameter or separate with commas');

const auditFilters = {
  type: typesParam.optional(),
  actor: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe("'user:<id>', 'apikey:<id>', 'cli:<name>' or 'system'"),
  from: z.iso.datetime({ offset: true }).optional().describe('inclusive'),
  to: z.iso.datetime({ offset: true }).optional().describe('exclusive'),
};

const auditQuery = z.strictObject({
  ...auditFilters,
  limit: z.coerce.number().int().min(1).max(AUDIT_QUERY_MAX_LIMIT).default(100),
  cursor: z.string().min(1).max(100).optional(),
});
const exportQuery = z.strictObject(auditFilters);

const auditEntryOut = z.object({
  id: z.string(),
  seq: z.number(),
  orgId: z.string().nullable(),
  orgSeq: z.number().nullable(),
  actor: z.string(),
  at: z.string(),
  type: eventType,
  details: z.string().describe('as stored and hashed: canonical JSON, or sealed text'),
  data: z.record(z.string(), z.unknown()).nullable().describe('the details parsed; null when sealed'),
  prevHash: z.string(),
  orgPrevHash: z.string().nullable(),
  hash: z.string(),
});

const position = z.object({ seq: z.number(), orgSeq: z.number().nullable(), hash: z.string() });
const verifyOut = z.object({
  ok: z.boolean(),
  scope: z.enum(['global', 'org']),
  orgId: z.string().nullable(),
  checked: z.number(),
  base: position,
  head: position.nullable(),
  checkpoints: z.object({
    total: z.number(),
    trusted: z.number(),
    latestSeq: z.number().nullable(),
    signaturesChecked: z.boolean(),
  }),
  firstBad: z
    .object({
      reason: z.enum(VERIFY_FAILURE_REASONS),
      seq: z.number().nullable(),
      id: z.string().nullable(),
      orgId: z.string().nullable(),
      orgSeq: z.number().nullable(),
      message: z.string(),
    })
    .optional(),
});

const alertOut = z.object({
  id: z.string(),
  orgId: z.string(),
  kind: z.enum(ALERT_KINDS),
  subject: z.string().describe("'user:<id>', 'apikey:<id>' or 'probe:<sha256>'"),
  day: z.string(),
  triggeredAt: z.string(),
  createdAt: z.string(),
  details: z.record(z.string(), z.unknown()),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});

const alertsQuery = z.strictObject({
  status: z.enum(['open', 'acknowledged', 'all']).default('all'),
  kind: z.enum(ALERT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(ALERT_LIST_MAX_LIMIT).default(50),
  cursor: z.string().min(1).max(100).optional(),
});

const alertIdParams = z.strictObject({ id: z.string().min(1).max(100) });

function filtersOf(query: z.output<typeof exportQuery>): AuditServiceFilters {
  return {
    ...(query.type ? { types: query.type } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
  };
}

export function auditRoutes(ctx: ServerContext): RouteDef[] {
  const audit = new AuditService({ audit: ctx.app.audit });
  const alerts = ctx.services.alerts;
  const toAlertOut = (a: Alert): z.infer<typeof alertOut> => ({ ...a });

  return [
    route({
      method: 'GET',
      url: '/api/v1/audit',
      summary: "Audit entries, newest first: an auditor's org, or a platform-admin's platform entries",
      tags: ['audit'],
      access: { kind: 'anyAction', actions: ['audit.read', 'audit.read.platform'] },
      query: auditQuery,
      response: z.object({ entries: z.array(auditEntryOut), nextCursor: z.string().nullable() }),
      handler: ({ caller, query }) =>
        audit.query(caller, {
          ...filtersOf(query),
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
        }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/audit/export',
      summary:
        'The same entries as JSON lines, oldest first, re-verifiable line by line (the export is audited)',
      tags: ['audit'],
      access: { kind: 'anyAction', actions: ['audit.read', 'audit.read.platform'] },
      query: exportQuery,
      response: { mediaType: 'application/x-ndjson', description: 'one audit entry per line' },
      handler: ({ caller, query, reply }) => {
        const lines: string[] = [];
        const result = audit.exportJsonl(caller, filtersOf(query), (line) => lines.push(line));
        void reply
          .type('application/x-ndjson')
          .header('content-disposition', 'attachment; filename="faceledger-audit.jsonl"')
          .header('cache-control', 'private, no-store')
          .header('x-content-sha256', result.sha256)
          .send(lines.join(''));
        return undefined;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/audit/verify',
      summary:
        "Verify the hash chains and signed checkpoints (an auditor: the org's chain; a platform-admin: all)",
      tags: ['audit'],
      access: { kind: 'anyAction', actions: ['audit.read', 'audit.read.platform'] },
      response: verifyOut,
      // In a worker thread: walking a long log here would stall every other request for seconds.
      handler: ({ caller }) => audit.verifyOffThread(caller),
    }),
    route({
      method: 'GET',
      url: '/api/v1/alerts',
      summary: "The org's alerts, newest first",
      tags: ['alerts'],
      access: { kind: 'action', action: 'alerts.read' },
      query: alertsQuery,
      response: z.object({ alerts: z.array(alertOut), nextCursor: z.string().nullable() }),
      handler: ({ caller, query }) => {
        const page = alerts.list(caller, {
          status: query.status,
          limit: query.limit,
          ...(query.kind ? { kind: query.kind } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        return { alerts: page.alerts.map(toAlertOut), nextCursor: page.nextCursor };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/alerts/:id/ack',
      summary: 'Acknowledge an alert (audited)',
      tags: ['alerts'],
      access: { kind: 'action', action: 'alerts.ack' },
      params: alertIdParams,
      response: alertOut,
      handler: ({ caller, params }) => toAlertOut(alerts.acknowledge(caller, params.id)),
    }),
  ];
}
