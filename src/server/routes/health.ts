import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../core/project-paths.js';
import type { ServerContext } from '../context.js';
import { openApiDocument } from '../openapi.js';
import { type RouteDef, route } from '../route.js';
import { allRoutes } from './index.js';

const VERSION = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string })
  .version;

/** Whether a readiness probe runs without throwing. */
function passes(probe: () => unknown): boolean {
  try {
    probe();
    return true;
  } catch {
    return false;
  }
}

/** Liveness, readiness, metrics and the API description: public, and free of any org's data. */
export function healthRoutes(ctx: ServerContext): RouteDef[] {
  let openapi: unknown;
  return [
    route({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness: the process answers',
      tags: ['health'],
      access: { kind: 'public' },
      response: z.object({ status: z.literal('ok') }),
      handler: () => ({ status: 'ok' as const }),
    }),
    route({
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: database answers and keys are loaded',
      tags: ['health'],
      access: { kind: 'public' },
      response: z.object({
        status: z.enum(['ready', 'not-ready']),
        checks: z.record(z.string(), z.boolean()),
      }),
      handler: ({ reply }) => {
        const checks = {
          database: passes(() => ctx.app.store.db.prepare('SELECT 1').get()),
          masterKey: passes(() => ctx.app.vault.assertMasterKeysLoaded()),
        };
        const ready = Object.values(checks).every(Boolean);
        reply.code(ready ? 200 : 503);
        return { status: ready ? 'ready' : 'not-ready', checks };
      },
    }),
    route({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (installation-wide totals; no org or person is named)',
      tags: ['health'],
      access: { kind: 'public' },
      response: { mediaType: 'text/plain', description: 'Prometheus text exposition format' },
      handler: async ({ reply }) => {
        const text = await ctx.metrics.registry.metrics();
        reply.type(ctx.metrics.registry.contentType).send(text);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/openapi.json',
      summary: 'This API, described as OpenAPI 3.1',
      tags: ['health'],
      access: { kind: 'public' },
      response: { mediaType: 'application/json', description: 'OpenAPI 3.1 document' },
      handler: () => {
        openapi ??= openApiDocument(allRoutes(ctx), VERSION);
        return openapi;
      },
    }),
  ];
}
