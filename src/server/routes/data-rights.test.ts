import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GalleryService } from '../../services/gallery-service.js';
import { IdentityService } from '../../services/identity-service.js';
import { SearchService } from '../../services/search-service.js';
import { lfw, lfwFolder } from '../../testing/fixtures.js';
import { type Harness, makeWorld, startHarness, type World } from '../test-harness.js';
import { multipartBody } from '../test-multipart.js';
import { OPT_OUT_RATE_LIMIT } from './opt-out.js';

let h: Harness;
let w: World;
let owned: string;
let platformGallery: string;
let optOutCalls = 0;

function optOut(file: { filename: string; data: Uint8Array; contentType?: string } | null) {
  optOutCalls++;
  return h.call({
    method: 'POST',
    url: '/api/v1/opt-out',
    ...multipartBody(file ? { selfie: file } : { note: 'no file' }),
  });
}

function errorOf(
  res: { statusCode: number; body: string },
  status: number,
): { code: string; message: string } {
  assert.equal(res.statusCode, status, res.body);
  assert.doesNotMatch(res.body, /\bat .+\.js:\d+/, 'no stack trace');
  return JSON.parse(res.body).error;
}

function faceRows(galleryId: string, location: RegExp): { id: string; image_id: string; label: number }[] {
  return (
    h.app.store.db
      .prepare(
        `SELECT f.id, f.image_id, f.label, i.location FROM faces f JOIN images i ON i.id = f.image_id
         WHERE f.gallery_id = ? ORDER BY f.label`,
      )
      .all(galleryId) as { id: string; image_id: string; label: number; location: string }[]
  ).filter((r) => location.test(r.location));
}

before(async () => {
  h = await startHarness();
  w = await makeWorld(h);
  const galleries = new GalleryService(h.app);
  const photos = join(h.dir, 'photos-a');
  mkdirSync(photos);
  lfwFolder(photos, { Colin_Powell: [1, 2, 3], Tony_Blair: [1, 2], Gerhard_Schroeder: [1, 2] });
  owned = galleries.create({ name: 'harbour', legalBasis: 'test', createdBy: 'cli:test' }).id;
  await galleries.ingest({ gallery: owned, source: photos, createdBy: 'cli:test' });
  h.app.tenancy.forPlatform(w.platform.caller).galleries.setOwner(owned, w.a.orgId);
  const photosP = join(h.dir, 'photos-p');
  mkdirSync(photosP);
  lfwFolder(photosP, { Serena_Williams: [1] });
  platformGallery = galleries.create({ name: 'platform', legalBasis: 'test', createdBy: 'cli:test' }).id;
  await galleries.ingest({ gallery: platformGallery, source: photosP, createdBy: 'cli:test' });
  h.app.tenancy.forPlatform(w.platform.caller).galleries.grant(platformGallery, w.a.orgId);
});
after(() => h.close());

describe('POST /api/v1/opt-out', () => {
  it('takes a selfie from anyone and answers only a confirmation code', async () => {
    const res = await optOut({
      filename: 'me.jpg',
      data: readFileSync(lfw('Colin_Powell', 5)),
      contentType: 'image/jpeg',
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = JSON.parse(res.body);
    assert.deepEqual(
      Object.keys(body).sort(),
      ['confirmationCode', 'message', 'submittedAt'],
      'no match counts',
    );
    assert.equal(faceRows(owned, /Colin_Powell/).length, 0, 'the enrolled faces are erased');
    const r = await new SearchService(h.app).search({
      probe: { path: lfw('Colin_Powell', 6) },
      galleryIds: [owned],
    });
    assert.ok(!r.candidates.some((c) => /Colin_Powell/.test(c.location)));
    assert.equal(r.candidates.length > 0, true, 'the others are still searchable');

    const status = await h.call({
      method: 'POST',
      url: '/api/v1/opt-out/status',
      payload: { code: body.confirmationCode },
    });
    assert.equal(status.statusCode, 200, status.body);
    assert.equal(JSON.parse(status.body).active, true);
    const unknown = await h.call({
      method: 'POST',
      url: '/api/v1/opt-out/status',
      payload: { code: 'AAAAA-AAAAA-AAAAA-AAAAA' },
    });
    errorOf(unknown, 404);
  });

  it('refuses a photo without exactly one face, a non-image, a missing file and JSON with a clear 4xx', async () => {
    const sharp = (await import('sharp')).default;
    const blank = await sharp({ create: { width: 160, height: 160, channels: 3, background: '#777' } })
      .jpeg()
      .toBuffer();
    assert.equal(errorOf(await optOut({ filename: 'b.jpg', data: blank }), 422).code, 'NO_FACE');
    const text = errorOf(await optOut({ filename: 'x.jpg', data: Buffer.from('hello, not a photo') }), 415);
    assert.equal(text.code, 'UNSUPPORTED_TYPE');
    assert.equal(errorOf(await optOut(null), 400).code, 'BAD_INPUT');
    optOutCalls++;
    const json = await h.call({ method: 'POST', url: '/api/v1/opt-out', payload: { selfie: 'abc' } });
    assert.equal(errorOf(json, 415).code, 'UNSUPPORTED_TYPE');
  });

  it('is rate-limited per client address: 429 with Retry-After', async () => {
    let res = await optOut(null);
    while (res.statusCode !== 429 && optOutCalls <= OPT_OUT_RATE_LIMIT.max + 1) res = await optOut(null);
    assert.equal(res.statusCode, 429, `no 429 after ${optOutCalls} calls`);
    assert.equal(optOutCalls, OPT_OUT_RATE_LIMIT.max + 1, 'the first call past the limit is refused');
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal(JSON.parse(res.body).error.code, 'QUOTA');
  });
});

describe('DELETE erasure routes', () => {
  const del = (path: string, token: string | null) => h.call({ method: 'DELETE', url: path, token });

  it('lets an org-admin erase in galleries the org owns; everyone else is refused and nothing goes', async () => {
    const [blair] = faceRows(owned, /Tony_Blair_0001/);
    assert.ok(blair);
    const url = `/api/v1/images/${blair.image_id}`;
    assert.equal(errorOf(await del(url, null), 401).code, 'UNAUTHENTICATED');
    assert.equal(errorOf(await del(url, w.a.investigator.token), 403).code, 'FORBIDDEN');
    assert.equal(errorOf(await del(url, w.a.auditor.token), 403).code, 'FORBIDDEN');
    assert.equal(errorOf(await del(url, w.b.admin.token), 404).code, 'NOT_FOUND');
    assert.equal(errorOf(await del(url, w.platform.token), 404).code, 'NOT_FOUND');
    assert.equal(errorOf(await del(`${url}?reason=because`, w.a.admin.token), 400).code, 'BAD_INPUT');
    assert.equal(faceRows(owned, /Tony_Blair_0001/).length, 1, 'still there');

    const res = await del(`${url}?reason=legal-basis-ended&requestRef=TICKET-42`, w.a.admin.token);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(JSON.parse(res.body).erased, {
      scope: 'image',
      targetId: blair.image_id,
      galleryId: owned,
      imagesRemoved: 1,
      facesRemoved: 1,
    });
    assert.equal(faceRows(owned, /Tony_Blair_0001/).length, 0);
    assert.equal(h.app.indexes.get(owned).has(blair.label), false);
    const entry = h.app.audit.query({ types: ['erasure'], orgId: w.a.orgId, limit: 1 }).entries[0];
    assert.equal(entry?.actor, w.a.admin.caller.actor);
    assert.equal(JSON.parse(entry?.details ?? '{}').requestRef, 'TICKET-42');
  });

  it('erases a face, an identity and a whole gallery', async () => {
    const [face] = faceRows(owned, /Tony_Blair_0002/);
    assert.ok(face);
    assert.equal((await del(`/api/v1/faces/${face.id}`, w.a.admin.token)).statusCode, 200);
    assert.equal(h.app.store.faces.get(face.id), undefined);

    new IdentityService(h.app).build(owned);
    const [schroeder] = faceRows(owned, /Gerhard_Schroeder/);
    const identityId = h.app.store.faces.get(schroeder?.id as string)?.identityId;
    assert.ok(identityId);
    const r = await del(`/api/v1/identities/${identityId}`, w.a.admin.token);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(h.app.store.identities.get(identityId), undefined);
    assert.equal(faceRows(owned, /Gerhard_Schroeder/).length, 0);

    // Shared with org A is not org A's to erase; the platform's galleries are the platform-admin's.
    assert.equal(
      errorOf(await del(`/api/v1/galleries/${platformGallery}`, w.a.admin.token), 404).code,
      'NOT_FOUND',
    );
    assert.equal(errorOf(await del(`/api/v1/galleries/${owned}`, w.b.admin.token), 404).code, 'NOT_FOUND');
    assert.equal((await del(`/api/v1/galleries/${owned}`, w.a.admin.token)).statusCode, 200);
    assert.equal(h.app.store.galleries.findById(owned), undefined);
    assert.equal((await del(`/api/v1/galleries/${platformGallery}`, w.platform.token)).statusCode, 200);
    assert.equal(h.app.store.galleries.findById(platformGallery), undefined);
    assert.equal(h.app.audit.verify().ok, true);
  });
});
