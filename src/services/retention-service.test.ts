import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../tenancy/test-fixtures.js';
import { lfw, lfwFolder } from '../testing/fixtures.js';
import { FaceLedgerApp } from './app.js';
import { GalleryService } from './gallery-service.js';
import { MaintenanceService } from './maintenance-service.js';
import { RetentionService } from './retention-service.js';
import { SearchService } from './search-service.js';

const DAY = 86_400;
let dir: string;
let app: FaceLedgerApp;
let clock: ManualClock;
let galleries: GalleryService;
let retention: RetentionService;
const T0 = '2025-03-10T09:00:00.000Z';

async function ingest(gallery: string, people: Record<string, number[]>): Promise<void> {
  const photos = mkdtempSync(join(dir, 'photos-'));
  lfwFolder(photos, people);
  const job = await galleries.ingest({ gallery, source: photos, createdBy: 'cli:test' });
  assert.equal(job.imagesEnrolled, Object.values(people).flat().length);
}

function locations(gallery: string): string[] {
  return (
    app.store.db
      .prepare('SELECT location FROM images WHERE gallery_id = ? ORDER BY location')
      .all(galleries.get(gallery).id) as { location: string }[]
  ).map((r) => r.location);
}

function marker(note: string): void {
  app.audit.append({
    type: 'config.changed',
    orgId: null,
    actor: 'cli:test',
    details: { changes: [{ key: 'test.marker', to: note }] },
  });
}

function markers(): string[] {
  return app.audit
    .query({ types: ['config.changed'], order: 'asc', limit: 1000 })
    .entries.map((e) => JSON.parse(e.details).changes[0].to);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-retention-'));
  clock = new ManualClock(T0);
  app = FaceLedgerApp.open({ dataDir: join(dir, 'data'), workers: 1, clock });
  galleries = new GalleryService(app);
  retention = new RetentionService(app);
  galleries.create({ name: 'month', legalBasis: 'test', retentionDays: 30, createdBy: 'cli:test' });
  galleries.create({ name: 'forever', legalBasis: 'test', createdBy: 'cli:test' });
  await ingest('month', { Colin_Powell: [1, 2] });
  await ingest('forever', { Colin_Powell: [1] });
  marker('day 0');
  clock.advance(20 * DAY);
  await ingest('month', { Tony_Blair: [1, 2] });
});
after(() => app.close());

describe('retention', () => {
  it('erases images held past their gallery retention, with faces and index entries, audited', async () => {
    clock.advance(15 * DAY); // day 35: the day-0 images are past 30 days, the day-20 ones are not
    const report = retention.run();
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.searches, { probes: 0, searches: 0 }, 'the case-search purge ran too');
    const month = galleries.get('month').id;
    assert.equal(report.galleries.length, 1);
    assert.equal(report.galleries[0]?.galleryId, month);
    assert.equal(report.galleries[0]?.images, 2);
    assert.ok((report.galleries[0]?.faces ?? 0) >= 2);
    assert.deepEqual(locations('month'), ['Tony_Blair_0001.jpg', 'Tony_Blair_0002.jpg']);
    assert.deepEqual(locations('forever'), ['Colin_Powell_0001.jpg'], 'no retention: kept');

    const purges = app.audit.query({ types: ['retention.purge'], limit: 10 }).entries;
    assert.equal(purges.length, 1);
    assert.deepEqual(JSON.parse(purges[0]?.details ?? '{}'), {
      scope: 'gallery',
      before: '2025-03-15T09:00:00.000Z',
      purgedCount: 2,
      galleryId: month,
    });
    const r = await new SearchService(app).search({
      probe: { path: lfw('Colin_Powell', 3) },
      galleries: ['month'],
    });
    assert.ok(!r.candidates.some((c) => /Colin_Powell/.test(c.location)));
    assert.equal(new MaintenanceService(app).doctor().ok, true, 'the index agrees with the database');
  });

  it('purges nothing the second time', () => {
    const report = retention.run();
    assert.deepEqual(report.galleries, []);
    assert.equal(app.audit.query({ types: ['retention.purge'], limit: 10 }).entries.length, 1);
  });

  it('never purges the audit log below 365 days', () => {
    clock.set('2026-03-09T09:00:00.000Z'); // day 364
    marker('day 364');
    const nothing = retention.run();
    assert.equal(nothing.audit?.purged, 0);
    assert.deepEqual(markers(), ['day 0', 'day 364']);

    clock.set('2026-04-15T09:00:00.000Z'); // day 401: day 0 is past the log's 400-day default
    const report = retention.run();
    assert.deepEqual(report.failures, []);
    assert.ok((report.audit?.purged ?? 0) > 0);
    assert.deepEqual(markers(), ['day 364'], 'day 0 is gone, day 364 kept');
    const oldest = app.audit.query({ order: 'asc', limit: 1 }).entries[0];
    const age = (clock.now().getTime() - Date.parse(oldest?.at ?? '')) / (DAY * 1000);
    assert.ok(age >= 365 && age <= 400, `oldest kept entry is ${age} days old`);
    assert.equal(app.audit.verify().ok, true, 'the chain still verifies from the purge anchor');
    const audited = app.audit
      .query({ types: ['retention.purge'], limit: 10 })
      .entries.map((e) => JSON.parse(e.details));
    assert.ok(audited.some((d) => d.scope === 'audit' && d.purgedCount === report.audit?.purged));
  });
});
