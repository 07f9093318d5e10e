/**
 * OpenAPI 3.1 generated from the route table's zod schemas (zod 4 emits JSON Schema 2020-12, which
 * is OpenAPI 3.1's dialect), so the document cannot drift from what the server validates.
 */
import { z } from 'zod';
import { STATUS_OF } from './http-errors.js';
import { actionsOf, type RouteDef } from './route.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

function parametersOf(r: RouteDef): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', r.params],
    ['query', r.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {}))
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: prop,
      });
  }
  return out;
}

function requestBodyOf(r: RouteDef): Json | undefined {
  if (r.multipart) {
    const fields = schemaOf(r.multipart.fields, 'input') as { properties?: Json; required?: string[] };
    const files = Object.entries(r.multipart.files);
    return {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              ...(fields.properties ?? {}),
              ...Object.fromEntries(
                files.map(([name, f]) => [
                  name,
                  { type: 'string', format: 'binary', description: f.description },
                ]),
              ),
            },
            required: [...(fields.required ?? []), ...files.filter(([, f]) => f.required).map(([n]) => n)],
          },
        },
      },
    };
  }
  if (r.body)
    return { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } };
  return undefined;
}

function responsesOf(r: RouteDef): Json {
  const ok = String(r.status ?? 200);
  const response = r.response;
  const success: Json =
    response === undefined
      ? { description: 'OK' }
      : response instanceof z.ZodType
        ? { description: 'OK', content: { 'application/json': { schema: schemaOf(response, 'output') } } }
        : { description: response.description, content: { [response.mediaType]: {} } };
  const errors: Json = {};
  const codes = new Set<number>([400]);
  if (r.access.kind !== 'public') codes.add(401);
  if (actionsOf(r.access).length > 0) codes.add(403);
  if (r.params) codes.add(404);
  for (const status of codes) errors[String(status)] = { $ref: '#/components/responses/Error' };
  return { [ok]: success, ...errors };
}

export function openApiDocument(routes: readonly RouteDef[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    const security = r.access.kind === 'public' ? [] : [{ bearer: [] }, { apiKey: [] }, { cookie: [] }];
    const requestBody = requestBodyOf(r);
    (paths[path] as Json)[r.method.toLowerCase()] = {
      summary: r.summary,
      tags: r.tags,
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      security,
      ...(r.access.kind === 'action' ? { 'x-faceledger-action': r.access.action } : {}),
      ...(r.access.kind === 'anyAction' ? { 'x-faceledger-any-action': r.access.actions } : {}),
      parameters: parametersOf(r),
      ...(requestBody ? { requestBody } : {}),
      responses: responsesOf(r),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'FaceLedger API',
      version,
      description:
        'Accountable face search. Every search needs a case number and a purpose; every action is audited.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A session token (fls_…) from POST /api/v1/session',
        },
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (flk_…)' },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'fl_session',
          description: 'Browser session; unsafe methods need X-CSRF-Token',
        },
      },
      responses: {
        Error: {
          description: 'An error',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['error'],
                properties: {
                  error: {
                    type: 'object',
                    required: ['code', 'message', 'requestId'],
                    properties: {
                      code: { type: 'string', enum: Object.keys(STATUS_OF) },
                      message: { type: 'string' },
                      requestId: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
