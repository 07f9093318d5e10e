/**
 * Every route module, in one list. Add a module here and its routes are registered, documented in
 * OpenAPI and walked by the authorization matrix test (which fails until it has a rule for them).
 */
import type { ServerContext } from '../context.js';
import type { RouteDef } from '../route.js';
import { adminRoutes } from './admin.js';
import { auditRoutes } from './audit.js';
import { erasureRoutes } from './erasure.js';
import { galleryRoutes } from './galleries.js';
import { healthRoutes } from './health.js';
import { meRoutes } from './me.js';
import { optOutRoutes } from './opt-out.js';
import { optOutReviewRoutes } from './opt-out-review.js';
import { platformRoutes } from './platform.js';
import { searchRoutes } from './searches.js';
import { sessionRoutes } from './session.js';

const MODULES: readonly ((ctx: ServerContext) => RouteDef[])[] = [
  healthRoutes,
  sessionRoutes,
  searchRoutes,
  adminRoutes,
  meRoutes,
  platformRoutes,
  galleryRoutes,
  auditRoutes,
  optOutRoutes,
  optOutReviewRoutes,
  erasureRoutes,
];

export function allRoutes(ctx: ServerContext): RouteDef[] {
  return MODULES.flatMap((m) => m(ctx));
}
