/**
 * How to call each route plausibly (tests only), keyed by `METHOD url` exactly as the route table names
 * it. The authorisation matrix walks the table, not this list: a route without an entry here fails the
 * walk. An entry builds the request for one principal aimed at one owner's resources; requests that
 * change or delete something take a fresh resource (or a twin of the principal) so later cells still
 * find theirs. Rules a handler applies beyond the route's `access` are declared here, in terms of the
 * policy or of facts about the caller, never as a list of allowed roles.
 */
import { readFileSync } from 'node:fs';
import { newId } from '../../core/ids.js';
import { mfaRequiredFor } from '../../tenancy/index.js';
import { freshCode, PASSWORD } from '../../tenancy/test-fixtures.js';
import { totpCode } from '../../tenancy/totp.js';
import { lfw } from '../../testing/fixtures.js';
import { storedZip } from '../../testing/stored-zip.js';
import { facelessJpeg, jpegFile } from '../faceless-photo-fixture.js';
import type { Harness, World } from '../test-harness.js';
import type { FormFile } from '../test-multipart.js';
import type { Principal, Twin } from './principals.js';
import type { Fresh, OrgOwner, Owner, Resources } from './resources.js';

export interface Ask {
  params?: Record<string, string>;
  query?: Record<string, string>;
  json?: unknown;
  /** A multipart form: text fields and files. */
  form?: Record<string, string | FormFile>;
  /** Credentials to send instead of the principal's own (a twin's); null sends none. */
  token?: string | null;
  /** The client address (per-address rate limits). */
  remoteAddress?: string;
}

export interface CellContext {
  h: Harness;
  w: World;
  r: Resources;
  fresh: Fresh;
  principal: Principal;
  /** Whose resources the request aims at. */
  owner: Owner;
  /** Whether the request gets past the route's access rule (set-up that only matters then may be skipped). */
  live: boolean;
}

/** A refusal the handler makes for a reason outside the policy table (no org, no account, MFA rule). */
export interface Refusal {
  when: (p: Principal) => boolean;
  status: number;
  why: string;
}

export interface Fixture {
  build: (c: CellContext) => Ask | Promise<Ask>;
  /** Also aim at org B's resources though the path names none of them (ids in the body or query). */
  crossTenant?: boolean;
  /** A route about "your organisation": platform accounts have none and are refused (403 or 404). */
  orgOnly?: boolean;
  refusals?: readonly Refusal[];
  /** Statuses besides 2xx that still mean "served" (e.g. 422 NO_FACE for a photo without a face). */
  accept?: readonly number[];
}

const org = (owner: Owner): OrgOwner => (owner === 'platform' ? 'a' : owner);

/** The gallery a request aims at: the org's own, or the platform's. */
const galleryOf = (c: CellContext): string =>
  c.owner === 'platform' ? c.r.platform.galleryId : c.r[c.owner].galleryId;
const jobOf = (c: CellContext): string => (c.owner === 'platform' ? c.r.platform.jobId : c.r[c.owner].jobId);

/** A stored search the principal may read when it is theirs: an API key reads the key's own searches. */
function searchOf(c: CellContext): string {
  const res = c.r[org(c.owner)];
  return c.principal.isKey && res.searchByKey ? res.searchByKey : res.searchByInvestigator;
}

function userOf(c: CellContext): string {
  if (c.owner === 'platform') return c.w.platform.admin.userId;
  return c.w[c.owner].investigator.userId;
}

let addresses = 0;
/** A client address of its own per request, so per-address rate limits do not pile up across cells. */
const nextAddress = () => `198.51.100.${(++addresses % 250) + 1}`;

const unique = (what: string) => `${what}-${newId().slice(-12)}`;

const keysHaveNoAccount: Refusal = {
  when: (p) => p.isKey,
  status: 400,
  why: 'an API key has no account of its own',
};

/** Roles that must keep a second factor are enrolled already and may not remove it. */
const mfaRequiredByRole = (p: Principal) => !p.isKey && mfaRequiredFor(p.roles, false);

/** A twin of the principal with a second factor (users) and a current code for it. */
async function twinWithCode(c: CellContext): Promise<{ twin: Twin; code: string }> {
  const twin = await c.principal.twin();
  if (!twin.account) return { twin, code: '000000' };
  if (!twin.account.totp) {
    const start = c.h.app.tenancy.auth.beginOwnMfaEnrolment(twin.caller);
    const done = c.h.app.tenancy.auth.confirmOwnMfaEnrolment(
      twin.caller,
      totpCode(start.secret, c.h.clock.now().getTime()),
    );
    if (!done.ok) throw new Error(`twin MFA enrolment failed: ${JSON.stringify(done)}`);
    twin.account.totp = start.secret;
  }
  return { twin, code: freshCode(c.h.env, twin.account) };
}

/** A challenge for a user who must enrol a second factor at sign-in (a new org-admin of org A). */
async function enrolmentChallenge(c: CellContext): Promise<string> {
  const auth = c.h.app.tenancy.auth;
  const email = `${unique('enrol')}@matrix.example`;
  const issued = c.h.app.tenancy
    .forCaller(c.fresh.adminCaller('a'))
    .users.create({ email, name: null, roles: ['org-admin'] });
  const setup = await auth.completeSetup({ setupToken: issued.setupToken, password: PASSWORD });
  if (!setup.ok) throw new Error('setup failed');
  const login = await auth.login({ email, password: PASSWORD });
  if (login.ok || login.reason !== 'mfa-enrolment-required')
    throw new Error(`login: ${JSON.stringify(login)}`);
  return login.challenge;
}

const searchForm = async (c: CellContext, galleries: string): Promise<Record<string, string | FormFile>> => ({
  caseNumber: unique('MATRIX-CASE'),
  purpose: c.r.purpose,
  galleries,
  probe: jpegFile(await facelessJpeg()),
});

export const FIXTURES: Readonly<Record<string, Fixture>> = {
  // Health and the API description.
  'GET /healthz': { build: () => ({}) },
  'GET /readyz': { build: () => ({}) },
  'GET /metrics': { build: () => ({}) },
  'GET /api/v1/openapi.json': { build: () => ({}) },

  // Signing in: public, whoever calls; org A's accounts sign in.
  'POST /api/v1/session': {
    build: (c) => ({ json: { email: c.w.a.investigator.email, password: PASSWORD } }),
  },
  'POST /api/v1/session/mfa': {
    build: async (c) => {
      const login = await c.h.app.tenancy.auth.login({ email: c.w.a.admin.email, password: PASSWORD });
      if (login.ok || login.reason !== 'mfa-required') throw new Error(`login: ${JSON.stringify(login)}`);
      return { json: { challenge: login.challenge, code: freshCode(c.h.env, c.w.a.admin) } };
    },
  },
  'POST /api/v1/session/mfa/enrolment': {
    build: async (c) => ({ json: { challenge: await enrolmentChallenge(c) } }),
  },
  'POST /api/v1/session/mfa/enrolment/confirm': {
    build: async (c) => {
      const challenge = await enrolmentChallenge(c);
      const start = c.h.app.tenancy.auth.startMfaEnrolment({ challenge });
      if (!start.ok) throw new Error('enrolment did not start');
      return { json: { challenge, code: totpCode(start.secret, c.h.clock.now().getTime()) } };
    },
  },
  'POST /api/v1/setup': {
    build: (c) => {
      const issued = c.h.app.tenancy
        .forCaller(c.fresh.adminCaller('a'))
        .users.create({ email: `${unique('setup')}@matrix.example`, name: null, roles: ['auditor'] });
      return { json: { setupToken: issued.setupToken, password: PASSWORD } };
    },
  },
  'GET /api/v1/session': { build: () => ({}), refusals: [keysHaveNoAccount] },
  'DELETE /api/v1/session': {
    build: async (c) => (c.live ? { token: (await c.principal.twin()).token } : {}),
  },

  // The org-admin's directory (platform-admins: platform accounts).
  'GET /api/v1/users': { build: () => ({}) },
  'POST /api/v1/users': {
    build: (c) => ({
      json: {
        email: `${unique('new-user')}@matrix.example`,
        name: 'Matrix New User',
        roles: c.principal.kind === 'platform-admin' ? ['platform-admin'] : ['investigator'],
      },
    }),
  },
  'GET /api/v1/users/:id': { build: (c) => ({ params: { id: userOf(c) } }) },
  'PATCH /api/v1/users/:id': {
    build: (c) => ({ params: { id: c.fresh.user(c.owner) }, json: { name: 'Renamed By Matrix' } }),
  },
  'PUT /api/v1/users/:id/roles': {
    build: (c) => ({
      params: { id: c.fresh.user(c.owner) },
      json: { roles: c.principal.kind === 'platform-admin' ? ['platform-admin'] : ['auditor'] },
    }),
  },
  'POST /api/v1/users/:id/disable': { build: (c) => ({ params: { id: c.fresh.user(c.owner) } }) },
  'POST /api/v1/users/:id/enable': { build: (c) => ({ params: { id: c.fresh.user(c.owner) } }) },
  'POST /api/v1/users/:id/unlock': { build: (c) => ({ params: { id: c.fresh.user(c.owner) } }) },
  'POST /api/v1/users/:id/reset': { build: (c) => ({ params: { id: c.fresh.user(c.owner) }, json: {} }) },
  'DELETE /api/v1/users/:id/sessions': { build: (c) => ({ params: { id: c.fresh.user(c.owner) } }) },
  'GET /api/v1/api-keys': { build: () => ({}) },
  'POST /api/v1/api-keys': { build: () => ({ json: { role: 'auditor', label: 'matrix key' } }) },
  'DELETE /api/v1/api-keys/:id': { build: (c) => ({ params: { id: c.fresh.apiKey(org(c.owner)) } }) },
  'GET /api/v1/quotas': { build: () => ({}) },
  'PUT /api/v1/quotas': { build: () => ({ json: { userDefault: null } }) },
  'GET /api/v1/counts': { build: () => ({}) },
  'GET /api/v1/org': { build: () => ({}), orgOnly: true },
  'PATCH /api/v1/org': { build: () => ({ json: { mfaRequired: false } }), orgOnly: true },

  // Self-service: each on a twin, since they change the caller's own account.
  'POST /api/v1/me/mfa': {
    build: async (c) => (c.live ? { token: (await c.principal.twin()).token } : {}),
    refusals: [
      keysHaveNoAccount,
      { when: mfaRequiredByRole, status: 409, why: 'the role requires a second factor, set up already' },
    ],
  },
  'POST /api/v1/me/mfa/confirm': {
    build: async (c) => {
      if (!c.live) return { json: { code: '000000' } };
      const twin = await c.principal.twin();
      if (!twin.account || twin.account.totp) return { token: twin.token, json: { code: '000000' } };
      const start = c.h.app.tenancy.auth.beginOwnMfaEnrolment(twin.caller);
      return { token: twin.token, json: { code: totpCode(start.secret, c.h.clock.now().getTime()) } };
    },
    refusals: [
      keysHaveNoAccount,
      { when: mfaRequiredByRole, status: 400, why: 'enrolled already, so no set-up is in progress' },
    ],
  },
  'DELETE /api/v1/me/mfa': {
    build: async (c) => {
      if (!c.live) return { json: { code: '000000' } };
      const { twin, code } = await twinWithCode(c);
      return { token: twin.token, json: { code } };
    },
    refusals: [
      keysHaveNoAccount,
      { when: mfaRequiredByRole, status: 403, why: 'the role requires a second factor' },
    ],
  },
  'POST /api/v1/me/mfa/recovery-codes': {
    build: async (c) => {
      if (!c.live) return { json: { code: '000000' } };
      const { twin, code } = await twinWithCode(c);
      return { token: twin.token, json: { code } };
    },
    refusals: [keysHaveNoAccount],
  },
  'POST /api/v1/me/password': {
    build: async (c) => ({
      ...(c.live ? { token: (await c.principal.twin()).token } : {}),
      json: { currentPassword: PASSWORD, newPassword: 'another correct horse battery staple' },
    }),
    refusals: [keysHaveNoAccount],
  },

  // The platform's org directory and gallery sharing (any org).
  'GET /api/v1/orgs': { build: () => ({}) },
  'POST /api/v1/orgs': { build: () => ({ json: { name: unique('Matrix Org'), contact: null } }) },
  'GET /api/v1/orgs/:id': { build: (c) => ({ params: { id: c.fresh.orgId(c.owner) } }) },
  'PATCH /api/v1/orgs/:id': {
    build: (c) => ({
      params: { id: c.live ? c.fresh.org() : c.fresh.orgId(c.owner) },
      json: { name: unique('Renamed Org') },
    }),
  },
  'POST /api/v1/orgs/:id/admins': {
    build: (c) => ({
      params: { id: c.fresh.orgId(c.owner) },
      json: { email: `${unique('second-admin')}@matrix.example`, name: null },
    }),
  },
  'POST /api/v1/galleries/:id/grants/:orgId': {
    build: (c) => ({
      params: {
        id: c.live ? c.fresh.platformGallery() : c.r.platform.galleryId,
        orgId: c.fresh.orgId(c.owner),
      },
    }),
  },
  'PUT /api/v1/galleries/:id/owner': {
    build: (c) => ({
      params: { id: c.live ? c.fresh.platformGallery() : c.r.platform.galleryId },
      json: { orgId: c.fresh.orgId(c.owner) },
    }),
  },
  'DELETE /api/v1/galleries/:id/grants/:orgId': {
    build: (c) => {
      const orgId = c.fresh.orgId(c.owner);
      return { params: { id: c.live ? c.fresh.platformGallery(orgId) : c.r.platform.galleryId, orgId } };
    },
  },

  // Case-bound searches. A photo without a face is refused with 422 after every access check.
  'POST /api/v1/searches': {
    build: async (c) => ({ form: await searchForm(c, galleryOf(c)) }),
    crossTenant: true,
    accept: [422],
  },
  'GET /api/v1/searches': { build: () => ({}) },
  'GET /api/v1/searches/:id': {
    build: (c) => ({ params: { id: searchOf(c) } }),
  },
  'GET /api/v1/searches/:id/probe': {
    build: (c) => ({ params: { id: searchOf(c) } }),
  },
  'POST /api/v1/compare': {
    build: async (c) => ({
      form: {
        caseNumber: unique('MATRIX-CASE'),
        purpose: c.r.purpose,
        a: jpegFile(await facelessJpeg()),
        b: jpegFile(readFileSync(lfw('George_W_Bush', 2))),
      },
    }),
    accept: [422],
  },
  'GET /api/v1/faces/:id/thumbnail': {
    build: (c) => ({ params: { id: c.r[org(c.owner)].faceId } }),
  },
  'GET /api/v1/org/retention': { build: () => ({}) },
  'PUT /api/v1/org/retention': { build: () => ({ json: { probeDays: null, historyDays: null } }) },
  'GET /api/v1/purposes': { build: () => ({}) },

  // Galleries, ingest, jobs, images, identities.
  'GET /api/v1/galleries': { build: () => ({}) },
  'POST /api/v1/galleries': {
    build: () => ({ json: { name: unique('matrix gallery'), legalBasis: 'matrix test' } }),
  },
  'GET /api/v1/galleries/:id': { build: (c) => ({ params: { id: galleryOf(c) } }) },
  'PATCH /api/v1/galleries/:id': {
    // The same value every time, so later cells find the gallery as before.
    build: (c) => ({ params: { id: galleryOf(c) }, json: { retentionDays: 3650 } }),
  },
  'POST /api/v1/galleries/:id/ingest': {
    build: async (c) => ({
      params: { id: galleryOf(c) },
      form: {
        archive: {
          data: storedZip([{ name: 'blank.jpg', data: await facelessJpeg() }]),
          filename: 'blank.zip',
          contentType: 'application/zip',
        },
      },
    }),
  },
  'GET /api/v1/jobs/:id': { build: (c) => ({ params: { id: jobOf(c) } }) },
  'GET /api/v1/galleries/:id/jobs': { build: (c) => ({ params: { id: galleryOf(c) } }) },
  'GET /api/v1/galleries/:id/images': { build: (c) => ({ params: { id: galleryOf(c) } }) },
  'GET /api/v1/galleries/:id/identities': { build: (c) => ({ params: { id: galleryOf(c) } }) },
  // Regrouping replaces identities: each allowed cell regroups a gallery of its own.
  'POST /api/v1/galleries/:id/identities': {
    build: async (c) => ({
      params: { id: c.live ? (await c.fresh.enrolledGallery(c.owner)).galleryId : galleryOf(c) },
    }),
  },

  // Audit and alerts.
  'GET /api/v1/audit': { build: () => ({}) },
  'GET /api/v1/audit/export': { build: () => ({}) },
  'GET /api/v1/audit/verify': { build: () => ({}) },
  'GET /api/v1/alerts': { build: () => ({}) },
  'POST /api/v1/alerts/:id/ack': {
    build: (c) => ({ params: { id: c.live ? c.fresh.alert(org(c.owner)) : newId() } }),
  },

  // Data subjects: opt-out is public (a photo without a face gets 422 after the upload is read).
  'POST /api/v1/opt-out': {
    build: async () => ({
      form: { selfie: jpegFile(await facelessJpeg(), 'selfie.jpg') },
      remoteAddress: nextAddress(),
    }),
    accept: [422],
  },
  'POST /api/v1/opt-out/status': {
    build: (c) => ({ json: { code: c.r.optOutCode }, remoteAddress: nextAddress() }),
  },
  // The platform-admin's review: each allowed cell decides a held request of its own. Requests belong
  // to no org, so one aimed at org B names none (404).
  'GET /api/v1/opt-outs': { build: () => ({}) },
  'POST /api/v1/opt-outs/:id/confirm': {
    build: async (c) => ({
      params: { id: c.live && c.owner === 'platform' ? await c.fresh.heldOptOut() : newId() },
    }),
  },
  'POST /api/v1/opt-outs/:id/reject': {
    build: async (c) => ({
      params: { id: c.live && c.owner === 'platform' ? await c.fresh.heldOptOut() : newId() },
      json: { reason: 'matrix review' },
    }),
  },

  // Erasure: each allowed cell erases a gallery of its own, made for it.
  'DELETE /api/v1/galleries/:id': {
    build: async (c) => ({
      params: { id: c.live ? (await c.fresh.enrolledGallery(c.owner)).galleryId : newId() },
    }),
  },
  'DELETE /api/v1/images/:id': {
    build: async (c) => ({
      params: { id: c.live ? (await c.fresh.enrolledGallery(c.owner)).imageId : newId() },
    }),
  },
  'DELETE /api/v1/faces/:id': {
    build: async (c) => ({
      params: { id: c.live ? (await c.fresh.enrolledGallery(c.owner)).faceId : newId() },
    }),
  },
  'DELETE /api/v1/identities/:id': {
    build: async (c) => ({
      params: { id: c.live ? (await c.fresh.enrolledGallery(c.owner)).identityId : newId() },
    }),
  },
};
