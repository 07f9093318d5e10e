/**
 * The route table a built server registered (tests only): `buildServer` decorates the Fastify instance
 * with it, so tests walk exactly what is served rather than a list of their own.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { RouteDef } from './route.js';

export function routeTableOf(server: FastifyInstance): readonly RouteDef[] {
  const routes = (server as FastifyInstance & { faceledgerRoutes?: unknown }).faceledgerRoutes;
  assert.ok(Array.isArray(routes), 'buildServer decorates the server with its route table');
  return routes as RouteDef[];
}

/** `METHOD url` with Fastify's path syntax, as routes are named in messages and fixture tables. */
export function routeKey(r: Pick<RouteDef, 'method' | 'url'>): string {
  return `${r.method} ${r.url}`;
}
