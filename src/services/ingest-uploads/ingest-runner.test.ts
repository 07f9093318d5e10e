import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../core/ids.js';
import { openSource } from '../../gallery/sources/open-source.js';
import { TEST_ARGON2 } from '../../tenancy/test-fixtures.js';
import { lfw } from '../../testing/fixtures.js';
import { storedZip } from '../../testing/stored-zip.js';
import { FaceLedgerApp } from '../app.js';
import { GalleryService } from '../gallery-service.js';
import { ingestRunnerFor } from './ingest-runner.js';

const PEOPLE = ['Tony_Blair', 'Colin_Powell', 'Hugo_Chavez'] as const;
let dir: string;
let app: FaceLedgerApp;
let galleries: GalleryService;

/** An upload saved as the runner saves one, and its job row as `start` creates it — then the server "died". */
async function leftRunning(gallery: string, withFile = true): Promise<{ jobId: string; path: string }> {
  const uploadDir = join(ingestRunnerFor(app).uploadsDir, newId());
  mkdirSync(uploadDir, { recursive: true });
  const path = join(uploadDir, 'people.zip');
  writeFileSync(path, storedZip(PEOPLE.map((p) => ({ name: `${p}.jpg`, data: readFileSync(lfw(p, 1)) }))));
  const source = await openSource(path);
  const job = app.store.jobs.create({
    galleryId: galleries.get(gallery).id,
    source: source.root,
    sourceKind: source.kind,
    createdBy: 'cli:test',
    now: app.clock.now().toISOString(),
  });
  if (!withFile) rmSync(uploadDir, { recursive: true });
  return { jobId: job.id, path };
}

function imageCount(gallery: string): number {
  return (
    app.store.db
      .prepare('SELECT COUNT(*) AS n FROM images WHERE gallery_id = ?')
      .get(galleries.get(gallery).id) as {
      n: number;
    }
  ).n;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-uploads-'));
  app = FaceLedgerApp.open({
    dataDir: join(dir, 'data'),
    keyDir: join(dir, 'keys'),
    workers: 1,
    tenancy: { argon2: TEST_ARGON2 },
    env: {},
  });
  galleries = new GalleryService(app);
  for (const name of ['fresh', 'half', 'lost'])
    galleries.create({ name, legalBasis: 'test', createdBy: 'cli:test' });
});
after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('upload ingests left running by a stopped server', () => {
  it('resume where they stopped: nothing lost, nothing enrolled twice; a lost upload fails the job', async () => {
    const fresh = await leftRunning('fresh');
    // 'half': every item committed, then the server stopped before it could mark the job done.
    const half = await leftRunning('half');
    await galleries.ingest({ gallery: 'half', source: half.path, createdBy: 'cli:test' });
    app.store.db
      .prepare("UPDATE ingest_jobs SET status = 'running', finished_at = NULL WHERE id = ?")
      .run(half.jobId);
    const lost = await leftRunning('lost', false);

    const runner = ingestRunnerFor(app);
    const resumed = await runner.resumeInterrupted();
    assert.deepEqual(new Set(resumed), new Set([fresh.jobId, half.jobId]));
    await runner.drain();

    for (const [gallery, job] of [
      ['fresh', fresh],
      ['half', half],
    ] as const) {
      const row = app.store.jobs.get(job.jobId);
      assert.equal(row?.status, 'done', gallery);
      assert.equal(imageCount(gallery), PEOPLE.length, `${gallery}: every photo once`);
      assert.equal(existsSync(job.path), false, `${gallery}: the saved upload is removed`);
    }
    assert.equal(app.store.jobs.list().filter((j) => j.galleryId === galleries.get('half').id).length, 1);
    assert.equal(app.store.jobs.get(lost.jobId)?.status, 'failed');
    assert.equal(imageCount('lost'), 0);
    const phases = app.audit
      .query({ types: ['ingest.run'], order: 'asc', limit: 100 })
      .entries.map((e) => JSON.parse(e.details) as { jobId: string; phase: string })
      .map(
        (d) => `${d.jobId === fresh.jobId ? 'fresh' : d.jobId === half.jobId ? 'half' : 'lost'}:${d.phase}`,
      );
    assert.deepEqual(phases.sort(), ['fresh:finished', 'half:finished', 'lost:failed']);
    assert.deepEqual(await runner.resumeInterrupted(), [], 'a second call finds nothing left to resume');
  });
});
