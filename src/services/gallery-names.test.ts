/**
 * Gallery names are unique per owner (an org, or the platform), not per installation: an org may pick
 * any name another org uses — a refusal would tell it the other org holds such a gallery — and a name
 * is resolved only among the galleries the caller may use. Also the v8 migration that dropped the old
 * installation-wide constraint, run over a v7 database with data in it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FaceLedgerError } from '../core/errors.js';
import { openDatabase, schemaVersion } from '../gallery/store/database.js';
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
import { CaseSearchService } from './case-search-service.js';
import { GalleryService } from './gallery-service.js';
import { OrgGalleryService } from './org-gallery-service.js';
import { SCHEMA } from './schema.js';

const NAME = 'Persons of interest';

let dir: string;
let app: FaceLedgerApp;
let env: Env;
let platform: PlatformFixture;
let alpha: OrgFixture;
let bravo: OrgFixture;
let charlie: OrgFixture;
const ids = { alpha: '', bravo: '', platform: '' };

function code(fn: () => unknown, expected: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FaceLedgerError, String(err));
    assert.equal(err.code, expected, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-gallery-names-'));
  const clock = new ManualClock('2025-03-10T09:00:00.000Z');
  app = FaceLedgerApp.open({
    dataDir: join(dir, 'data'),
    clock,
    workers: 1,
    tenancy: { argon2: TEST_ARGON2 },
  });
  env = { db: app.store.db, vault: app.vault, audit: app.audit, clock, tenancy: app.tenancy };
  platform = await platformAdmin(env);
  alpha = await makeOrg(env, platform, 'Alpha Police');
  bravo = await makeOrg(env, platform, 'Bravo Police');
  charlie = await makeOrg(env, platform, 'Charlie Police');
});

after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gallery names', () => {
  it('may be used once by each owner: two orgs and the platform', () => {
    const orgGalleries = new OrgGalleryService(app);
    ids.alpha = orgGalleries.create(alpha.adminCaller, { name: NAME, legalBasis: 'test' }).id;
    ids.bravo = orgGalleries.create(bravo.adminCaller, { name: ` ${NAME} `, legalBasis: 'test' }).id;
    ids.platform = new GalleryService(app).create({ name: NAME, legalBasis: 'test', createdBy: 'cli:op' }).id;
    assert.equal(new Set(Object.values(ids)).size, 3);
    assert.deepEqual(
      app.store.galleries
        .findAllByName(NAME)
        .map((g) => g.id)
        .sort(),
      Object.values(ids).sort(),
    );

    code(() => orgGalleries.create(alpha.adminCaller, { name: NAME, legalBasis: 'test' }), 'CONFLICT');
    code(
      () => new GalleryService(app).create({ name: NAME, legalBasis: 'test', createdBy: 'cli:op' }),
      'CONFLICT',
      /the platform already has/,
    );
    code(() => orgGalleries.create(alpha.adminCaller, { name: ids.bravo, legalBasis: 'test' }), 'BAD_INPUT');
    code(
      () => new GalleryService(app).create({ name: '  ', legalBasis: 'test', createdBy: 'cli:op' }),
      'BAD_INPUT',
    );
    assert.equal(app.store.galleries.findAllByName(NAME).length, 3, 'nothing was added by a refusal');
  });

  it('at the CLI, resolves an id at once and refuses a name several owners use', () => {
    const galleries = new GalleryService(app);
    assert.equal(galleries.get(ids.bravo).id, ids.bravo);
    code(() => galleries.get(NAME), 'BAD_INPUT', /3 galleries are named .*by its id/);
    code(() => galleries.get('no such gallery'), 'NOT_FOUND');
  });

  it('in a search, names only the galleries the caller’s org may search', async () => {
    const alphaPhotos = join(dir, 'alpha');
    const bravoPhotos = join(dir, 'bravo');
    mkdirSync(alphaPhotos);
    mkdirSync(bravoPhotos);
    lfwFolder(alphaPhotos, { Colin_Powell: [1, 2] });
    lfwFolder(bravoPhotos, { Tony_Blair: [1, 2, 3] });
    const galleries = new GalleryService(app);
    await galleries.ingest({ gallery: ids.alpha, source: alphaPhotos, createdBy: 'cli:test' });
    await galleries.ingest({ gallery: ids.bravo, source: bravoPhotos, createdBy: 'cli:test' });

    const investigator = (await addUser(env, alpha, ['investigator'], 'inv')).caller;
    const result = await new CaseSearchService(app).run({
      caller: investigator,
      probe: readFileSync(lfw('Colin_Powell', 3)),
      caseNumber: 'C-NAMES-1',
      purpose: 'homicide',
      galleries: [NAME],
    });
    assert.equal(result.galleryFaces, 2, 'only Alpha’s two faces were searched, not Bravo’s three');
    assert.ok(result.candidates.every((c) => !/Tony_Blair/.test(c.location)));
    assert.match(result.candidates[0]?.location ?? '', /Colin_Powell/);
  });

  it('keeps the rule when a platform-admin moves a gallery to another owner', () => {
    const grants = app.tenancy.forPlatform(platform.caller).galleries;
    code(() => grants.setOwner(ids.platform, alpha.orgId), 'CONFLICT', /the organisation already has/);
    assert.equal(grants.ownerOf(ids.platform), null, 'the refused move changed nothing');
    grants.setOwner(ids.platform, charlie.orgId);
    assert.equal(grants.ownerOf(ids.platform), charlie.orgId);
    code(() => grants.setOwner(ids.bravo, charlie.orgId), 'CONFLICT');
    grants.setOwner(ids.bravo, null);
    assert.equal(grants.ownerOf(ids.bravo), null, 'the platform no longer held the name, so it may take it');
  });
});

describe('the v8 migration', () => {
  it('drops the installation-wide constraint of a v7 database and keeps every row and reference', () => {
    const path = join(dir, 'v7', 'faceledger.db');
    const v7 = openDatabase(path, SCHEMA.slice(0, 7));
    assert.equal(schemaVersion(v7), 7);
    v7.exec(`
      INSERT INTO galleries (id, name, legal_basis, created_by, created_at) VALUES ('g1', 'old', 'b', 'cli', 't');
      INSERT INTO images (id, gallery_id, sha256, location, width, height, ingested_at)
        VALUES ('i1', 'g1', 'ab', 'x.jpg', 10, 10, 't');
      INSERT INTO faces (id, image_id, gallery_id, face_index, box, landmarks, score, quality, embedding)
        VALUES ('f1', 'i1', 'g1', 0, '[]', '[]', 0.9, '{}', x'00');
    `);
    assert.throws(() =>
      v7.exec(
        `INSERT INTO galleries (id, name, legal_basis, created_by, created_at) VALUES ('g2', 'old', 'b', 'cli', 't')`,
      ),
    );
    v7.close();

    const v8 = openDatabase(path, SCHEMA);
    assert.equal(schemaVersion(v8), SCHEMA.length);
    assert.equal(v8.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are back on');
    assert.equal(v8.prepare('SELECT COUNT(*) FROM faces').pluck().get(), 1, 'the face survived the rebuild');
    v8.exec(
      `INSERT INTO galleries (id, name, legal_basis, created_by, created_at) VALUES ('g2', 'old', 'b', 'cli', 't')`,
    );
    // The references still point at the rebuilt table: erasing the gallery cascades to its rows.
    v8.exec(`DELETE FROM galleries WHERE id = 'g1'`);
    assert.equal(v8.prepare('SELECT COUNT(*) FROM images').pluck().get(), 0);
    assert.equal(v8.prepare('SELECT COUNT(*) FROM faces').pluck().get(), 0);
    assert.throws(
      () =>
        v8.exec(`INSERT INTO images (id, gallery_id, sha256, location, width, height, ingested_at)
        VALUES ('i2', 'missing', 'cd', 'y.jpg', 10, 10, 't')`),
      /FOREIGN KEY/,
    );
    v8.close();
  });
});
