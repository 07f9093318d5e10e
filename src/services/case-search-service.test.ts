import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDetails } from '../audit/index.js';
import { FaceLedgerError } from '../core/errors.js';
import type { Caller } from '../tenancy/index.js';
import {
  addUser,
  type Env,
  ManualClock,
  makeOrg,
  type OrgFixture,
  type PlatformFixture,
  platformAdmin,
  TEST_ARGON2,
} from '../tenancy/test-fixtures.js';
import { lfw, lfwFolder } from '../testing/fixtures.js';
import { FaceLedgerApp } from './app.js';
import {
  type CaseSearchResult,
  CaseSearchService,
  DEFAULT_PURPOSES,
  type SearchActivity,
} from './case-search-service.js';
import { GalleryService } from './gallery-service.js';
import { openSearchAuditCase } from './search-history/audit-sealing.js';

const MARKER_CASE = 'MARKER-CASE-7f3a9c';
const CONTROL_GALLERY = 'CONTROL-GALLERY-NAME-51d2';

let dir: string;
let app: FaceLedgerApp;
let env: Env;
let clock: ManualClock;
let platform: PlatformFixture;
let alpha: OrgFixture;
let bravo: OrgFixture;
let empty: OrgFixture;
let inv1: Caller;
let inv2: Caller;
let auditor: Caller;
let invB: Caller;
let invEmpty: Caller;
let alphaGallery: string;
let bravoGallery: string;
const activity: SearchActivity[] = [];
let service: CaseSearchService;

const probe = () => readFileSync(lfw('Colin_Powell', 5));

/** Asserts `fn` rejects or throws a FaceLedgerError with this code; returns it. */
async function fails(fn: () => unknown, code: string): Promise<FaceLedgerError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof FaceLedgerError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

function auditTypes(orgId?: string | null): string[] {
  return app.audit
    .query({ ...(orgId !== undefined ? { orgId } : {}), limit: 1000, order: 'asc' })
    .entries.map((e) => e.type);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-case-search-'));
  clock = new ManualClock('2025-03-10T09:00:20.000Z');
  app = FaceLedgerApp.open({
    dataDir: join(dir, 'data'),
    clock,
    workers: 1,
    tenancy: { argon2: TEST_ARGON2 },
  });
  // Keep every page in the WAL until the scan, so a plaintext write could not hide in a checkpoint.
  app.store.db.pragma('wal_autocheckpoint = 0');
  env = { db: app.store.db, vault: app.vault, audit: app.audit, clock, tenancy: app.tenancy };
  platform = await platformAdmin(env);
  alpha = await makeOrg(env, platform, 'Alpha Police');
  bravo = await makeOrg(env, platform, 'Bravo Police');
  empty = await makeOrg(env, platform, 'Empty Police');
  inv1 = (await addUser(env, alpha, ['investigator'], 'inv1')).caller;
  inv2 = (await addUser(env, alpha, ['investigator'], 'inv2')).caller;
  auditor = (await addUser(env, alpha, ['auditor'], 'aud')).caller;
  invB = (await addUser(env, bravo, ['investigator'], 'invb')).caller;
  invEmpty = (await addUser(env, empty, ['investigator'], 'inve')).caller;

  const galleries = new GalleryService(app);
  const photos = join(dir, 'alpha');
  mkdirSync(photos);
  lfwFolder(photos, { Colin_Powell: [1, 2, 3], Tony_Blair: [1, 2] });
  alphaGallery = galleries.create({ name: 'alpha-mugshots', legalBasis: 'test', createdBy: 'cli:test' }).id;
  await galleries.ingest({ gallery: alphaGallery, source: photos, createdBy: 'cli:test' });
  const bravoPhotos = join(dir, 'bravo');
  mkdirSync(bravoPhotos);
  lfwFolder(bravoPhotos, { Colin_Powell: [4], Serena_Williams: [1] });
  bravoGallery = galleries.create({ name: CONTROL_GALLERY, legalBasis: 'test', createdBy: 'cli:test' }).id;
  await galleries.ingest({ gallery: bravoGallery, source: bravoPhotos, createdBy: 'cli:test' });
  const grants = app.tenancy.forPlatform(platform.caller).galleries;
  grants.grant(alphaGallery, alpha.orgId);
  grants.setOwner(bravoGallery, bravo.orgId);

  service = new CaseSearchService(app, { afterSearch: (info) => activity.push(info) });
});

after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('case-bound search', () => {
  it('refuses a search without a case number or purpose, or with a purpose not on the list, before it runs', async () => {
    const entries = auditTypes(alpha.orgId).length;
    const base = { caller: inv1, probe: probe(), caseNumber: 'C-1', purpose: 'homicide' };
    for (const bad of [
      { caseNumber: '' },
      { caseNumber: '   ' },
      { caseNumber: undefined as unknown as string },
      { caseNumber: 'x'.repeat(65) },
      { caseNumber: 'C-1\u0007' },
      { purpose: '' },
      { purpose: 'curiosity' },
      { purpose: 'HOMICIDE' },
    ]) {
      await fails(() => service.run({ ...base, ...bad }), 'BAD_INPUT');
    }
    await fails(() => service.compare({ ...base, a: probe(), b: probe(), caseNumber: '' }), 'BAD_INPUT');
    assert.equal(auditTypes(alpha.orgId).length, entries, 'nothing audited');
    assert.deepEqual(app.tenancy.forCaller(alpha.adminCaller).counts.daily(), [], 'no quota spent');
    assert.ok(DEFAULT_PURPOSES.includes('victim-identification'));
  });

  it('lets only investigators search, in their own org', async () => {
    const input = { probe: probe(), caseNumber: 'C-2', purpose: 'robbery' };
    await fails(() => service.run({ ...input, caller: auditor }), 'FORBIDDEN');
    await fails(() => service.run({ ...input, caller: alpha.adminCaller }), 'FORBIDDEN');
    await fails(() => service.run({ ...input, caller: platform.caller }), 'FORBIDDEN');
  });

  it('searches the org’s galleries and answers the CLI shape plus the record and thumbnail URLs', async () => {
    const r = await service.run({
      caller: inv1,
      probe: probe(),
      caseNumber: ` ${MARKER_CASE} `,
      purpose: 'homicide',
    });
    assert.equal(r.caseNumber, MARKER_CASE, 'trimmed');
    assert.equal(r.purpose, 'homicide');
    assert.equal(r.kind, 'search');
    assert.match(r.searchId, /^[0-9a-f-]{36}$/);
    assert.equal(r.createdAt, clock.now().toISOString());
    for (const key of ['probe', 'candidates', 'thresholds', 'decision', 'galleryFaces'])
      assert.ok(key in r, key);
    assert.equal(r.decision, 'match');
    const best = r.candidates[0];
    assert.ok(best);
    assert.equal(best.subjectId, null);
    assert.equal(best.gallery, 'alpha-mugshots', 'only the granted gallery was searched');
    assert.ok(r.candidates.every((c) => c.gallery === 'alpha-mugshots'));
    assert.equal(best.thumbnailUrl, `/api/v1/faces/${best.faceId}/thumbnail`);
    const last = activity[activity.length - 1];
    assert.deepEqual(
      {
        orgId: last?.orgId,
        actor: last?.actor,
        kind: last?.kind,
        results: last?.resultCount,
        outcome: last?.outcome,
      },
      { orgId: alpha.orgId, actor: inv1.actor, kind: 'search', results: r.candidates.length, outcome: 'ok' },
    );
    assert.match(last?.probeSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(last?.searchId, r.searchId);
  });

  it('treats a gallery of another org like one that does not exist, and says so when an org has none', async () => {
    const input = { caller: inv1, probe: probe(), caseNumber: 'C-3', purpose: 'fraud' };
    const foreign = await fails(() => service.run({ ...input, galleries: [bravoGallery] }), 'NOT_FOUND');
    const missing = await fails(
      () => service.run({ ...input, galleries: ['01900000-0000-7000-8000-0000000000ff'] }),
      'NOT_FOUND',
    );
    assert.equal(
      foreign.message.replace(bravoGallery, 'X'),
      missing.message.replace('01900000-0000-7000-8000-0000000000ff', 'X'),
    );
    const r = await service.run({ ...input, galleries: ['alpha-mugshots'] });
    assert.ok(r.candidates.length > 0);
    const none = await fails(
      () => service.run({ ...input, caller: invEmpty, purpose: 'homicide' }),
      'BAD_INPUT',
    );
    assert.match(none.message, /no galleries/);
  });

  it('refuses with QUOTA and a retry time once the caller’s quota is spent', async () => {
    app.tenancy.forCaller(alpha.adminCaller).quotas.setForSubject(inv2.actor, { perMinute: 1, perDay: null });
    clock.advance(60);
    const input = { caller: inv2, probe: probe(), caseNumber: 'C-4', purpose: 'terrorism' };
    await service.run(input);
    const err = await fails(() => service.run(input), 'QUOTA');
    assert.ok(
      err.retryAfterSeconds !== undefined && err.retryAfterSeconds >= 1 && err.retryAfterSeconds <= 60,
    );
    clock.advance(60);
    await service.run(input);
  });

  it('audits every search with the case number and purpose sealed, never in plaintext', async () => {
    const runs = app.audit.query({ orgId: alpha.orgId, types: ['search.run'], limit: 1000 }).entries;
    assert.ok(runs.length >= 4);
    for (const e of runs) {
      assert.ok(!e.details.includes(MARKER_CASE), 'no plaintext case number');
      assert.ok(!e.details.includes('homicide') && !e.details.includes('terrorism'), 'no plaintext purpose');
    }
    const marked = runs
      .map((e) => ({ e, d: readDetails(e) }))
      .map(({ e, d }) => {
        assert.ok(!d.sealed);
        return {
          e,
          d: d.details as { caseNumber: string; purpose: string; resultCount: number; outcome: string },
        };
      })
      .find(({ d }) => openSearchAuditCase(app.vault, alpha.orgId, d).caseNumber === MARKER_CASE);
    assert.ok(marked, 'the sealed case number opens with the org key');
    assert.equal(marked.e.actor, inv1.actor);
    assert.equal(openSearchAuditCase(app.vault, alpha.orgId, marked.d).purpose, 'homicide');
    assert.ok(marked.d.resultCount > 0);
    assert.equal(marked.d.outcome, 'ok');
    assert.throws(
      () => openSearchAuditCase(app.vault, bravo.orgId, marked.d),
      'another org’s key cannot open it',
    );
  });

  it('audits a search that finds no face in the probe, without a history row', async () => {
    const before = service.list(inv1).items.length;
    const blank = readFileSync(lfw('Tony_Blair', 1)).subarray(0, 10);
    await assert.rejects(service.run({ caller: inv1, probe: blank, caseNumber: 'C-5', purpose: 'fraud' }));
    const last = app.audit.query({ orgId: alpha.orgId, types: ['search.run'], limit: 1 }).entries[0];
    assert.ok(last);
    const d = JSON.parse(last.details);
    assert.equal(d.outcome, 'failed');
    assert.equal(d.resultCount, 0);
    assert.equal(service.list(inv1).items.length, before);
  });
});

describe('search history', () => {
  let mine: CaseSearchResult;
  let colleague: CaseSearchResult;
  let other: CaseSearchResult;

  before(async () => {
    clock.advance(60);
    mine = await service.run({
      caller: inv1,
      probe: probe(),
      caseNumber: 'hist 42',
      purpose: 'missing-person',
    });
    colleague = await service.run({ caller: inv2, probe: probe(), caseNumber: 'HIST-43', purpose: 'fraud' });
    other = await service.run({ caller: invB, probe: probe(), caseNumber: 'hist 42', purpose: 'fraud' });
  });

  it('shows investigators their own searches, and org-admins and auditors the org’s', () => {
    const own = service.list(inv1).items;
    assert.ok(own.length > 0 && own.every((s) => s.actor === inv1.actor));
    assert.ok(own.some((s) => s.searchId === mine.searchId));
    assert.ok(!own.some((s) => s.searchId === colleague.searchId));
    for (const reader of [auditor, alpha.adminCaller]) {
      const ids = service.list(reader, { limit: 100 }).items.map((s) => s.searchId);
      assert.ok(ids.includes(mine.searchId) && ids.includes(colleague.searchId));
      assert.ok(!ids.includes(other.searchId), 'never another org’s');
    }
    assert.deepEqual(
      service.list(invB).items.map((s) => s.searchId),
      [other.searchId],
    );
  });

  it('filters by case number through the blind index (case and spaces ignored), time and page', () => {
    const byCase = service.list(auditor, { caseNumber: 'HIST42' }).items;
    assert.deepEqual(
      byCase.map((s) => s.searchId),
      [mine.searchId],
    );
    assert.equal(byCase[0]?.caseNumber, 'hist 42');
    assert.equal(byCase[0]?.purpose, 'missing-person');
    assert.equal(service.list(auditor, { from: clock.now() }).items.length, 2);
    assert.equal(service.list(auditor, { to: mine.createdAt }).items.length > 0, true);
    const first = service.list(auditor, { limit: 1 });
    assert.equal(first.items.length, 1);
    assert.ok(first.nextCursor);
    const second = service.list(auditor, { limit: 1, cursor: first.nextCursor });
    assert.notEqual(second.items[0]?.searchId, first.items[0]?.searchId);
    assert.throws(() => service.list(auditor, { limit: 0 }), { code: 'BAD_INPUT' });
    assert.throws(() => service.list(auditor, { cursor: 'nonsense' }), { code: 'BAD_INPUT' });
  });

  it('returns the stored result, audits the view, and serves the probe photo unchanged', async () => {
    const got = service.get(inv1, mine.searchId);
    assert.equal(got.kind, 'search');
    assert.deepEqual(
      { ...got, actor: undefined, probeKept: undefined },
      { ...mine, actor: undefined, probeKept: undefined },
    );
    assert.equal(got.actor, inv1.actor);
    const viewed = app.audit.query({ orgId: alpha.orgId, types: ['search.result.viewed'], limit: 1 })
      .entries[0];
    assert.deepEqual(JSON.parse(viewed?.details ?? '{}'), { searchId: mine.searchId, view: 'result' });
    assert.equal(viewed?.actor, inv1.actor);
    const photo = service.probe(auditor, mine.searchId);
    assert.ok(photo.bytes.equals(probe()));
    assert.equal(photo.mediaType, 'image/jpeg');
    assert.equal(service.get(alpha.adminCaller, colleague.searchId).searchId, colleague.searchId);
  });

  it('answers NOT_FOUND for another org’s or a colleague’s search, and FORBIDDEN to a platform-admin', async () => {
    await fails(() => service.get(invB, mine.searchId), 'NOT_FOUND');
    await fails(() => service.probe(invB, mine.searchId), 'NOT_FOUND');
    await fails(() => service.get(inv1, colleague.searchId), 'NOT_FOUND');
    await fails(() => service.probe(inv1, colleague.searchId), 'NOT_FOUND');
    await fails(() => service.get(auditor, other.searchId), 'NOT_FOUND');
    await fails(() => service.list(platform.caller), 'FORBIDDEN');
    await fails(() => service.get(platform.caller, mine.searchId), 'FORBIDDEN');
    await fails(() => service.probe(platform.caller, mine.searchId), 'FORBIDDEN');
  });

  it('serves a candidate thumbnail only to callers whose org may see its gallery', async () => {
    const faceId = mine.candidates[0]?.faceId as string;
    const jpeg = service.thumbnail(inv1, faceId);
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.ok(service.thumbnail(auditor, faceId).length > 0);
    await fails(() => service.thumbnail(invB, faceId), 'NOT_FOUND');
    const bravoFace = other.candidates[0]?.faceId as string;
    await fails(() => service.thumbnail(inv1, bravoFace), 'NOT_FOUND');
    await fails(() => service.thumbnail(inv1, 'no-such-face'), 'NOT_FOUND');
    await fails(() => service.thumbnail(platform.caller, faceId), 'FORBIDDEN');
  });

  it('compares two photos under a case, audited like a search and kept with both photos', async () => {
    clock.advance(60);
    const a = readFileSync(lfw('Tony_Blair', 1));
    const b = readFileSync(lfw('Tony_Blair', 2));
    const r = await service.compare({ caller: inv1, a, b, caseNumber: 'CMP-1', purpose: 'fraud' });
    assert.equal(r.kind, 'compare');
    assert.equal(r.match, true);
    const stored = service.get(inv1, r.searchId);
    assert.equal(stored.kind, 'compare');
    assert.ok(service.probe(inv1, r.searchId, 'second').bytes.equals(b));
    const entry = app.audit.query({ orgId: alpha.orgId, types: ['search.run'], limit: 1 }).entries[0];
    const d = JSON.parse(entry?.details ?? '{}');
    assert.equal(d.kind, 'compare');
    assert.deepEqual(d.galleries, []);
    assert.match(d.secondProbeSha256, /^[0-9a-f]{64}$/);
    assert.equal(d.resultCount, 1);
  });
});

describe('sealed at rest', () => {
  it('leaves no case number, purpose or probe photo readable in the database files', () => {
    const files = readdirSync(join(dir, 'data')).filter((f) => f.startsWith('faceledger.db'));
    assert.ok(files.includes('faceledger.db-wal'), 'the WAL is scanned too');
    const raw = Buffer.concat(files.map((f) => readFileSync(join(dir, 'data', f))));
    const needles = (text: string) => [
      Buffer.from(text, 'utf8'),
      Buffer.from(text.toLowerCase(), 'utf8'),
      Buffer.from(text, 'utf16le'),
      Buffer.from(Buffer.from(text).toString('hex')),
      Buffer.from(Buffer.from(text).toString('base64').slice(0, -4)),
      Buffer.from(Buffer.from(text).toString('base64url').slice(0, -4)),
    ];
    assert.ok(raw.includes(Buffer.from(CONTROL_GALLERY)), 'control: a plaintext column is found by the scan');
    for (const n of needles(MARKER_CASE)) assert.ok(!raw.includes(n), `case number found as ${n.toString()}`);
    assert.ok(!raw.includes(Buffer.from('missing-person')), 'purpose found');
    const photo = probe();
    for (const offset of [100, photo.length >> 1, photo.length - 200])
      assert.ok(!raw.includes(photo.subarray(offset, offset + 48)), `probe bytes at ${offset} found`);
  });
});

describe('retention', () => {
  it('lets org-admins set the org’s probe and history retention, audited; others only read it', async () => {
    assert.deepEqual(service.retention(auditor), {
      probeDays: 30,
      historyDays: 365,
      defaults: { probeDays: 30, historyDays: 365 },
      overridden: { probeDays: false, historyDays: false },
      updatedBy: null,
      updatedAt: null,
    });
    await fails(() => service.setRetention(auditor, { probeDays: 7 }), 'FORBIDDEN');
    await fails(() => service.retention(inv1), 'FORBIDDEN');
    await fails(() => service.setRetention(platform.caller, { probeDays: 7 }), 'FORBIDDEN');
    await fails(() => service.setRetention(alpha.adminCaller, { probeDays: 0 }), 'BAD_INPUT');
    await fails(() => service.setRetention(alpha.adminCaller, { probeDays: 400 }), 'BAD_INPUT');
    const set = service.setRetention(alpha.adminCaller, { probeDays: 7, historyDays: 60 });
    assert.deepEqual([set.probeDays, set.historyDays, set.updatedBy], [7, 60, alpha.adminCaller.actor]);
    const change = app.audit.query({ orgId: alpha.orgId, types: ['config.changed'], limit: 1 }).entries[0];
    assert.deepEqual(JSON.parse(change?.details ?? '{}').changes, [
      { key: 'retention.search.probeDays', from: null, to: '7' },
      { key: 'retention.search.historyDays', from: null, to: '60' },
    ]);
    assert.equal(service.retention(bravo.adminCaller).probeDays, 30, 'other orgs keep the default');
  });

  it('purges expired probes first, then history, per org, and audits each purge', async () => {
    const alphaSearches = service.list(auditor, { limit: 100 }).items;
    const bravoSearches = service.list(bravo.adminCaller, { limit: 100 }).items;
    assert.ok(alphaSearches.length > 0 && bravoSearches.length > 0);
    const kept = alphaSearches[0]?.searchId as string;

    assert.deepEqual(service.purgeExpired(), { probes: 0, searches: 0 }, 'nothing is due yet');
    clock.advance(8 * 86_400);
    const firstPurge = service.purgeExpired();
    assert.equal(firstPurge.searches, 0);
    assert.equal(firstPurge.probes, alphaSearches.length + 1, 'alpha’s probes (a compare holds two)');
    const err = await fails(() => service.probe(auditor, kept), 'NOT_FOUND');
    assert.match(err.message, /no longer kept/);
    assert.equal(service.get(auditor, kept).probeKept, false, 'the history row stays');
    assert.ok(service.probe(bravo.adminCaller, bravoSearches[0]?.searchId as string).bytes.length > 0);

    clock.advance(60 * 86_400);
    const second = service.purgeExpired();
    assert.deepEqual(second, { probes: bravoSearches.length, searches: alphaSearches.length });
    assert.equal(service.list(auditor).items.length, 0);
    await fails(() => service.get(auditor, kept), 'NOT_FOUND');
    assert.equal(service.list(bravo.adminCaller).items.length, bravoSearches.length);

    const purges = app.audit
      .query({ orgId: alpha.orgId, types: ['retention.purge'], limit: 10, order: 'asc' })
      .entries.map((e) => JSON.parse(e.details));
    assert.deepEqual(
      purges.map((p) => [p.scope, p.purgedCount]),
      [
        ['search-probes', alphaSearches.length + 1],
        ['search-history', alphaSearches.length],
      ],
    );
    assert.ok(app.audit.verify().ok);
  });
});
