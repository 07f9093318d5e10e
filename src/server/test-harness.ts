/**
 * Test harness for server tests (tests only): a real FaceLedgerApp on a temporary data folder, the
 * real Fastify server (driven with `inject`, or listening when a browser needs it), a hand-moved
 * clock, and a world of two orgs with every role, signed in through the real login flows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { FaceLedgerApp } from '../services/app.js';
import type { Caller, Role } from '../tenancy/index.js';
import {
  type Account,
  addUser,
  type Env,
  ManualClock,
  makeOrg,
  type OrgFixture,
  type PlatformFixture,
  platformAdmin,
  signIn,
  TEST_ARGON2,
} from '../tenancy/test-fixtures.js';
import { loadServerConfig, type ServerConfigInput } from './config.js';
import { buildServer } from './server.js';

export interface Harness {
  dir: string;
  app: FaceLedgerApp;
  server: FastifyInstance;
  clock: ManualClock;
  env: Env;
  /** `inject` with a bearer token (a session token or an API key), or none. */
  call(options: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { config?: ServerConfigInput; start?: string; workers?: number; webRoot?: string } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-server-'));
  const clock = new ManualClock(options.start ?? '2026-03-10T10:00:00.000Z');
  const app = FaceLedgerApp.open({
    dataDir: join(dir, 'data'),
    keyDir: join(dir, 'keys'),
    clock,
    workers: options.workers ?? 1,
    tenancy: { argon2: TEST_ARGON2 },
    env: {},
  });
  const config = loadServerConfig({
    env: {},
    overrides: { logLevel: 'silent', sweepMinutes: 0, ...options.config },
  });
  const server = await buildServer({ app, config, ...(options.webRoot ? { webRoot: options.webRoot } : {}) });
  await server.ready();
  const env: Env = { db: app.store.db, vault: app.vault, audit: app.audit, clock, tenancy: app.tenancy };
  return {
    dir,
    app,
    server,
    clock,
    env,
    call: ({ token, headers, ...rest }) =>
      server.inject({
        ...rest,
        headers: { ...(headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }),
    close: async () => {
      await server.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Member extends Account {
  caller: Caller;
  token: string;
}

export interface OrgWorld {
  fixture: OrgFixture;
  orgId: string;
  admin: Member;
  investigator: Member;
  auditor: Member;
  /** API keys (flk_…) of the org, one per key role. */
  investigatorKey: string;
  auditorKey: string;
}

export interface World {
  platform: PlatformFixture & { token: string };
  a: OrgWorld;
  b: OrgWorld;
}

async function orgWorld(env: Env, platform: PlatformFixture, name: string): Promise<OrgWorld> {
  const fixture = await makeOrg(env, platform, name);
  const admin = { ...fixture.admin, ...(await signIn(env, fixture.admin)) };
  const investigator = await addUser(env, fixture, ['investigator' as Role], `inv-${slug(name)}`);
  const auditor = await addUser(env, fixture, ['auditor' as Role], `aud-${slug(name)}`);
  const keys = env.tenancy.forCaller(fixture.adminCaller).apiKeys;
  const investigatorKey = keys.create({ role: 'investigator', label: `${name} bot` }).token;
  const auditorKey = keys.create({ role: 'auditor', label: `${name} audit bot` }).token;
  return { fixture, orgId: fixture.orgId, admin, investigator, auditor, investigatorKey, auditorKey };
}

/** Two orgs (A, B), each with an org-admin, an investigator, an auditor and two API keys; a platform-admin. */
export async function makeWorld(h: Harness): Promise<World> {
  const platform = await platformAdmin(h.env);
  const { token } = await signIn(h.env, platform.admin);
  const a = await orgWorld(h.env, platform, 'Harbour Police');
  const b = await orgWorld(h.env, platform, 'Inland Revenue');
  return { platform: { ...platform, token }, a, b };
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
