/**
 * Strings a principal must never read (tests only). Org A's members and anonymous callers must see
 * nothing of org B: its name and contact, its people, ids, galleries, faces, jobs, searches and case
 * numbers. Platform accounts see the org directory (names, contacts) but nothing inside an org: no
 * member's e-mail or name, no gallery of an org or what it holds, no search, no case number. A string the request itself carried (an id in
 * the path) does not count as leaked when it comes back.
 */
import type { Harness, OrgWorld, World } from '../test-harness.js';
import type { Principal } from './principals.js';
import type { OrgResources, Resources } from './resources.js';

export interface Markers {
  /** Everything of org B. */
  otherOrg: string[];
  /** People, galleries and searches inside either org. */
  insideOrgs: string[];
}

function keyIdOf(token: string): string {
  // flk_<key id>_<secret>
  return token.split('_')[1] ?? token;
}

/** The org's members' e-mails and names, read back from its directory (as they are stored). */
function people(h: Harness, o: OrgWorld): string[] {
  return h.app.tenancy
    .forCaller(o.fixture.adminCaller)
    .users.list()
    .flatMap((u) => [u.email, ...(u.name ? [u.name] : [])]);
}

function searches(r: OrgResources): string[] {
  return [r.searchByInvestigator, ...(r.searchByKey ? [r.searchByKey] : []), ...r.caseNumbers];
}

/** An org's galleries and what they hold: org content, which no platform action reads. */
function galleryContent(r: OrgResources): string[] {
  return [r.galleryId, r.galleryName, r.jobId, r.faceId, r.imageId];
}

export function collectMarkers(h: Harness, w: World, r: Resources): Markers {
  const b = w.b;
  const profile = h.app.tenancy.forCaller(b.fixture.adminCaller).org.get();
  const contact = Object.values(profile.contact ?? {}).filter((v): v is string => typeof v === 'string');
  return {
    otherOrg: [
      profile.name,
      ...contact,
      b.orgId,
      ...[b.admin, b.investigator, b.auditor].map((m) => m.userId),
      ...people(h, b),
      keyIdOf(b.investigatorKey),
      keyIdOf(b.auditorKey),
      ...galleryContent(r.b),
      ...searches(r.b),
    ],
    insideOrgs: [
      ...people(h, w.a),
      ...people(h, b),
      ...galleryContent(r.a),
      ...galleryContent(r.b),
      ...searches(r.a),
      ...searches(r.b),
    ],
  };
}

export function markersHiddenFrom(p: Principal, m: Markers): readonly string[] {
  return p.kind === 'platform-admin' ? m.insideOrgs : m.otherOrg;
}

/** The markers found in `body`, leaving out those the request itself carried. */
export function leakedMarkers(markers: readonly string[], body: string, request: string): string[] {
  return markers.filter((m) => body.includes(m) && !request.includes(m));
}
