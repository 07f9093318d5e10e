/**
 * The route contract: every HTTP route is one `RouteDef` — method, path, who may call it, zod schemas
 * for params / query / body (or multipart fields and files), and a handler. From this one table the
 * server registers Fastify routes, validates input once at the edge, answers OpenAPI 3.1, and the
 * authorization matrix test walks every route × role × tenant. A route without an `access` rule
 * cannot be written, so a new route cannot forget one.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Action, Caller } from '../tenancy/index.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. `action` routes are checked against the policy (src/tenancy/policy.ts) before
 * the handler runs, and again by the data layer. `anyAction` routes serve callers holding at least one
 * of the actions, and the service then decides what each may see (own searches or the org's; an org's
 * audit chain or the platform's). `authenticated` routes serve any signed-in caller their own things
 * (profile, own MFA). `public` routes take no credentials at all.
 */
export type Access =
  | { readonly kind: 'public'; readonly rateLimit?: { max: number; perSeconds: number } }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'action'; readonly action: Action }
  | { readonly kind: 'anyAction'; readonly actions: readonly Action[] };

/** The policy actions a route checks before its handler (none for public and authenticated routes). */
export function actionsOf(access: Access): readonly Action[] {
  if (access.kind === 'action') return [access.action];
  if (access.kind === 'anyAction') return access.actions;
  return [];
}

export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly mimetype: string;
  readonly data: Buffer;
}

/**
 * A file written to disk as it arrived (large uploads: archives), instead of held in memory. The server
 * deletes it after the handler unless the handler has moved it away.
 */
export interface SpooledFile {
  readonly field: string;
  readonly filename: string;
  readonly mimetype: string;
  readonly path: string;
}

export interface FileSpec {
  readonly required: boolean;
  readonly description: string;
  /** Write it to disk as it arrives (it comes in `spooled`, not `files`). */
  readonly spool?: boolean;
}

export interface MultipartSpec<F extends z.ZodType> {
  /** Text fields, validated like a body (values arrive as strings; use z.coerce for numbers). */
  readonly fields: F;
  /** File fields; `required` ones must be present. Sizes are capped by `maxFileBytes`. */
  readonly files: Readonly<Record<string, FileSpec>>;
  readonly maxFileBytes?: number;
}

export interface RouteInput<P, Q, B> {
  /** The authenticated caller; null only on public routes. */
  readonly caller: Caller | null;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly files: ReadonlyMap<string, UploadedFile>;
  readonly spooled: ReadonlyMap<string, SpooledFile>;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** A caller that is present (every non-public route). */
export type AuthedInput<P, Q, B> = RouteInput<P, Q, B> & { readonly caller: Caller };

/** The handler's input: public routes get no caller, every other route a present one. */
export type InputFor<A extends Access, P, Q, B> = A extends { kind: 'public' }
  ? RouteInput<P, Q, B>
  : AuthedInput<P, Q, B>;

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  A extends Access = Access,
> {
  readonly method: HttpMethod;
  /** Fastify path syntax: `/api/v1/searches/:id`. */
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly access: A;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly multipart?: MultipartSpec<B>;
  /** For OpenAPI: the success body's schema (JSON), or a media type for binary/stream answers. */
  readonly response?: z.ZodType | { readonly mediaType: string; readonly description: string };
  /** Status of a successful answer (default 200). */
  readonly status?: number;
  /**
   * Returns the JSON body, or undefined after writing the reply itself (files, streams, cookies are
   * fine to set on `reply` and still return a body).
   */
  readonly handler: (input: InputFor<A, z.output<P>, z.output<Q>, z.output<B>>) => unknown;
}

/** Type helper: keeps each route's handler typed by its own schemas inside a heterogeneous list. */
export function route<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
  const A extends Access = Access,
>(def: RouteDef<P, Q, B, A>): RouteDef {
  return def as unknown as RouteDef;
}
