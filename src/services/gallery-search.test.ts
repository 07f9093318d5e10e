import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crowd, lfw, lfwFolder } from '../testing/fixtures.js';
import { FaceLedgerApp } from './app.js';
import { GalleryService } from './gallery-service.js';
import { IdentityService } from './identity-service.js';
import { MaintenanceService } from './maintenance-service.js';
import { SearchService } from './search-service.js';

const ENROLLED = {
  Colin_Powell: [1, 2, 3, 4],
  Tony_Blair: [1, 2, 3],
  Serena_Williams: [1, 2],
  Gerhard_Schroeder: [1, 2, 3],
};

let dir: string;
let app: FaceLedgerApp;
let galleries: GalleryService;
let search: SearchService;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-gallery-'));
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  lfwFolder(photos, ENROLLED);
  writeFileSync(join(photos, 'corrupt.jpg'), readFileSync(lfw('Tony_Blair', 5)).subarray(0, 2000));
  app = FaceLedgerApp.open({ dataDir: join(dir, 'data') });
  galleries = new GalleryService(app);
  search = new SearchService(app);
  galleries.create({ name: 'test', legalBasis: 'test fixture', createdBy: 'test' });
  const job = await galleries.ingest({ gallery: 'test', source: photos, createdBy: 'test' });
  assert.equal(job.status, 'done');
});
after(() => app.close());

describe('ingest', () => {
  it('enrols every photo, and reports the corrupt one without aborting', () => {
    const [job] = galleries.jobs('test');
    assert.ok(job);
    assert.equal(job.imagesEnrolled, 12);
    assert.ok(job.facesEnrolled >= 12);
    assert.equal(job.errors, 1);
    const report = galleries.job(job.id);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0]?.location ?? '', /corrupt\.jpg$/);
    assert.equal(report.problems[0]?.errorCode, 'BAD_IMAGE');
  });

  it('treats a re-run and a renamed copy as duplicates: nothing enrolled twice', async () => {
    const before = galleries.list()[0];
    const again = join(dir, 'again');
    mkdirSync(again);
    copyFileSync(lfw('Colin_Powell', 1), join(again, 'renamed.jpg'));
    const job = await galleries.ingest({ gallery: 'test', source: again, createdBy: 'test' });
    assert.equal(job.duplicates, 1);
    assert.equal(job.facesEnrolled, 0);
    const after = galleries.list()[0];
    assert.equal(after?.faces, before?.faces);
    assert.equal(after?.images, before?.images);
  });

  it('rejects a gallery without a legal basis', () => {
    assert.throws(() => galleries.create({ name: 'x', legalBasis: '  ', createdBy: 't' }), /legal basis/);
  });
});

describe('search', () => {
  it('finds an enrolled person from a photo not in the gallery, at rank 1 with high confidence', async () => {
    const r = await search.search({ probe: { path: lfw('Colin_Powell', 5) }, galleries: ['test'] });
    assert.equal(r.decision, 'match');
    const first = r.candidates[0];
    assert.ok(first);
    assert.match(first.location, /Colin_Powell_000[1-4]\.jpg$/);
    assert.equal(first.confidence, 'high');
    assert.equal(first.rank, 1);
    assert.deepEqual(r.thresholds, { high: r.thresholds.high, possible: r.thresholds.possible });
    assert.ok(r.thresholds.high > r.thresholds.possible);
  });

  it('says no confident match for a person who is not enrolled', async () => {
    const r = await search.search({ probe: { path: lfw('George_W_Bush', 1) }, galleries: ['test'] });
    assert.equal(r.decision, 'no_confident_match');
    for (const c of r.candidates) assert.notEqual(c.confidence, 'high');
    assert.ok(r.candidates.every((c) => c.similarity < r.thresholds.possible));
  });

  it('lists every probe face, searches with the largest by default, or with the one chosen', async () => {
    const probe = { path: crowd(18) };
    const r = await search.search({ probe });
    assert.ok(r.probe.faces.length >= 3);
    const areas = r.probe.faces.map((f) => f.box[2] * f.box[3]);
    assert.equal(r.probe.selected, areas.indexOf(Math.max(...areas)));
    const other = r.probe.selected === 0 ? 1 : 0;
    const chosen = await search.search({ probe, face: other });
    assert.equal(chosen.probe.selected, other);
    await assert.rejects(search.search({ probe, face: 99 }), /choose a face from 0/);
  });

  it('rejects a probe without a face', async () => {
    const blank = join(dir, 'blank.png');
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 120, height: 120, channels: 3, background: '#999' } })
      .png()
      .toFile(blank);
    await assert.rejects(
      search.search({ probe: { path: blank } }),
      (e: Error & { code?: string }) => e.code === 'NO_FACE',
    );
  });

  it('shows one candidate per identity once identities are built', async () => {
    const built = await new IdentityService(app).build('test');
    assert.ok(built.identities >= 4 && built.identities <= built.faces);
    const r = await search.search({ probe: { path: lfw('Colin_Powell', 5) }, galleries: ['test'], top: 10 });
    const ids = r.candidates.map((c) => c.identity?.id).filter(Boolean);
    assert.equal(new Set(ids).size, ids.length, 'an identity appears once');
    assert.ok((r.candidates[0]?.identity?.faces ?? 0) >= 2, 'the top identity groups several Powell photos');
  });

  it('stops returning a face the moment it is erased', async () => {
    const r1 = await search.search({ probe: { path: lfw('Serena_Williams', 3) }, galleries: ['test'] });
    const top = r1.candidates[0];
    assert.ok(top);
    galleries.deleteImage(top.imageId);
    const r2 = await search.search({ probe: { path: lfw('Serena_Williams', 3) }, galleries: ['test'] });
    assert.ok(!r2.candidates.some((c) => c.imageId === top.imageId));
    assert.equal(new MaintenanceService(app).doctor().ok, true);
  });
});

describe('doctor', () => {
  it('detects an index that disagrees with the database, and rebuild repairs it', () => {
    const maintenance = new MaintenanceService(app);
    assert.equal(maintenance.doctor().ok, true);
    // Make the database hold a face the saved index has never seen, below the replay watermark.
    const gallery = galleries.get('test');
    const row = app.store.db
      .prepare('SELECT * FROM faces WHERE gallery_id = ? LIMIT 1')
      .get(gallery.id) as Record<string, unknown>;
    app.store.db
      .prepare(
        `INSERT INTO faces (id, image_id, gallery_id, face_index, box, landmarks, score, quality, embedding)
         VALUES ('ghost', @image_id, @gallery_id, 99, @box, @landmarks, @score, @quality, @embedding)`,
      )
      .run(row);
    app.store.setIndexWatermark(gallery.id, 1e12, new Date().toISOString());
    const report = maintenance.doctor();
    assert.equal(report.ok, false);
    assert.equal(report.galleries[0]?.missing.length, 1);
    maintenance.rebuildIndex('test');
    assert.equal(maintenance.doctor().ok, true);
  });
});

describe('manifest ingest', () => {
  it('finishes with the bad rows reported and the good rows enrolled with provenance', async () => {
    const m = join(dir, 'manifest');
    mkdirSync(m);
    copyFileSync(lfw('Hugh_Grant', 1), join(m, 'grant.jpg'));
    writeFileSync(join(m, 'broken.jpg'), 'definitely not a jpeg');
    const csv = [
      'path,url,subject_id,source,case_ref',
      'grant.jpg,,HG-1,https://example.org/hugh,A1',
      'missing.jpg,,X-1,,A2',
      ',not a url,X-2,,A3',
      'broken.jpg,,X-3,,A4',
      ',http://127.0.0.1:9/private.jpg,X-4,,A5',
    ].join('\n');
    writeFileSync(join(m, 'manifest.csv'), csv);
    galleries.create({ name: 'manifest', legalBasis: 'test fixture', createdBy: 'test' });
    const job = await galleries.ingest({
      gallery: 'manifest',
      source: join(m, 'manifest.csv'),
      createdBy: 'test',
    });
    assert.equal(job.status, 'done');
    assert.equal(job.imagesEnrolled, 1);
    assert.equal(job.itemsDone, 5);
    const problems = galleries.job(job.id).problems;
    assert.equal(problems.length, 4);
    const codes = Object.fromEntries(problems.map((p) => [p.itemKey, p.errorCode]));
    assert.equal(codes['row:2'], 'NOT_FOUND');
    assert.equal(codes['row:3'], 'BAD_INPUT');
    assert.ok(['BAD_IMAGE', 'UNSUPPORTED_TYPE'].includes(codes['row:4'] ?? ''));
    assert.ok(codes['row:5'], 'the private address is refused');
    const r = await search.search({ probe: { path: lfw('Hugh_Grant', 2) }, galleries: ['manifest'] });
    assert.equal(r.candidates[0]?.subjectId, 'HG-1');
    assert.equal(r.candidates[0]?.source, 'https://example.org/hugh');
  });
});
