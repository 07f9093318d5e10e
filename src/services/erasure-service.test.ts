import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
import { ErasureService } from './erasure-service.js';
import { GalleryService } from './gallery-service.js';
import { IdentityService } from './identity-service.js';
import { MaintenanceService } from './maintenance-service.js';
import { SearchService } from './search-service.js';

let dir: string;
let app: FaceLedgerApp;
let env: Env;
let platform: PlatformFixture;
let orgA: OrgFixture;
let orgB: OrgFixture;
let investigatorA: Caller;
let owned: string;
let shared: string;
let erasure: ErasureService;

const code = (expected: string) => (e: Error & { code?: string }) => {
  assert.equal(e.code, expected, e.message);
  return true;
};

interface Row {
  label: number;
  id: string;
  image_id: string;
  location: string;
}

function facesOf(galleryId: string, location?: RegExp): Row[] {
  const rows = app.store.db
    .prepare(
      `SELECT f.label, f.id, f.image_id, i.location FROM faces f JOIN images i ON i.id = f.image_id
       WHERE f.gallery_id = ? ORDER BY f.label`,
    )
    .all(galleryId) as Row[];
  return location ? rows.filter((r) => location.test(r.location)) : rows;
}

function thumbnails(labels: number[]): number {
  return (
    app.store.db
      .prepare(
        'SELECT COUNT(*) AS n FROM face_thumbnails WHERE face_label IN (SELECT value FROM json_each(?))',
      )
      .get(JSON.stringify(labels)) as { n: number }
  ).n;
}

function erasureEntries() {
  return app.audit
    .query({ types: ['erasure'], order: 'asc', limit: 1000 })
    .entries.map((e) => ({ orgId: e.orgId, actor: e.actor, details: JSON.parse(e.details) }));
}

async function ingest(gallery: string, people: Record<string, number[]>): Promise<void> {
  const photos = mkdtempSync(join(dir, 'photos-'));
  lfwFolder(photos, people);
  const job = await new GalleryService(app).ingest({ gallery, source: photos, createdBy: 'cli:test' });
  assert.equal(job.errors, 0);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-erasure-'));
  mkdirSync(join(dir, 'data'));
  const clock = new ManualClock();
  app = FaceLedgerApp.open({
    dataDir: join(dir, 'data'),
    workers: 1,
    clock,
    tenancy: { argon2: TEST_ARGON2 },
  });
  env = { db: app.store.db, vault: app.vault, audit: app.audit, clock, tenancy: app.tenancy };
  platform = await platformAdmin(env);
  orgA = await makeOrg(env, platform, 'Org A');
  orgB = await makeOrg(env, platform, 'Org B');
  investigatorA = (await addUser(env, orgA, ['investigator'], 'inv')).caller;
  const galleries = new GalleryService(app);
  owned = galleries.create({ name: 'a', legalBasis: 'test', createdBy: orgA.adminCaller.actor }).id;
  app.tenancy.forCaller(orgA.adminCaller).galleries.claimCreated(owned);
  shared = galleries.create({ name: 'p', legalBasis: 'test', createdBy: 'cli:test' }).id;
  app.tenancy.forPlatform(platform.caller).galleries.grant(shared, orgA.orgId);
  await ingest('a', { Colin_Powell: [1, 2, 3], Tony_Blair: [1, 2], Gerhard_Schroeder: [1, 2] });
  await ingest('p', { Serena_Williams: [1, 2] });
  erasure = new ErasureService(app);
});
after(() => app.close());

describe('erasure', () => {
  it('refuses roles that may not erase, and anything outside the galleries the org owns', () => {
    const [face] = facesOf(owned);
    const [sharedFace] = facesOf(shared);
    assert.ok(face && sharedFace);
    const before = facesOf(owned).length + facesOf(shared).length;
    assert.throws(() => erasure.eraseImage({ caller: investigatorA }, face.image_id), code('FORBIDDEN'));
    // Another org's admin, and the platform-admin, get the answer a missing id gets.
    assert.throws(() => erasure.eraseImage({ caller: orgB.adminCaller }, face.image_id), {
      message: 'image not found',
    });
    assert.throws(() => erasure.eraseImage({ caller: orgB.adminCaller }, 'no-such-image'), {
      message: 'image not found',
    });
    assert.throws(() => erasure.eraseFace({ caller: platform.caller }, face.id), code('NOT_FOUND'));
    assert.throws(() => erasure.eraseGallery({ caller: orgB.adminCaller }, owned), code('NOT_FOUND'));
    // Shared with org A is not owned by org A; and a gallery is named by id only for callers.
    assert.throws(() => erasure.eraseFace({ caller: orgA.adminCaller }, sharedFace.id), code('NOT_FOUND'));
    assert.throws(() => erasure.eraseGallery({ caller: orgA.adminCaller }, 'a'), code('NOT_FOUND'));
    assert.equal(facesOf(owned).length + facesOf(shared).length, before, 'nothing was removed');
    assert.equal(erasureEntries().length, 0);
  });

  it('erases an image from the database, the thumbnails and the index at once, audited in the owner chain', async () => {
    const blair = facesOf(owned, /Tony_Blair_0001/);
    assert.ok(blair.length >= 1);
    const imageId = blair[0]?.image_id as string;
    const labels = blair.map((f) => f.label);
    const index = app.indexes.get(owned);
    assert.ok(labels.every((l) => index.has(l)) && thumbnails(labels) === labels.length);

    const r = erasure.eraseImage({ caller: orgA.adminCaller }, imageId, { requestRef: 'REQ-1' });
    assert.deepEqual(r, {
      scope: 'image',
      targetId: imageId,
      galleryId: owned,
      imagesRemoved: 1,
      facesRemoved: labels.length,
    });
    assert.equal(app.store.images.get(imageId), undefined);
    assert.equal(facesOf(owned, /Tony_Blair_0001/).length, 0);
    assert.equal(thumbnails(labels), 0);
    assert.ok(labels.every((l) => !index.has(l)));
    const check = app.indexes.check(owned);
    assert.deepEqual([check.missing, check.extra], [[], []], 'the saved index file agrees');

    const [entry] = erasureEntries();
    assert.deepEqual(entry, {
      orgId: orgA.orgId,
      actor: orgA.adminCaller.actor,
      details: {
        scope: 'image',
        galleryId: owned,
        targetIds: [imageId],
        imagesRemoved: 1,
        facesRemoved: labels.length,
        reason: 'data-subject-request',
        requestRef: 'REQ-1',
      },
    });
    const search = await new SearchService(app).search({ probe: { path: lfw('Tony_Blair', 1) } });
    assert.ok(!search.candidates.some((c) => c.imageId === imageId));
  });

  it('erases one face', () => {
    const [face] = facesOf(owned, /Gerhard_Schroeder_0001/);
    assert.ok(face);
    assert.throws(
      () => erasure.eraseFace({ caller: orgA.adminCaller }, face.id, { reason: 'because' as never }),
      code('BAD_INPUT'),
    );
    assert.ok(app.store.faces.get(face.id), 'a refused request erases nothing');
    const r = erasure.eraseFace({ caller: orgA.adminCaller }, face.id, { reason: 'data-quality' });
    assert.equal(r.facesRemoved, 1);
    assert.equal(app.store.faces.get(face.id), undefined);
    assert.equal(thumbnails([face.label]), 0);
    assert.equal(app.indexes.get(owned).has(face.label), false);
    assert.equal(erasureEntries().at(-1)?.details.reason, 'data-quality');
  });

  it('erases an identity: its faces and the images left without a face', async () => {
    await new IdentityService(app).build('a');
    const powell = facesOf(owned, /Colin_Powell/);
    assert.equal(powell.length, 3);
    const identityId = app.store.faces.get(powell[0]?.id as string)?.identityId;
    assert.ok(identityId);
    const members = new IdentityService(app).show(identityId).faces;
    assert.ok(members.length >= 2 && members.every((m) => /Colin_Powell/.test(m.location)));

    const r = erasure.eraseIdentity({ caller: orgA.adminCaller }, identityId);
    assert.equal(r.facesRemoved, members.length);
    assert.equal(r.imagesRemoved, members.length, 'single-face photos go with their face');
    assert.equal(app.store.identities.get(identityId), undefined);
    for (const m of members) {
      assert.equal(app.store.faces.get(m.faceId), undefined);
      assert.equal(app.store.images.get(m.imageId), undefined);
    }
    assert.equal(erasureEntries().at(-1)?.details.scope, 'identity');
    assert.equal(new MaintenanceService(app).doctor().ok, true);
  });

  it('lets the CLI operator erase in any gallery, audited as cli:<user> in the owner chain', () => {
    const [face] = facesOf(shared);
    assert.ok(face);
    erasure.eraseImage({ operator: 'cli:tester' }, face.image_id);
    const entry = erasureEntries().at(-1);
    assert.equal(entry?.actor, 'cli:tester');
    assert.equal(entry?.orgId, null, 'a platform gallery: the global chain only');
  });

  it('erases a whole gallery: rows, thumbnails, ownership, grants and the index file', () => {
    const counts = app.store.galleries.list().find((g) => g.id === owned);
    assert.ok(counts && counts.faces > 0);
    const labels = facesOf(owned).map((f) => f.label);
    app.indexes.save(owned);
    assert.ok(existsSync(app.indexes.pathOf(owned)));

    const r = erasure.eraseGallery({ caller: orgA.adminCaller }, owned);
    assert.deepEqual([r.imagesRemoved, r.facesRemoved], [counts.images, counts.faces]);
    assert.equal(app.store.galleries.findById(owned), undefined);
    for (const table of ['images', 'faces', 'identities', 'ingest_jobs', 'gallery_owners']) {
      const n = app.store.db
        .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE gallery_id = ?`)
        .get(owned) as {
        n: number;
      };
      assert.equal(n.n, 0, table);
    }
    assert.equal(thumbnails(labels), 0);
    assert.equal(existsSync(app.indexes.pathOf(owned)), false);
    assert.deepEqual(app.tenancy.forCaller(orgA.adminCaller).galleries.ownedIds(), []);
    const entry = erasureEntries().at(-1);
    assert.equal(entry?.orgId, orgA.orgId);
    assert.equal(entry?.details.scope, 'gallery');
    assert.equal(entry?.details.facesRemoved, counts.faces);
    assert.equal(app.audit.verify().ok, true);
    assert.equal(app.audit.verify({ orgId: orgA.orgId }).ok, true);
  });
});
