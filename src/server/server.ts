/**
 * Builds the Fastify server from the route table: one place where input is validated, callers are
 * authenticated and authorised, errors are mapped, metrics are counted and logs are kept free of
 * secrets. Route modules hold no cross-cutting code.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { FaceLedgerApp } from '../services/app.js';
import { ingestRunnerFor } from '../services/ingest-uploads/ingest-runner.js';
import { createServices, type Services } from '../services/registry.js';
import { can } from '../tenancy/index.js';
import { alertOptionsFromConfig } from './alert-options.js';
import { authenticate } from './authenticate.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { sendError } from './http-errors.js';
import { Metrics } from './metrics.js';
import { readMultipart, removeSpooled } from './multipart.js';
import { actionsOf, type RouteDef, type SpooledFile, type UploadedFile } from './route.js';
import { allRoutes } from './routes/index.js';

export interface BuildOptions {
  app: FaceLedgerApp;
  config: ServerConfig;
  /** The process's services (the shell shares them with its sweeps); created when absent. */
  services?: Services;
  /** Built web UI to serve at `/` (issue 6); skipped when absent. */
  webRoot?: string;
}

function parseInput<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw new FaceLedgerError('BAD_INPUT', `invalid ${where} — ${problems}`);
}

function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return /^application\/(.+\+)?json\b/i.test(type);
}

/** Path only: query strings may hold case numbers, and logs must never. */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

async function handle(
  ctx: ServerContext,
  r: RouteDef,
  request: FastifyRequest,
  reply: import('fastify').FastifyReply,
) {
  const caller = r.access.kind === 'public' ? null : authenticate(request, ctx.app.tenancy);
  if (r.access.kind !== 'public') {
    if (!caller)
      throw new FaceLedgerError(
        'UNAUTHENTICATED',
        'sign in first (session cookie, session token or API key)',
      );
    const actions = actionsOf(r.access);
    if (actions.length > 0 && !actions.some((action) => can(caller, action)))
      throw new FaceLedgerError('FORBIDDEN', `your role does not permit ${actions.join(' or ')}`);
  }
  const params = parseInput(r.params, request.params, 'path parameters');
  const query = parseInput(r.query, request.query, 'query');
  let body: unknown;
  let files: ReadonlyMap<string, UploadedFile> = new Map();
  let spooled: ReadonlyMap<string, SpooledFile> = new Map();
  if (r.multipart) {
    const read = await readMultipart(request, r.multipart, {
      defaultMaxFileBytes: ctx.config.maxImageBytes,
      spoolDir: spoolDirOf(ctx.app),
    });
    ({ files, spooled } = read);
    try {
      body = parseInput(r.multipart.fields, read.fields, 'form fields');
    } catch (err) {
      await removeSpooled(spooled);
      throw err;
    }
  } else if (r.body) {
    if (!isJson(request)) throw new FaceLedgerError('UNSUPPORTED_TYPE', 'this route takes application/json');
    body = parseInput(r.body, request.body, 'body');
  }
  try {
    const result = await r.handler({
      caller: caller as never,
      params,
      query,
      body,
      files,
      spooled,
      request,
      reply,
    });
    if (reply.sent) return reply;
    if (result === undefined) return reply.code(r.status ?? 204).send();
    return reply.code(r.status ?? 200).send(result);
  } finally {
    await removeSpooled(spooled);
  }
}

/** Where large uploads are written while they arrive: inside the data folder, as sealed as the rest. */
function spoolDirOf(app: FaceLedgerApp): string {
  return join(app.dataDir, 'incoming');
}

/** The services a server process runs with, configured from its config. */
export function servicesFor(app: FaceLedgerApp, config: ServerConfig): Services {
  return createServices(app, {
    purposes: config.purposes,
    alerts: alertOptionsFromConfig(config),
    optOutHoldDays: config.optOutHoldDays,
  });
}

export async function buildServer(options: BuildOptions): Promise<FastifyInstance> {
  const { app, config } = options;
  const metrics = new Metrics(() => app.store.faces.countAll());
  const services = options.services ?? servicesFor(app, config);
  const ctx: ServerContext = { app, services, config, metrics };
  const server = Fastify({
    genReqId: () => newId(),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'],
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, path: pathOf(req.url), ip: req.ip }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
  });
  await server.register(fastifyCookie);
  await server.register(fastifyMultipart, {
    limits: { fileSize: config.maxImageBytes, files: 4, fields: 32, parts: 40, fieldSize: 64 * 1024 },
  });
  await server.register(fastifyRateLimit, { global: false });

  server.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  // The web app has no inline scripts and loads nothing from elsewhere: say so, so an injected script
  // or a framing page gets nowhere. Inline styles stay allowed (face boxes are positioned by style).
  server.addHook('onRequest', async (_request, reply) => {
    void reply.headers({
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
  });
  server.addHook('onResponse', async (request, reply) => {
    const routePattern = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route: routePattern, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route: routePattern }, reply.elapsedTime / 1000);
  });

  const routes = allRoutes(ctx);
  for (const r of routes) {
    const limit = r.access.kind === 'public' ? r.access.rateLimit : undefined;
    server.route({
      method: r.method,
      url: r.url,
      ...(limit ? { config: { rateLimit: { max: limit.max, timeWindow: limit.perSeconds * 1000 } } } : {}),
      handler: (request, reply) => handle(ctx, r, request, reply),
    });
  }

  if (options.webRoot && existsSync(options.webRoot)) {
    await server.register(fastifyStatic, { root: options.webRoot, wildcard: false });
    // Client-side routes (/search, /history …) load the app shell; unknown API paths stay 404 JSON.
    server.setNotFoundHandler((request, reply) => {
      if (
        request.method === 'GET' &&
        !request.url.startsWith('/api/') &&
        request.headers.accept?.includes('text/html')
      )
        return reply.sendFile('index.html');
      return sendError(
        request,
        reply,
        new FaceLedgerError('NOT_FOUND', `no route ${request.method} ${pathOf(request.url)}`),
      );
    });
  } else {
    server.setNotFoundHandler((request, reply) =>
      sendError(
        request,
        reply,
        new FaceLedgerError('NOT_FOUND', `no route ${request.method} ${pathOf(request.url)}`),
      ),
    );
  }
  // Upload ingests a stopped server left unfinished carry on where their last commit ended.
  server.addHook('onReady', async () => {
    // Uploads that were still arriving when a previous server stopped are incomplete: drop them.
    await rm(spoolDirOf(app), { recursive: true, force: true });
    const resumed = await ingestRunnerFor(app).resumeInterrupted(metrics.countEnrolled);
    if (resumed.length > 0) server.log.info({ jobs: resumed }, 'resumed interrupted ingests');
  });
  // Background ingests write to the store: let them settle before the shell closes the app.
  server.addHook('onClose', async () => {
    await ingestRunnerFor(app).drain();
  });
  server.decorate('faceledgerRoutes', routes);
  return server;
}
