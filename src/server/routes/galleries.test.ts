/**
 * Gallery routes over real HTTP with the real models: an org-admin creates a gallery, uploads a zip of
 * LFW photos, follows the background job to the end, and browses what was enrolled; bad uploads are
 * refused with a clear 4xx before any job exists; other orgs and the platform see none of it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ingestRunnerFor } from '../../services/ingest-uploads/ingest-runner.js';
import { auditOf } from '../../tenancy/test-fixtures.js';
import { lfw } from '../../testing/fixtures.js';
import { storedZip } from '../../testing/stored-zip.js';
import { type Harness, makeWorld, startHarness, type World } from '../test-harness.js';
import { type FormFile, multipartBody } from '../test-multipart.js';

const MAX_ARCHIVE = 4 * 1024 * 1024;
const PEOPLE: [string, number][] = [
  ['Colin_Powell', 1],
  ['Colin_Powell', 2],
  ['Tony_Blair', 1],
  ['Tony_Blair', 2],
  ['Serena_Williams', 1],
  ['Gerhard_Schroeder', 1],
];

let h: Harness;
let w: World;
let archive: Buffer;
let galleryId: string;

before(async () => {
  h = await startHarness({ config: { maxArchiveBytes: MAX_ARCHIVE } });
  w = await makeWorld(h);
  archive = storedZip([
    ...PEOPLE.map(([name, i]) => ({ name: `photos/${name}_${i}.jpg`, data: readFileSync(lfw(name, i)) })),
    { name: 'photos/broken.jpg', data: readFileSync(lfw('Tony_Blair', 5)).subarray(0, 2000) },
  ]);
});
after(async () => {
  await ingestRunnerFor(h.app).drain();
  await h.close();
});

type Res = { statusCode: number; body: string; headers: Record<string, unknown>; json: () => unknown };

function call(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  token: string | null,
  payload?: object,
) {
  return h.call({ method, url, token, ...(payload ? { payload } : {}) }) as Promise<Res>;
}

function upload(token: string | null, id: string, files: Record<string, FormFile | string>) {
  return h.call({
    method: 'POST',
    url: `/api/v1/galleries/${id}/ingest`,
    token,
    ...multipartBody(files),
  }) as Promise<Res>;
}

function ok<T = Record<string, unknown>>(res: Res, status = 200): T {
  assert.equal(res.statusCode, status, res.body);
  return res.json() as T;
}

function refused(res: Res, status: number, code?: string): { code: string; message: string } {
  assert.equal(res.statusCode, status, res.body);
  assert.doesNotMatch(res.body, /\bat .+\.js:\d+/, 'no stack trace');
  const { error } = res.json() as { error: { code: string; message: string } };
  if (code) assert.equal(error.code, code);
  return error;
}

interface Job {
  id: string;
  galleryId: string;
  status: string;
  sourceKind: string;
  upload: string;
  failure: string | null;
  progress: {
    itemsDone: number;
    itemsTotal: number | null;
    imagesPerSecond: number | null;
    imagesEnrolled: number;
    facesEnrolled: number;
    duplicates: number;
    noFace: number;
    errors: number;
    suppressed: number;
  };
  problems: { itemKey: string; location: string; outcome: string; errorCode: string | null }[];
}

async function finished(jobId: string, token = w.a.admin.token): Promise<Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = ok<Job>(await call('GET', `/api/v1/jobs/${jobId}`, token));
    if (job.status !== 'running') return job;
    assert.ok(Date.now() < deadline, `job ${jobId} still running after 60 s`);
    await sleep(50);
  }
}

/**
 * Uploads still on disk once every job has wound up (a job reads done just before its file goes):
 * saved for ingest, or left half-written where they arrive.
 */
async function uploadsLeft(): Promise<string[]> {
  await ingestRunnerFor(h.app).drain();
  return ['uploads', 'incoming'].flatMap((name) => {
    const dir = join(h.app.dataDir, name);
    return existsSync(dir) ? readdirSync(dir).map((entry) => `${name}/${entry}`) : [];
  });
}

describe('galleries', () => {
  it('lets an org-admin create a gallery owned by the org; members see it, other orgs and the platform do not', async () => {
    const created = ok<{ id: string; relation: string; images: number; name: string }>(
      await call('POST', '/api/v1/galleries', w.a.admin.token, {
        name: 'Harbour persons of interest',
        legalBasis: 'Police Act s.12, warrant 2026/44',
        retentionDays: 365,
      }),
      201,
    );
    galleryId = created.id;
    assert.deepEqual([created.relation, created.images], ['owned', 0]);
    const owners = auditOf(h.env, 'config.changed', w.a.orgId).flatMap((e) =>
      (e.details.changes as { key: string }[]).map((c) => c.key),
    );
    assert.ok(owners.includes(`gallery.${galleryId}.owner`));

    for (const token of [w.a.investigator.token, w.a.auditor.token, w.a.investigatorKey]) {
      const list = ok<{ galleries: { id: string }[] }>(await call('GET', '/api/v1/galleries', token));
      assert.deepEqual(
        list.galleries.map((g) => g.id),
        [galleryId],
      );
    }
    for (const token of [w.b.admin.token, w.b.investigator.token, w.platform.token]) {
      const list = ok<{ galleries: { id: string }[] }>(await call('GET', '/api/v1/galleries', token));
      assert.ok(!list.galleries.some((g) => g.id === galleryId));
      refused(await call('GET', `/api/v1/galleries/${galleryId}`, token), 404, 'NOT_FOUND');
    }
    refused(await call('GET', '/api/v1/galleries', null), 401, 'UNAUTHENTICATED');
    refused(
      await call('POST', '/api/v1/galleries', w.a.investigator.token, { name: 'x', legalBasis: 'y' }),
      403,
      'FORBIDDEN',
    );
    // Names are unique per owner: org B may use the name too, and learns nothing about org A from it.
    const twin = await call('POST', '/api/v1/galleries', w.b.admin.token, {
      name: 'Harbour persons of interest',
      legalBasis: 'y',
    });
    assert.equal(twin.statusCode, 201, twin.body);
    assert.notEqual((twin.json() as { id: string }).id, galleryId);
    refused(
      await call('POST', '/api/v1/galleries', w.a.admin.token, {
        name: 'Harbour persons of interest',
        legalBasis: 'y',
      }),
      409,
      'CONFLICT',
    );
    refused(
      await call('POST', '/api/v1/galleries', w.b.admin.token, { name: galleryId, legalBasis: 'y' }),
      400,
      'BAD_INPUT',
    );
  });

  it('lets the owning org-admin change the retention, audited; nobody else', async () => {
    const changed = ok<{ retentionDays: number | null }>(
      await call('PATCH', `/api/v1/galleries/${galleryId}`, w.a.admin.token, { retentionDays: 730 }),
    );
    assert.equal(changed.retentionDays, 730);
    assert.equal(h.app.store.galleries.findById(galleryId)?.retentionDays, 730);
    const change = auditOf(h.env, 'config.changed', w.a.orgId)
      .flatMap((e) => e.details.changes as { key: string; from?: string | null; to?: string | null }[])
      .find((c) => c.key === `gallery.${galleryId}.retentionDays`);
    assert.deepEqual(change, { key: `gallery.${galleryId}.retentionDays`, from: '365', to: '730' });
    refused(
      await call('PATCH', `/api/v1/galleries/${galleryId}`, w.a.investigator.token, { retentionDays: 1 }),
      403,
      'FORBIDDEN',
    );
    refused(
      await call('PATCH', `/api/v1/galleries/${galleryId}`, w.b.admin.token, { retentionDays: 1 }),
      404,
    );
    refused(
      await call('PATCH', `/api/v1/galleries/${galleryId}`, w.a.admin.token, { retentionDays: 0 }),
      400,
    );
    const kept = ok<{ retentionDays: number | null }>(
      await call('PATCH', `/api/v1/galleries/${galleryId}`, w.a.admin.token, { retentionDays: 365 }),
    );
    assert.equal(kept.retentionDays, 365, 'and back, for the tests that follow');
  });

  it('ingests an uploaded zip in the background: 202 with a job that reaches done with every count', async () => {
    const res = await upload(w.a.admin.token, galleryId, {
      archive: { filename: 'harbour-2026.zip', data: archive, contentType: 'application/zip' },
    });
    const accepted = ok<{ job: Job }>(res, 202).job;
    assert.equal(res.headers.location, `/api/v1/jobs/${accepted.id}`);
    assert.deepEqual(
      [accepted.galleryId, accepted.sourceKind, accepted.upload],
      [galleryId, 'zip', 'harbour-2026.zip'],
    );

    const job = await finished(accepted.id);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.failure, null);
    const p = job.progress;
    assert.equal(p.itemsDone, 7);
    assert.equal(p.itemsTotal, 7);
    assert.equal(p.imagesEnrolled, 6);
    assert.equal(p.errors, 1);
    assert.deepEqual([p.duplicates, p.noFace, p.suppressed], [0, 0, 0]);
    // One subject per portrait; a turned bystander behind one of them is left out by the quality filter.
    assert.equal(p.facesEnrolled, 6);
    assert.ok(p.imagesPerSecond !== null && p.imagesPerSecond > 0);
    assert.deepEqual(
      job.problems.map((x) => [x.location, x.outcome, x.errorCode]),
      [['photos/broken.jpg', 'error', 'BAD_IMAGE']],
    );

    const gallery = ok<{ images: number; faces: number }>(
      await call('GET', `/api/v1/galleries/${galleryId}`, w.a.admin.token),
    );
    assert.deepEqual([gallery.images, gallery.faces], [6, p.facesEnrolled]);
    const jobs = ok<{ jobs: { id: string }[] }>(
      await call('GET', `/api/v1/galleries/${galleryId}/jobs`, w.a.admin.token),
    );
    assert.deepEqual(
      jobs.jobs.map((j) => j.id),
      [job.id],
    );

    const phases = auditOf(h.env, 'ingest.run', w.a.orgId).filter((e) => e.details.jobId === job.id);
    assert.deepEqual(
      phases.map((e) => [e.details.phase, e.actor]),
      [
        ['started', `user:${w.a.admin.userId}`],
        ['finished', `user:${w.a.admin.userId}`],
      ],
    );
    assert.equal(phases[1]?.details.facesEnrolled, p.facesEnrolled);
    const metrics = (await call('GET', '/metrics', null)).body;
    assert.match(metrics, /^faceledger_ingest_images_total 6$/m);
    assert.match(metrics, new RegExp(`^faceledger_ingest_faces_total ${p.facesEnrolled}$`, 'm'));
    assert.deepEqual(await uploadsLeft(), [], 'the upload is deleted once ingested');
  });

  it('pages through the enrolled images with subject faces and thumbnail URLs', async () => {
    const seen: {
      id: string;
      faceCount: number;
      faces: { id: string; thumbnailUrl: string }[];
      location: string;
    }[] = [];
    for (let offset = 0; ; offset += 4) {
      const page = ok<{ total: number; images: typeof seen }>(
        await call('GET', `/api/v1/galleries/${galleryId}/images?limit=4&offset=${offset}`, w.a.admin.token),
      );
      assert.equal(page.total, 6);
      seen.push(...page.images);
      if (page.images.length < 4) break;
    }
    assert.equal(seen.length, 6);
    assert.deepEqual(
      seen.map((i) => i.location).sort(),
      PEOPLE.map(([name, i]) => `photos/${name}_${i}.jpg`).sort(),
    );
    const gallery = ok<{ faces: number }>(
      await call('GET', `/api/v1/galleries/${galleryId}`, w.a.admin.token),
    );
    assert.equal(
      seen.reduce((n, i) => n + i.faceCount, 0),
      gallery.faces,
    );
    for (const image of seen) {
      assert.ok(image.faceCount >= 1);
      for (const face of image.faces) assert.equal(face.thumbnailUrl, `/api/v1/faces/${face.id}/thumbnail`);
    }
    refused(
      await call('GET', `/api/v1/galleries/${galleryId}/images?limit=0`, w.a.admin.token),
      400,
      'BAD_INPUT',
    );
    const identities = ok<{ total: number; identities: unknown[] }>(
      await call('GET', `/api/v1/galleries/${galleryId}/identities`, w.a.admin.token),
    );
    assert.deepEqual([identities.total, identities.identities], [0, []]);
  });

  it('groups the faces into identities for the owning org-admin: one per person', async () => {
    refused(await call('POST', `/api/v1/galleries/${galleryId}/identities`, w.a.investigator.token), 403);
    refused(await call('POST', `/api/v1/galleries/${galleryId}/identities`, w.b.admin.token), 404);
    const built = ok<{ faces: number; identities: number; suppressed: number }>(
      await call('POST', `/api/v1/galleries/${galleryId}/identities`, w.a.admin.token),
    );
    const people = new Set(PEOPLE.map(([name]) => name)).size;
    assert.equal(built.suppressed, 0);
    assert.ok(built.faces >= PEOPLE.length, `${built.faces} faces`);
    const page = ok<{ total: number; identities: { subjectId: string | null; faceCount: number }[] }>(
      await call('GET', `/api/v1/galleries/${galleryId}/identities?limit=50`, w.a.admin.token),
    );
    assert.equal(page.total, built.identities);
    // The two photos of each person with two are grouped together (the largest identities).
    const pairs = page.identities.filter((i) => i.faceCount >= 2);
    assert.ok(pairs.length >= PEOPLE.length - people, `${pairs.length} identities with 2+ faces`);
    assert.equal(
      page.identities.reduce((n, i) => n + i.faceCount, 0),
      built.faces,
      'every face in exactly one identity',
    );
  });

  it('counts a second upload of the same photos as duplicates and enrols nothing twice', async () => {
    const accepted = ok<{ job: Job }>(
      await upload(w.a.admin.token, galleryId, { archive: { filename: 'again.zip', data: archive } }),
      202,
    ).job;
    const job = await finished(accepted.id);
    assert.equal(job.status, 'done');
    assert.deepEqual(
      [job.progress.duplicates, job.progress.imagesEnrolled, job.progress.facesEnrolled, job.progress.errors],
      [6, 0, 0, 1],
    );
  });

  it('refuses what is no archive or manifest with a clear 4xx, before any job exists', async () => {
    const jobsBefore = ok<{ jobs: unknown[] }>(
      await call('GET', `/api/v1/galleries/${galleryId}/jobs`, w.a.admin.token),
    ).jobs.length;
    const photo = readFileSync(lfw('Tony_Blair', 3));
    const single = refused(
      await upload(w.a.admin.token, galleryId, { archive: { filename: 'blair.jpg', data: photo } }),
      415,
      'UNSUPPORTED_TYPE',
    );
    assert.match(single.message, /single image/);
    const text = refused(
      await upload(w.a.admin.token, galleryId, {
        archive: { filename: 'notes.txt', data: Buffer.from('hello') },
      }),
      415,
    );
    assert.match(text.message, /archive/);
    refused(
      await upload(w.a.admin.token, galleryId, {
        archive: { filename: 'fake.zip', data: Buffer.from('not a zip at all') },
      }),
      415,
      'UNSUPPORTED_TYPE',
    );
    const truncated = refused(
      await upload(w.a.admin.token, galleryId, {
        archive: { filename: 'cut.zip', data: archive.subarray(0, 5000) },
      }),
      400,
      'BAD_INPUT',
    );
    assert.doesNotMatch(truncated.message, /uploads|\/tmp\//, 'no server path in the message');
    refused(
      await upload(w.a.admin.token, galleryId, { manifest: { filename: 'photos.zip', data: archive } }),
      415,
      'UNSUPPORTED_TYPE',
    );
    refused(await upload(w.a.admin.token, galleryId, {}), 400, 'BAD_INPUT');
    refused(
      await upload(w.a.admin.token, galleryId, {
        archive: { filename: 'a.zip', data: archive },
        manifest: { filename: 'm.csv', data: Buffer.from('url\nhttps://example.org/a.jpg\n') },
      }),
      400,
      'BAD_INPUT',
    );
    refused(
      await call('POST', `/api/v1/galleries/${galleryId}/ingest`, w.a.admin.token, { archive: 'x' }),
      415,
    );
    refused(
      await upload(w.a.admin.token, galleryId, {
        archive: { filename: 'big.zip', data: Buffer.concat([archive, Buffer.alloc(MAX_ARCHIVE)]) },
      }),
      413,
      'TOO_LARGE',
    );
    const jobsAfter = ok<{ jobs: unknown[] }>(
      await call('GET', `/api/v1/galleries/${galleryId}/jobs`, w.a.admin.token),
    ).jobs.length;
    assert.equal(jobsAfter, jobsBefore);
    assert.deepEqual(await uploadsLeft(), []);
  });

  it('takes manifests of image URLs only: a path column (a file on the server) is refused', async () => {
    const secret = lfw('Hugh_Grant', 1);
    const paths = refused(
      await upload(w.a.admin.token, galleryId, {
        manifest: { filename: 'm.csv', data: Buffer.from(`path,subject_id\n${secret},HG-1\n`) },
      }),
      400,
      'BAD_INPUT',
    );
    assert.match(paths.message, /url/);
    refused(
      await upload(w.a.admin.token, galleryId, {
        manifest: {
          filename: 'm.jsonl',
          data: Buffer.from(`{"url":"https://example.org/a.jpg"}\n{" Path ":${JSON.stringify(secret)}}\n`),
        },
      }),
      400,
      'BAD_INPUT',
    );

    // A URL the SSRF guard refuses fails that row only, and the job says why.
    const accepted = ok<{ job: Job }>(
      await upload(w.a.admin.token, galleryId, {
        manifest: {
          filename: 'urls.csv',
          data: Buffer.from('url,subject_id\nhttp://127.0.0.1:9/private.jpg,S-1\n'),
        },
      }),
      202,
    ).job;
    assert.equal(accepted.sourceKind, 'csv');
    const job = await finished(accepted.id);
    assert.equal(job.status, 'done');
    assert.deepEqual([job.progress.itemsDone, job.progress.errors, job.progress.imagesEnrolled], [1, 1, 0]);
    assert.equal(job.problems[0]?.location, 'http://127.0.0.1:9/private.jpg');
  });

  it("keeps other orgs, the platform and non-admins out of a gallery's images, jobs and ingest", async () => {
    const { id: jobId } = ok<{ jobs: { id: string }[] }>(
      await call('GET', `/api/v1/galleries/${galleryId}/jobs`, w.a.admin.token),
    ).jobs[0] as { id: string };
    const zip = { archive: { filename: 'x.zip', data: archive } };
    for (const token of [w.b.admin.token, w.platform.token]) {
      refused(await upload(token, galleryId, zip), 404, 'NOT_FOUND');
      refused(await call('GET', `/api/v1/jobs/${jobId}`, token), 404, 'NOT_FOUND');
      refused(await call('GET', `/api/v1/galleries/${galleryId}/jobs`, token), 404);
      refused(await call('GET', `/api/v1/galleries/${galleryId}/images`, token), 404);
      refused(await call('GET', `/api/v1/galleries/${galleryId}/identities`, token), 404);
    }
    for (const token of [w.a.investigator.token, w.a.auditor.token, w.a.investigatorKey]) {
      refused(await upload(token, galleryId, zip), 403, 'FORBIDDEN');
      refused(await call('GET', `/api/v1/jobs/${jobId}`, token), 403);
      refused(await call('GET', `/api/v1/galleries/${galleryId}/images`, token), 403);
    }
    refused(await upload(null, galleryId, zip), 401, 'UNAUTHENTICATED');
    refused(await call('GET', `/api/v1/jobs/${jobId}`, null), 401);

    // Shared with org A for searching: A sees it, but only the platform (its owner) ingests into it.
    const shared = ok<{ id: string }>(
      await call('POST', '/api/v1/galleries', w.platform.token, {
        name: 'Platform watchlist',
        legalBasis: 'statute',
      }),
      201,
    );
    ok(await call('POST', `/api/v1/galleries/${shared.id}/grants/${w.a.orgId}`, w.platform.token));
    const seen = ok<{ relation: string }>(
      await call('GET', `/api/v1/galleries/${shared.id}`, w.a.investigator.token),
    );
    assert.equal(seen.relation, 'granted');
    refused(await upload(w.a.admin.token, shared.id, zip), 403, 'FORBIDDEN');
    refused(await call('GET', `/api/v1/galleries/${shared.id}/images`, w.a.admin.token), 403);
    refused(await call('GET', `/api/v1/galleries/${shared.id}`, w.b.investigator.token), 404);
    assert.deepEqual(await uploadsLeft(), []);
  });

  it('lets a platform-admin hand a platform gallery over to an org, once its shares are revoked', async () => {
    const created = await call('POST', '/api/v1/galleries', w.platform.token, {
      name: 'Built for Harbour',
      legalBasis: 'contract with Harbour Police',
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = created.json() as { id: string };
    const handOver = (token: string) =>
      call('PUT', `/api/v1/galleries/${id}/owner`, token, { orgId: w.a.orgId });
    assert.equal(
      (await call('POST', `/api/v1/galleries/${id}/grants/${w.b.orgId}`, w.platform.token)).statusCode,
      200,
    );
    refused(await handOver(w.platform.token), 409, 'CONFLICT');
    refused(await handOver(w.a.admin.token), 403, 'FORBIDDEN');
    assert.equal(
      (await call('DELETE', `/api/v1/galleries/${id}/grants/${w.b.orgId}`, w.platform.token)).statusCode,
      204,
    );

    const done = await handOver(w.platform.token);
    assert.equal(done.statusCode, 200, done.body);
    const mine = ok<{ relation: string }>(await call('GET', `/api/v1/galleries/${id}`, w.a.admin.token));
    assert.equal(mine.relation, 'owned', 'org A now owns and manages it');
    refused(await call('GET', `/api/v1/galleries/${id}`, w.platform.token), 404, 'NOT_FOUND');
    refused(await handOver(w.platform.token), 404, 'NOT_FOUND');
    const owner = auditOf(h.env, 'config.changed', w.a.orgId).flatMap(
      (e) => e.details.changes as { key: string; to?: string | null }[],
    );
    assert.ok(
      owner.some((c) => c.key === `gallery.${id}.owner` && c.to === w.a.orgId),
      'audited in A’s chain',
    );
  });
});
