import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FaceLedgerError } from '../core/errors.js';
import { runIngest } from '../gallery/ingest/ingest-job.js';
import { DEFAULT_QUALITY_FILTER } from '../gallery/ingest/quality-filter.js';
import { openSource } from '../gallery/sources/open-source.js';
import { embeddingToBlob } from '../gallery/store/faces-repo.js';
import { ManualClock } from '../tenancy/test-fixtures.js';
import { crowd, lfw, lfwFolder } from '../testing/fixtures.js';
import { FaceLedgerApp } from './app.js';
import { GalleryService } from './gallery-service.js';
import { MaintenanceService } from './maintenance-service.js';
import { OptOutService } from './opt-out-service.js';
import { RetentionService } from './retention-service.js';
import { SearchService } from './search-service.js';

let dir: string;
let app: FaceLedgerApp;
let galleries: GalleryService;
let search: SearchService;
let optOut: OptOutService;
let code: string;
const selfie = readFileSync(lfw('Colin_Powell', 5));

const powell = /Colin_Powell_\d+\.jpg$/;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-optout-'));
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  lfwFolder(photos, { Colin_Powell: [1, 2, 3, 4], Tony_Blair: [1, 2, 3], Gerhard_Schroeder: [1, 2] });
  app = FaceLedgerApp.open({ dataDir: join(dir, 'data'), workers: 1 });
  galleries = new GalleryService(app);
  search = new SearchService(app);
  optOut = new OptOutService(app);
  galleries.create({ name: 'g', legalBasis: 'test fixture', createdBy: 'cli:test' });
  const job = await galleries.ingest({ gallery: 'g', source: photos, createdBy: 'cli:test' });
  assert.equal(job.imagesEnrolled, 9);
});
after(() => app.close());

/** Every regular file under a folder (the database, its WAL and SHM, index files, keys). */
function files(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((f) => join(root, f))
    .filter((f) => statSync(f).isFile());
}

function filesHolding(needle: Buffer): string[] {
  return [...files(app.dataDir), ...files(app.keyDir)].filter((f) => readFileSync(f).includes(needle));
}

describe('opt-out', () => {
  it('erases the enrolled person so search no longer returns them, while others still are', async () => {
    const beforeOptOut = await search.search({ probe: { path: lfw('Colin_Powell', 6) }, galleries: ['g'] });
    assert.match(beforeOptOut.candidates[0]?.location ?? '', powell, 'found before the opt-out');

    const receipt = await optOut.submit({ selfie, via: 'cli', actor: 'cli:test' });
    code = receipt.confirmationCode;
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
    assert.deepEqual(receipt.removed, { galleries: 1, images: 4, faces: 4 });

    const afterOptOut = await search.search({ probe: { path: lfw('Colin_Powell', 6) }, galleries: ['g'] });
    assert.ok(!afterOptOut.candidates.some((c) => powell.test(c.location)), 'no Powell face comes back');
    const blair = await search.search({ probe: { path: lfw('Tony_Blair', 4) }, galleries: ['g'] });
    assert.match(blair.candidates[0]?.location ?? '', /Tony_Blair_\d+\.jpg$/);
    assert.equal(blair.candidates[0]?.confidence, 'high');
    assert.equal(galleries.list()[0]?.faces, 5, 'only Blair and Schroeder are left');
    assert.equal(new MaintenanceService(app).doctor().ok, true, 'index and database agree');
  });

  it('audits the request and the erasure as counts, without biometric data', () => {
    const entries = app.audit.query({ types: ['erasure'], order: 'asc', limit: 100 }).entries;
    assert.equal(entries.length, 2);
    const [received, erased] = entries.map((e) => JSON.parse(e.details) as Record<string, unknown>);
    assert.equal(received?.scope, 'subject');
    assert.equal(received?.facesRemoved, 0);
    assert.equal(erased?.requestRef, received?.requestRef);
    assert.equal(erased?.facesRemoved, 4);
    assert.equal(erased?.imagesRemoved, 4);
    assert.equal(erased?.galleryId, galleries.get('g').id);
    assert.deepEqual(Object.keys(erased ?? {}).sort(), [
      'facesRemoved',
      'galleryId',
      'imagesRemoved',
      'reason',
      'requestRef',
      'scope',
    ]);
    assert.ok(entries.every((e) => e.actor === 'cli:test'));
    assert.equal(app.audit.verify().ok, true);
  });

  it('does not enrol the person at a later ingest, and counts their faces as suppressed', async () => {
    const more = join(dir, 'more');
    mkdirSync(more);
    lfwFolder(more, { Colin_Powell: [7, 8], Tony_Blair: [5] });
    const job = await galleries.ingest({ gallery: 'g', source: more, createdBy: 'cli:test' });
    assert.equal(job.facesFiltered.suppressed, 2);
    assert.equal(job.imagesEnrolled, 1, 'Blair is enrolled');
    assert.equal(job.noFace, 2);
    const report = galleries.job(job.id);
    assert.equal(report.problems.length, 2);
    for (const p of report.problems) {
      assert.match(p.location, powell);
      assert.match(p.errorMessage ?? '', /suppressed by opt-out/);
    }
    const r = await search.search({ probe: { path: lfw('Colin_Powell', 6) }, galleries: ['g'] });
    assert.ok(!r.candidates.some((c) => powell.test(c.location)));
  });

  it('drops at search a matching face that got past the sweep and ingest', async () => {
    // An ingest that does not consult the list (say, an older process) slips a Powell face in.
    const sneaky = join(dir, 'sneaky');
    mkdirSync(sneaky);
    lfwFolder(sneaky, { Colin_Powell: [9] });
    const job = await runIngest(
      { store: app.store, indexes: app.indexes, pool: await app.pool(), clock: app.clock },
      {
        gallery: galleries.get('g'),
        source: await openSource(sneaky),
        createdBy: 'cli:test',
        quality: DEFAULT_QUALITY_FILTER,
      },
    );
    assert.equal(job.imagesEnrolled, 1, 'the photo is in the gallery and its faces in the index');
    const r = await search.search({ probe: { path: lfw('Colin_Powell', 11) }, galleries: ['g'] });
    assert.ok(!r.candidates.some((c) => powell.test(c.location)), 'yet search never returns it');
  });

  it('keeps only the sealed template: neither the selfie nor the raw template is anywhere on disk', async () => {
    const pool = await app.pool();
    const analysis = await pool.analyzeBytes(selfie, { embed: 'all' });
    const template = analysis.faces[0]?.embedding;
    assert.ok(template);
    app.store.db.pragma('wal_checkpoint(PASSIVE)');
    for (const start of [0, 1000, selfie.length - 64]) {
      assert.deepEqual(filesHolding(selfie.subarray(start, start + 64)), [], `selfie bytes at ${start}`);
    }
    assert.deepEqual(filesHolding(embeddingToBlob(template).subarray(0, 32)), [], 'raw template');
    assert.deepEqual(filesHolding(Buffer.from(code)), [], 'confirmation code');
    // The control: a raw embedding of an enrolled face is on disk, so the scan does see such bytes.
    const enrolled = app.store.db.prepare('SELECT embedding FROM faces LIMIT 1').get() as {
      embedding: Buffer;
    };
    assert.ok(filesHolding(enrolled.embedding.subarray(0, 32)).length > 0);
  });

  it('answers a status lookup by confirmation code, in any case and spacing', () => {
    const status = optOut.status(code.toLowerCase().replace(/-/g, ' '));
    assert.equal(status.active, true);
    assert.ok(status.submittedAt);
    assert.throws(
      () => optOut.status('00000-00000-00000-00000'),
      (e: Error & { code?: string }) => e.code === 'NOT_FOUND',
    );
  });

  it('asks for a photo with exactly one face', async () => {
    const sharp = (await import('sharp')).default;
    const blank = await sharp({ create: { width: 160, height: 160, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    await assert.rejects(optOut.submit({ selfie: blank, via: 'public' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'NO_FACE');
      assert.match(e.message, /exactly one face/);
      return true;
    });
    await assert.rejects(
      optOut.submit({ selfie: readFileSync(crowd(18)), via: 'public' }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'BAD_INPUT');
        assert.match(e.message, /exactly one face/);
        return true;
      },
    );
    await assert.rejects(
      optOut.submit({ selfie: Buffer.from('not an image'), via: 'public' }),
      (e: Error & { code?: string }) => e.code === 'BAD_IMAGE' || e.code === 'UNSUPPORTED_TYPE',
    );
    const rows = app.store.db.prepare('SELECT COUNT(*) AS n FROM opt_outs').get() as { n: number };
    assert.equal(rows.n, 1, 'nothing stored for a refused photo');
  });
});

describe('a public opt-out (identity unchecked)', () => {
  let heldDir: string;
  let held: FaceLedgerApp;
  let clock: ManualClock;
  let service: OptOutService;

  const powellFaces = () =>
    (
      held.store.db
        .prepare('SELECT i.location FROM faces f JOIN images i ON i.id = f.image_id')
        .pluck()
        .all() as string[]
    ).filter((l) => powell.test(l)).length;

  before(async () => {
    heldDir = mkdtempSync(join(tmpdir(), 'fl-optout-held-'));
    const photos = join(heldDir, 'photos');
    mkdirSync(photos);
    lfwFolder(photos, { Colin_Powell: [1, 2, 3], Tony_Blair: [1, 2] });
    clock = new ManualClock('2026-01-05T12:00:00.000Z');
    held = FaceLedgerApp.open({ dataDir: join(heldDir, 'data'), workers: 1, clock });
    const galleries = new GalleryService(held);
    galleries.create({ name: 'h', legalBasis: 'test fixture', createdBy: 'cli:test' });
    await galleries.ingest({ gallery: 'h', source: photos, createdBy: 'cli:test' });
    service = new OptOutService(held, { holdDays: 30 });
  });
  after(() => held.close());

  it('suppresses the face at once but erases nothing until the hold ends', async () => {
    const receipt = await service.submit({ selfie, via: 'public' });
    assert.equal(receipt.state, 'held');
    assert.equal(receipt.eraseAfter, '2026-02-04T12:00:00.000Z');
    assert.deepEqual(receipt.removed, { galleries: 0, images: 0, faces: 0 });
    assert.equal(powellFaces(), 3, 'still enrolled');
    const r = await new SearchService(held).search({
      probe: { path: lfw('Colin_Powell', 6) },
      galleries: ['h'],
    });
    assert.ok(!r.candidates.some((c) => powell.test(c.location)), 'never returned meanwhile');
    assert.equal(service.status(receipt.confirmationCode).state, 'held');
  });

  it('is confirmed by the retention sweep once its hold has ended, and not before', () => {
    const retention = new RetentionService(held, { optOuts: service });
    clock.advance(29 * 86_400);
    const early = retention.run();
    assert.deepEqual(early.optOuts, { confirmed: 0, galleries: 0, images: 0, faces: 0 });
    assert.equal(powellFaces(), 3);

    clock.advance(86_400);
    const due = retention.run();
    assert.deepEqual(due.failures, []);
    assert.deepEqual(due.optOuts, { confirmed: 1, galleries: 1, images: 3, faces: 3 });
    assert.equal(powellFaces(), 0, 'erased when the hold ended');
    const [request] = service.list().items;
    assert.equal(request?.state, 'confirmed');
    assert.equal(request?.facesRemoved, 3);
    assert.equal(request?.decidedBy, null, 'by the sweep, not a person');
    assert.deepEqual(
      retention.run().optOuts,
      { confirmed: 0, galleries: 0, images: 0, faces: 0 },
      'idempotent',
    );
    assert.throws(
      () => service.confirm(request?.id ?? '', 'platform:x'),
      (e: unknown) => e instanceof FaceLedgerError && e.code === 'CONFLICT',
    );
    assert.equal(held.audit.verify().ok, true);
  });
});

describe('an opt-out erasure cut short', () => {
  it('is finished by the next sweep, and can no longer be rejected', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'fl-optout-crash-'));
    const photos = join(dir2, 'photos');
    mkdirSync(photos);
    lfwFolder(photos, { Colin_Powell: [1, 2], Tony_Blair: [1, 2] });
    const crashed = FaceLedgerApp.open({ dataDir: join(dir2, 'data'), workers: 1 });
    try {
      const galleries = new GalleryService(crashed);
      galleries.create({ name: 'c', legalBasis: 'test fixture', createdBy: 'cli:test' });
      await galleries.ingest({ gallery: 'c', source: photos, createdBy: 'cli:test' });
      const service = new OptOutService(crashed);
      await service.submit({ selfie, via: 'public' });
      const [request] = service.list('held').items;
      assert.ok(request);
      // The state a process leaves when it stops after the decision and before the erasure finished.
      crashed.store.db
        .prepare("UPDATE opt_outs SET status = 'erasing', erase_after = NULL WHERE id = ?")
        .run(request.id);
      assert.throws(
        () => service.reject(request.id, 'platform:x', 'too late'),
        (e: unknown) => e instanceof FaceLedgerError && e.code === 'CONFLICT',
      );

      const swept = new RetentionService(crashed, { optOuts: service }).run();
      assert.deepEqual(swept.optOuts, { confirmed: 1, galleries: 1, images: 2, faces: 2 });
      assert.equal(service.list().items[0]?.state, 'confirmed');
      assert.equal(galleries.list()[0]?.faces, 2, 'only Blair is left');
    } finally {
      await crashed.close();
    }
  });
});
