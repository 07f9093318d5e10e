/**
 * Test helpers for alerts (tests only): a real SQLite file with the tenancy test schema plus the
 * alerts migration, two orgs with real signed-in callers, and a search stand-in that does what the
 * search use case does around a search — count it, audit it, call `afterSearch`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../core/ids.js';
import type { Caller } from '../../tenancy/index.js';
import {
  addUser,
  type Env,
  makeOrg,
  type OrgFixture,
  platformAdmin,
  testEnv,
} from '../../tenancy/test-fixtures.js';
import { AlertService, type AlertServiceOptions } from './alert-service.js';
import type { Alert } from './alerts-repo.js';
import { ALERTS_MIGRATION } from './alerts-schema.js';

/** Marker strings a search carries that must never reach an alert. */
export const CASE_MARKER = 'CASE-ZEBRA-4711';
export const PURPOSE_MARKER = 'PURPOSE-OKAPI';

export interface OrgWithPeople extends OrgFixture {
  investigator: Awaited<ReturnType<typeof addUser>>;
  investigator2: Awaited<ReturnType<typeof addUser>>;
  auditor: Awaited<ReturnType<typeof addUser>>;
}

export interface AlertScene {
  env: Env;
  dir: string;
  a: OrgWithPeople;
  b: OrgWithPeople;
  platform: Awaited<ReturnType<typeof platformAdmin>>;
  alerts: AlertService;
}

export async function alertScene(options: AlertServiceOptions = {}): Promise<AlertScene> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-alerts-'));
  const env = testEnv({ path: join(dir, 'faceledger.db') });
  env.db.transaction(() => {
    env.db.exec(ALERTS_MIGRATION.sql);
    env.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(ALERTS_MIGRATION.version);
  })();
  const platform = await platformAdmin(env);
  const people = async (name: string): Promise<OrgWithPeople> => {
    const org = await makeOrg(env, platform, name);
    return {
      ...org,
      investigator: await addUser(env, org, ['investigator'], 'inv1'),
      investigator2: await addUser(env, org, ['investigator'], 'inv2'),
      auditor: await addUser(env, org, ['auditor'], 'aud1'),
    };
  };
  const a = await people('Org Alpha');
  const b = await people('Org Bravo');
  const alerts = new AlertService({ db: env.db, audit: env.audit, clock: env.clock }, options);
  return { env, dir, a, b, platform, alerts };
}

export function probe(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/**
 * One search by `caller` now: counted, audited as `search.run`, then evaluated. `hook: false` leaves
 * the evaluation to the sweep.
 */
export function search(
  scene: AlertScene,
  caller: Caller,
  probeSha256: string,
  options: { hook?: boolean } = {},
): Alert[] {
  const { env } = scene;
  const orgId = caller.orgId as string;
  const searchId = newId();
  env.tenancy.quotas.record(caller);
  env.audit.append({
    type: 'search.run',
    orgId,
    actor: caller.actor,
    details: {
      searchId,
      caseNumber: CASE_MARKER,
      purpose: PURPOSE_MARKER,
      galleries: [newId()],
      probeSha256,
      resultCount: 3,
      topSimilarity: 0.61,
      outcome: 'ok',
    },
  });
  if (options.hook === false) return [];
  return scene.alerts.afterSearch({
    caller,
    orgId,
    actor: caller.actor,
    at: env.clock.now(),
    probeSha256,
    resultCount: 3,
    searchId,
  });
}

/** Every alert row of the database, raw. */
export function allAlertRows(scene: AlertScene): Record<string, unknown>[] {
  return scene.env.db.prepare('SELECT * FROM alerts ORDER BY id').all() as Record<string, unknown>[];
}
