import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GalleryService } from '../../services/gallery-service.js';
import { lfw, lfwFolder } from '../../testing/fixtures.js';
import { type Harness, makeWorld, startHarness, type World } from '../test-harness.js';

let h: Harness;
let w: World;

type Part = string | { filename: string; data: Buffer; type?: string };

/** A multipart/form-data body; a field given as an array is sent once per value. */
function form(parts: Record<string, Part | Part[]>): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----fl${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(parts)) {
    for (const part of Array.isArray(value) ? value : [value]) {
      if (typeof part === 'string') {
        chunks.push(
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${part}\r\n`),
        );
      } else {
        chunks.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${part.filename}"\r\n` +
              `Content-Type: ${part.type ?? 'image/jpeg'}\r\n\r\n`,
          ),
          part.data,
          Buffer.from('\r\n'),
        );
      }
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const photo = (name: string, i: number) => ({ filename: `${name}.jpg`, data: readFileSync(lfw(name, i)) });

function search(token: string | null, fields: Record<string, Part | Part[]>) {
  return h.call({ method: 'POST', url: '/api/v1/searches', token, ...form(fields) });
}

function errorOf(
  res: { statusCode: number; body: string },
  status: number,
): { code: string; message: string } {
  assert.equal(res.statusCode, status, res.body);
  assert.doesNotMatch(res.body, /\bat .+\.js:\d+/, 'no stack trace');
  return JSON.parse(res.body).error;
}

let galleryA: string;

before(async () => {
  h = await startHarness();
  w = await makeWorld(h);
  const galleries = new GalleryService(h.app);
  const photos = join(h.dir, 'photos-a');
  mkdirSync(photos);
  lfwFolder(photos, { Colin_Powell: [1, 2], Tony_Blair: [1] });
  galleryA = galleries.create({ name: 'harbour-gallery', legalBasis: 'test', createdBy: 'cli:test' }).id;
  await galleries.ingest({ gallery: galleryA, source: photos, createdBy: 'cli:test' });
  const photosB = join(h.dir, 'photos-b');
  mkdirSync(photosB);
  lfwFolder(photosB, { Serena_Williams: [1] });
  const galleryB = galleries.create({ name: 'inland-gallery', legalBasis: 'test', createdBy: 'cli:test' }).id;
  await galleries.ingest({ gallery: galleryB, source: photosB, createdBy: 'cli:test' });
  const grants = h.app.tenancy.forPlatform(w.platform.caller).galleries;
  grants.grant(galleryA, w.a.orgId);
  grants.setOwner(galleryB, w.b.orgId);
});
after(() => h.close());

describe('POST /api/v1/searches', () => {
  let searchId: string;
  let faceId: string;

  it('searches for an investigator with a case and purpose, answering the CLI shape plus the record', async () => {
    const res = await search(w.a.investigator.token, {
      probe: photo('Colin_Powell', 5),
      caseNumber: 'HB-2026-001',
      purpose: 'missing-person',
      galleries: 'harbour-gallery',
      top: '3',
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.caseNumber, 'HB-2026-001');
    assert.equal(body.purpose, 'missing-person');
    assert.equal(body.decision, 'match');
    assert.ok(body.candidates.length >= 1 && body.candidates.length <= 3);
    searchId = body.searchId;
    faceId = body.candidates[0].faceId;
    assert.equal(body.candidates[0].thumbnailUrl, `/api/v1/faces/${faceId}/thumbnail`);
  });

  it('serves candidate thumbnails to the org, never cached, and to nobody else', async () => {
    const url = `/api/v1/faces/${faceId}/thumbnail`;
    const ok = await h.call({ method: 'GET', url, token: w.a.investigator.token });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['content-type'], 'image/jpeg');
    assert.equal(ok.headers['cache-control'], 'private, no-store');
    assert.deepEqual([...ok.rawPayload.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.equal((await h.call({ method: 'GET', url, token: w.a.auditor.token })).statusCode, 200);
    errorOf(await h.call({ method: 'GET', url, token: w.b.investigator.token }), 404);
    errorOf(await h.call({ method: 'GET', url, token: w.platform.token }), 403);
    errorOf(await h.call({ method: 'GET', url }), 401);
  });

  it('accepts an investigator API key, galleries as a repeated field', async () => {
    const res = await search(w.a.investigatorKey, {
      probe: photo('Tony_Blair', 2),
      caseNumber: 'HB-2026-002',
      purpose: 'fraud',
      galleries: [galleryA, 'harbour-gallery'],
    });
    assert.equal(res.statusCode, 201, res.body);
  });

  it('refuses without a case number or purpose, or with a purpose off the list (400)', async () => {
    const probe = photo('Colin_Powell', 5);
    const t = w.a.investigator.token;
    assert.match(
      errorOf(await search(t, { probe, purpose: 'fraud' }), 400).message,
      /case number is required/,
    );
    assert.match(
      errorOf(await search(t, { probe, caseNumber: ' ', purpose: 'fraud' }), 400).message,
      /case number/,
    );
    assert.match(errorOf(await search(t, { probe, caseNumber: 'X-1' }), 400).message, /purpose is required/);
    assert.match(
      errorOf(await search(t, { probe, caseNumber: 'X-1', purpose: 'curiosity' }), 400).message,
      /unknown purpose/,
    );
    assert.match(errorOf(await search(t, { caseNumber: 'X-1', purpose: 'fraud' }), 400).message, /probe/);
  });

  it('answers 404 for another org’s gallery, 403 to roles that cannot search, 401 without credentials', async () => {
    const fields = { probe: photo('Colin_Powell', 5), caseNumber: 'X-2', purpose: 'fraud' };
    assert.equal(
      errorOf(await search(w.a.investigator.token, { ...fields, galleries: 'inland-gallery' }), 404).code,
      'NOT_FOUND',
    );
    errorOf(await search(w.a.auditor.token, fields), 403);
    errorOf(await search(w.a.admin.token, fields), 403);
    errorOf(await search(w.a.auditorKey, fields), 403);
    errorOf(await search(w.platform.token, fields), 403);
    errorOf(await search(null, fields), 401);
  });

  it('refuses JSON bodies and non-image probes with a clear 4xx', async () => {
    const json = await h.call({
      method: 'POST',
      url: '/api/v1/searches',
      token: w.a.investigator.token,
      payload: { caseNumber: 'X', purpose: 'fraud' },
    });
    assert.equal(errorOf(json, 415).code, 'UNSUPPORTED_TYPE');
    const text = await search(w.a.investigator.token, {
      probe: { filename: 'x.jpg', data: Buffer.from('not an image at all'), type: 'image/jpeg' },
      caseNumber: 'X-3',
      purpose: 'fraud',
    });
    assert.ok(text.statusCode >= 400 && text.statusCode < 500, text.body);
  });

  it('answers 429 with Retry-After when the investigator’s quota is spent', async () => {
    h.app.tenancy
      .forCaller(w.a.fixture.adminCaller)
      .quotas.setForSubject(w.a.investigator.caller.actor, { perMinute: 1, perDay: null });
    h.clock.advance(60);
    const fields = { probe: photo('Colin_Powell', 5), caseNumber: 'Q-1', purpose: 'robbery' };
    assert.equal((await search(w.a.investigator.token, fields)).statusCode, 201);
    const refused = await search(w.a.investigator.token, fields);
    assert.equal(errorOf(refused, 429).code, 'QUOTA');
    const retry = Number(refused.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 60, String(refused.headers['retry-after']));
    h.app.tenancy
      .forCaller(w.a.fixture.adminCaller)
      .quotas.setForSubject(w.a.investigator.caller.actor, null);
    h.clock.advance(60);
  });

  describe('history', () => {
    it('lists one’s own searches; the org’s for auditors and org-admins; nothing of other orgs', async () => {
      const list = (token: string, qs = '') => h.call({ method: 'GET', url: `/api/v1/searches${qs}`, token });
      const own = (await list(w.a.investigator.token)).json().items;
      assert.ok(
        own.length >= 2 && own.every((s: { actor: string }) => s.actor === w.a.investigator.caller.actor),
      );
      const key = (await list(w.a.investigatorKey)).json().items;
      assert.equal(key.length, 1, 'the API key sees its own search');
      for (const token of [w.a.auditor.token, w.a.admin.token, w.a.auditorKey]) {
        const org = (await list(token)).json().items;
        assert.equal(org.length, own.length + key.length);
      }
      assert.deepEqual((await list(w.b.investigator.token)).json().items, []);
      assert.deepEqual((await list(w.b.auditor.token)).json().items, []);
      errorOf(await list(w.platform.token), 403);
      const byCase = (await list(w.a.auditor.token, '?caseNumber=hb-2026-001')).json().items;
      assert.deepEqual(
        byCase.map((s: { searchId: string }) => s.searchId),
        [searchId],
      );
      errorOf(await list(w.a.auditor.token, '?limit=1000'), 400);
    });

    it('returns a stored result and its probe photo to the org, 404 to another org', async () => {
      const get = (url: string, token: string) => h.call({ method: 'GET', url, token });
      const stored = await get(`/api/v1/searches/${searchId}`, w.a.auditor.token);
      assert.equal(stored.statusCode, 200, stored.body);
      assert.equal(stored.json().caseNumber, 'HB-2026-001');
      assert.equal(stored.json().actor, w.a.investigator.caller.actor);
      const probe = await get(`/api/v1/searches/${searchId}/probe`, w.a.investigator.token);
      assert.equal(probe.statusCode, 200);
      assert.equal(probe.headers['content-type'], 'image/jpeg');
      assert.equal(probe.headers['cache-control'], 'private, no-store');
      assert.ok(probe.rawPayload.equals(readFileSync(lfw('Colin_Powell', 5))));
      errorOf(await get(`/api/v1/searches/${searchId}`, w.b.auditor.token), 404);
      errorOf(await get(`/api/v1/searches/${searchId}`, w.b.investigator.token), 404);
      errorOf(await get(`/api/v1/searches/${searchId}/probe`, w.b.admin.token), 404);
      errorOf(await get(`/api/v1/searches/${searchId}`, w.a.investigatorKey), 404);
      errorOf(await get(`/api/v1/searches/${searchId}`, w.platform.token), 403);
      errorOf(await get('/api/v1/searches/not-an-id', w.a.auditor.token), 400);
    });
  });
});

describe('POST /api/v1/compare', () => {
  it('compares two photos for a case and keeps both in the history', async () => {
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/compare',
      token: w.a.investigator.token,
      ...form({
        a: photo('Tony_Blair', 1),
        b: photo('Tony_Blair', 2),
        caseNumber: 'CMP-9',
        purpose: 'fraud',
      }),
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.kind, 'compare');
    assert.equal(body.match, true);
    const second = await h.call({
      method: 'GET',
      url: `/api/v1/searches/${body.searchId}/probe?photo=second`,
      token: w.a.investigator.token,
    });
    assert.ok(second.rawPayload.equals(readFileSync(lfw('Tony_Blair', 2))));
    const noCase = await h.call({
      method: 'POST',
      url: '/api/v1/compare',
      token: w.a.investigator.token,
      ...form({ a: photo('Tony_Blair', 1), b: photo('Tony_Blair', 2), purpose: 'fraud' }),
    });
    errorOf(noCase, 400);
  });
});

describe('org retention and purposes', () => {
  it('lets the org-admin set retention (audited), auditors read it, investigators neither', async () => {
    const url = '/api/v1/org/retention';
    const read = await h.call({ method: 'GET', url, token: w.a.auditor.token });
    assert.equal(read.statusCode, 200);
    assert.deepEqual([read.json().probeDays, read.json().historyDays], [30, 365]);
    const put = (token: string, payload: Record<string, unknown>) =>
      h.call({ method: 'PUT', url, token, payload });
    const set = await put(w.a.admin.token, { probeDays: 14 });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().probeDays, 14);
    assert.equal(set.json().overridden.probeDays, true);
    errorOf(await put(w.a.admin.token, { probeDays: 0 }), 400);
    errorOf(await put(w.a.admin.token, { probeDays: 500 }), 400);
    errorOf(await put(w.a.auditor.token, { probeDays: 7 }), 403);
    errorOf(await h.call({ method: 'GET', url, token: w.a.investigator.token }), 403);
    errorOf(await put(w.platform.token, { probeDays: 7 }), 403);
    const changed = h.app.audit.query({ orgId: w.a.orgId, types: ['config.changed'], limit: 1 }).entries[0];
    assert.match(changed?.details ?? '', /retention\.search\.probeDays/);
    const reset = await put(w.a.admin.token, { probeDays: null });
    assert.equal(reset.json().probeDays, 30);
  });

  it('lists the purposes to signed-in callers only', async () => {
    const res = await h.call({ method: 'GET', url: '/api/v1/purposes', token: w.a.investigator.token });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().purposes.includes('homicide'));
    errorOf(await h.call({ method: 'GET', url: '/api/v1/purposes' }), 401);
  });

  it('documents the routes in OpenAPI, the search as multipart with its required fields', async () => {
    const doc = (await h.call({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const post = doc.paths['/api/v1/searches'].post;
    const schema = post.requestBody.content['multipart/form-data'].schema;
    for (const field of ['probe', 'caseNumber', 'purpose']) assert.ok(schema.required.includes(field), field);
    for (const path of [
      '/api/v1/searches/{id}',
      '/api/v1/searches/{id}/probe',
      '/api/v1/compare',
      '/api/v1/org/retention',
    ])
      assert.ok(doc.paths[path], path);
  });
});
