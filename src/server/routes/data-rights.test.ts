import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GalleryService } from '../../services/gallery-service.js';
import { IdentityService } from '../../services/identity-service.js';
import { SearchService } from '../../services/search-service.js';
import { lfw, lfwFolder } from '../../testing/fixtures.js';
import { DEFAULT_OPT_OUT_PER_HOUR } from '../config.js';
import { type Harness, makeWorld, startHarness, type World } from '../test-harness.js';
import { multipartBody } from '../test-multipart.js';

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
  it('takes a selfie from anyone, suppresses the face at once and answers only a confirmation code', async () => {
    const res = await optOut({
      filename: 'me.jpg',
      data: readFileSync(lfw('Colin_Powell', 5)),
      contentType: 'image/jpeg',
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = JSON.parse(res.body);
    assert.deepEqual(
      Object.keys(body).sort(),
      ['confirmationCode', 'eraseAfter', 'message', 'submittedAt'],
      'no match counts',
    );
    assert.equal(
      Date.parse(body.eraseAfter) - Date.parse(body.submittedAt),
      30 * 86_400_000,
      'a 30-day hold',
    );
    assert.equal(faceRows(owned, /Colin_Powell/).length, 3, 'held: nothing is erased yet');
    const r = await new SearchService(h.app).search({
      probe: { path: lfw('Colin_Powell', 6) },
      galleryIds: [owned],
    });
    assert.ok(!r.candidates.some((c) => /Colin_Powell/.test(c.location)), 'but search never returns them');
    assert.equal(r.candidates.length > 0, true, 'the others are still searchable');

    const status = await h.call({
      method: 'POST',
      url: '/api/v1/opt-out/status',
      payload: { code: body.confirmationCode },
    });
    assert.equal(status.statusCode, 200, status.body);
    assert.deepEqual(
      { ...JSON.parse(status.body), submittedAt: undefined },
      { submittedAt: undefined, state: 'held', active: true, eraseAfter: body.eraseAfter },
    );
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
    while (res.statusCode !== 429 && optOutCalls <= DEFAULT_OPT_OUT_PER_HOUR + 1) res = await optOut(null);
    assert.equal(res.statusCode, 429, `no 429 after ${optOutCalls} calls`);
    assert.equal(optOutCalls, DEFAULT_OPT_OUT_PER_HOUR + 1, 'the first call past the limit is refused');
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal(JSON.parse(res.body).error.code, 'QUOTA');
  });
});

describe('the platform-admin’s review of opt-outs', () => {
  type Request = { id: string; state: string; via: string; facesRemoved: number; decidedBy: string | null };
  let powellRequest: string;

  const searchFor = (person: string, n: number) =>
    new SearchService(h.app).search({ probe: { path: lfw(person, n) }, galleryIds: [owned] });

  it('lists the requests (states, dates, counts) to platform-admins only', async () => {
    const res = await h.call({ method: 'GET', url: '/api/v1/opt-outs', token: w.platform.token });
    assert.equal(res.statusCode, 200, res.body);
    const list = JSON.parse(res.body) as { total: number; items: Request[] };
    assert.equal(list.total, 1);
    const [request] = list.items;
    assert.equal(request?.state, 'held');
    assert.equal(request?.via, 'public');
    assert.deepEqual(Object.keys(request ?? {}).sort(), [
      'createdAt',
      'decidedAt',
      'decidedBy',
      'eraseAfter',
      'facesRemoved',
      'id',
      'imagesRemoved',
      'state',
      'via',
    ]);
    powellRequest = request?.id ?? '';
    for (const token of [w.a.admin.token, w.a.auditor.token, w.a.investigator.token])
      assert.equal(
        errorOf(await h.call({ method: 'GET', url: '/api/v1/opt-outs', token }), 403).code,
        'FORBIDDEN',
      );
  });

  it('rejects a held request: the template goes and the faces it hid are searchable again', async () => {
    const sent = await h.call({
      method: 'POST',
      url: '/api/v1/opt-out',
      remoteAddress: '10.0.0.9',
      ...multipartBody({ selfie: { filename: 's.jpg', data: readFileSync(lfw('Gerhard_Schroeder', 3)) } }),
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const { confirmationCode } = JSON.parse(sent.body);
    assert.ok(
      !(await searchFor('Gerhard_Schroeder', 4)).candidates.some((c) => /Schroeder/.test(c.location)),
    );

    const held = (await h.app.store.db
      .prepare("SELECT id FROM opt_outs WHERE status = 'held' AND id != ?")
      .pluck()
      .get(powellRequest)) as string;
    const reject = (id: string) =>
      h.call({
        method: 'POST',
        url: `/api/v1/opt-outs/${id}/reject`,
        token: w.platform.token,
        payload: { reason: 'a flood of requests from one address, for people of one case' },
      });
    const res = await reject(held);
    assert.equal(res.statusCode, 200, res.body);
    const decided = JSON.parse(res.body) as Request;
    assert.equal(decided.state, 'rejected');
    assert.equal(decided.decidedBy, w.platform.caller.actor);
    const template = h.app.store.db
      .prepare('SELECT template FROM opt_outs WHERE id = ?')
      .pluck()
      .get(held) as Buffer;
    assert.equal(template.length, 0, 'the template is destroyed');

    const again = await searchFor('Gerhard_Schroeder', 4);
    assert.match(again.candidates[0]?.location ?? '', /Gerhard_Schroeder/, 'searchable again, at rank 1');
    const status = await h.call({
      method: 'POST',
      url: '/api/v1/opt-out/status',
      payload: { code: confirmationCode },
    });
    assert.equal(JSON.parse(status.body).state, 'rejected');
    assert.equal(JSON.parse(status.body).active, false);
    assert.equal(errorOf(await reject(held), 409).code, 'CONFLICT');
    const confirmRejected = await h.call({
      method: 'POST',
      url: `/api/v1/opt-outs/${held}/confirm`,
      token: w.platform.token,
    });
    assert.equal(errorOf(confirmRejected, 409).code, 'CONFLICT');
    assert.equal(errorOf(await reject('no-such-request'), 404).code, 'NOT_FOUND');
  });

  it('confirms a held request: its matching faces are erased now, audited', async () => {
    const res = await h.call({
      method: 'POST',
      url: `/api/v1/opt-outs/${powellRequest}/confirm`,
      token: w.platform.token,
    });
    assert.equal(res.statusCode, 200, res.body);
    const { request, removed } = JSON.parse(res.body) as { request: Request; removed: { faces: number } };
    assert.equal(request.state, 'confirmed');
    assert.equal(request.facesRemoved, 3);
    assert.equal(removed.faces, 3);
    assert.equal(faceRows(owned, /Colin_Powell/).length, 0, 'the enrolled faces are erased');
    const erased = h.app.audit
      .query({ types: ['erasure'], orgId: w.a.orgId, order: 'asc', limit: 100 })
      .entries.map((e) => JSON.parse(e.details) as { requestRef?: string; facesRemoved: number });
    assert.ok(
      erased.some((d) => d.requestRef === powellRequest && d.facesRemoved === 3),
      'in the owner’s chain',
    );
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

    await new IdentityService(h.app).build(owned);
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
