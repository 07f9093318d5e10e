/**
 * Ingest of an uploaded archive or manifest, in the background. The upload is checked and saved under
 * `<dataDir>/uploads/<id>/`, its job row is created at once (so the caller gets a job id to poll), and
 * the ordinary ingest (GalleryService → runIngest: quality filter, opt-out suppression, crash-safe
 * commits) runs after the answer has gone. The saved file is deleted when the job ends either way.
 *
 * Progress that the job row does not hold — the item total when the source can tell, the throughput,
 * why a job failed — is kept in memory for the jobs this process ran.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaceLedgerError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { openSource } from '../../gallery/sources/open-source.js';
import type { Gallery, IngestJob } from '../../gallery/store/records.js';
import type { FaceLedgerApp } from '../app.js';
import { ErasureRepo } from '../erasure/erasure-repo.js';
import { GalleryService } from '../gallery-service.js';
import { extensionOf, type UploadField, uploadKind } from './upload-kind.js';
import { assertUrlOnlyManifest } from './url-only-manifest.js';

export interface IngestUpload {
  /** The multipart field it came in: `archive` or `manifest`. */
  field: UploadField;
  filename: string;
  /** Where it was written as it arrived; the runner moves it into its own folder. */
  path: string;
}

/** Enough of a file's start to tell archives from manifests (see upload-kind.ts). */
const HEAD_BYTES = 64 * 1024;

async function headOf(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export interface StartIngest {
  gallery: Gallery;
  /** The org whose audit chain records the ingest (the gallery's owner); null for platform galleries. */
  orgId: string | null;
  /** Audit actor (`user:<id>`). */
  actor: string;
  upload: IngestUpload;
  /** Called as images and faces are enrolled (the new ones since the last call). */
  onEnrolled?: (added: { images: number; faces: number }) => void;
}

/** What a running ingest needs of its request: where it enrols, who is recorded, whom to tell. */
type IngestRun = Pick<StartIngest, 'gallery' | 'orgId' | 'actor' | 'onEnrolled'>;

export interface LiveProgress {
  /** Items the source holds, when it can tell (zip archives and manifests); null otherwise. */
  itemsTotal: number | null;
  /** Items settled per second of wall time; null before the first second's worth of data. */
  imagesPerSecond: number | null;
  /** Why the whole job stopped (a truncated archive, broken CSV quoting); null unless failed. */
  failure: string | null;
}

interface LiveJob {
  itemsTotal: number | null;
  startedMs: number;
  finishedMs: number | null;
  itemsDone: number;
  failure: string | null;
}

/** A name safe to keep on disk (the job's source path ends with it, so it also names the upload). */
function safeStem(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const stem = base
    .replace(/\.(zip|tar|tar\.gz|tgz|csv|jsonl|ndjson)$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
  return stem.replace(/^[._]+/, '').slice(0, 80) || 'upload';
}

export class IngestRunner {
  readonly #app: FaceLedgerApp;
  readonly #galleries: GalleryService;
  readonly #live = new Map<string, LiveJob>();
  readonly #running = new Set<Promise<void>>();

  constructor(app: FaceLedgerApp) {
    this.#app = app;
    this.#galleries = new GalleryService(app);
  }

  /** Where uploads wait for their ingest. */
  get uploadsDir(): string {
    return join(this.#app.dataDir, 'uploads');
  }

  /**
   * Checks and saves the upload, creates the job and starts it; resolves with the job as created.
   * Refuses before any job exists: UNSUPPORTED_TYPE for what is no archive or manifest, BAD_INPUT for
   * a damaged archive, a manifest without a usable header or one naming file paths.
   */
  async start(req: StartIngest): Promise<IngestJob> {
    const { gallery, upload } = req;
    const kind = uploadKind(upload.field, upload.filename, await headOf(upload.path));
    const dir = join(this.uploadsDir, newId());
    const path = join(dir, `${safeStem(upload.filename)}${extensionOf(kind)}`);
    const shown = JSON.stringify(upload.filename || 'the upload');
    let job: IngestJob;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await rename(upload.path, path);
      if (kind === 'csv' || kind === 'jsonl') await assertUrlOnlyManifest(path, kind, upload.filename);
      const source = await openSource(path).catch((err: unknown) => {
        throw this.#withoutPath(err, path, shown);
      });
      const store = this.#app.store;
      job = store.transaction(() => {
        const created = store.jobs.create({
          galleryId: gallery.id,
          source: source.root,
          sourceKind: source.kind,
          createdBy: req.actor,
          now: this.#app.clock.now().toISOString(),
        });
        this.#audit(req, created, 'started');
        return created;
      });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    this.#live.set(job.id, {
      itemsTotal: null,
      startedMs: performance.now(),
      finishedMs: null,
      itemsDone: 0,
      failure: null,
    });
    const run = this.#run(req, job, path, dir, shown).finally(() => this.#running.delete(run));
    this.#running.add(run);
    return job;
  }

  /**
   * Restarts the upload ingests that a stopped server left running (call once at start). Their saved
   * upload is still under `uploadsDir`, and the ordinary ingest skips every item already committed, so
   * nothing is lost or enrolled twice. A job whose upload is gone can never finish: it is marked failed.
   * Resolves with the ids of the jobs restarted (they run in the background, like new ones).
   */
  async resumeInterrupted(onEnrolled?: StartIngest['onEnrolled']): Promise<string[]> {
    const store = this.#app.store;
    const owners = new ErasureRepo(store.db);
    const resumed: string[] = [];
    for (const job of store.jobs.list()) {
      if (job.status !== 'running' || this.#live.has(job.id)) continue;
      if (dirname(dirname(resolve(job.source))) !== resolve(this.uploadsDir)) continue;
      const gallery = store.galleries.findById(job.galleryId);
      if (!gallery) continue;
      const req: IngestRun = {
        gallery,
        orgId: owners.ownerOf(gallery.id),
        actor: job.createdBy,
        ...(onEnrolled ? { onEnrolled } : {}),
      };
      if (
        !(await stat(job.source).then(
          (st) => st.isFile(),
          () => false,
        ))
      ) {
        this.#settleFailed(req, job.id);
        continue;
      }
      this.#live.set(job.id, {
        itemsTotal: null,
        startedMs: performance.now(),
        finishedMs: null,
        itemsDone: job.itemsDone,
        failure: null,
      });
      const run = this.#run(
        req,
        job,
        job.source,
        dirname(job.source),
        JSON.stringify(basename(job.source)),
      ).finally(() => this.#running.delete(run));
      this.#running.add(run);
      resumed.push(job.id);
    }
    return resumed;
  }

  /** What only this process knows about a job it ran (or runs); undefined for other jobs. */
  live(jobId: string): LiveProgress | undefined {
    const live = this.#live.get(jobId);
    if (!live) return undefined;
    const seconds = ((live.finishedMs ?? performance.now()) - live.startedMs) / 1000;
    const measurable = live.itemsDone > 0 && seconds > 0;
    return {
      itemsTotal: live.itemsTotal,
      imagesPerSecond: measurable ? Math.round((live.itemsDone / seconds) * 100) / 100 : null,
      failure: live.failure,
    };
  }

  /** Resolves when every ingest started by this runner has ended (call before closing the app). */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async #run(req: IngestRun, created: IngestJob, path: string, dir: string, shown: string): Promise<void> {
    const live = this.#live.get(created.id) as LiveJob;
    const enrolled = { images: 0, faces: 0 };
    try {
      const job = await this.#galleries.ingest({
        gallery: req.gallery.id,
        source: path,
        createdBy: req.actor,
        onTotal: (n) => {
          live.itemsTotal = n;
        },
        onProgress: ({ job }) => {
          live.itemsDone = job.itemsDone;
          const added = {
            images: job.imagesEnrolled - enrolled.images,
            faces: job.facesEnrolled - enrolled.faces,
          };
          enrolled.images = job.imagesEnrolled;
          enrolled.faces = job.facesEnrolled;
          if (added.images > 0 || added.faces > 0) req.onEnrolled?.(added);
        },
      });
      if (job.id !== created.id) throw new FaceLedgerError('INTERNAL', 'the ingest ran under another job');
      live.itemsDone = job.itemsDone;
      this.#audit(req, job, 'finished');
    } catch (err) {
      const e = this.#withoutPath(err, path, shown);
      live.failure = e.code === 'INTERNAL' ? 'the ingest stopped on an internal error' : e.message;
      this.#settleFailed(req, created.id);
    } finally {
      live.finishedMs = performance.now();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Marks the job failed if the ingest stopped before it could, and audits it; never throws. */
  #settleFailed(req: IngestRun, jobId: string): void {
    try {
      const store = this.#app.store;
      store.transaction(() => {
        const job = store.jobs.get(jobId);
        if (!job) return;
        if (job.status === 'running') store.jobs.finish(jobId, 'failed', this.#app.clock.now().toISOString());
        this.#audit(req, store.jobs.get(jobId) as IngestJob, 'failed');
      });
    } catch {
      // The app is closing (database gone): the job stays 'running', which is what a resume looks for.
    }
  }

  #audit(req: IngestRun, job: IngestJob, phase: 'started' | 'finished' | 'failed'): void {
    this.#app.audit.append({
      type: 'ingest.run',
      orgId: req.orgId,
      actor: req.actor,
      details: {
        jobId: job.id,
        galleryId: job.galleryId,
        sourceKind: job.sourceKind,
        phase,
        ...(phase === 'started'
          ? {}
          : {
              itemsDone: job.itemsDone,
              imagesEnrolled: job.imagesEnrolled,
              facesEnrolled: job.facesEnrolled,
              errors: job.errors,
            }),
      },
    });
  }

  /** Errors name the saved file by its server path; clients see the name they uploaded instead. */
  #withoutPath(err: unknown, path: string, shown: string): FaceLedgerError {
    const e =
      err instanceof FaceLedgerError
        ? err
        : new FaceLedgerError('INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
    const message = e.message.split(path).join(shown).split(this.uploadsDir).join('(uploads)');
    return message === e.message ? e : new FaceLedgerError(e.code, message, { cause: e });
  }
}

const RUNNERS = new WeakMap<FaceLedgerApp, IngestRunner>();

/** One runner per app, so every route and the shutdown hook see the same background jobs. */
export function ingestRunnerFor(app: FaceLedgerApp): IngestRunner {
  let runner = RUNNERS.get(app);
  if (!runner) {
    runner = new IngestRunner(app);
    RUNNERS.set(app, runner);
  }
  return runner;
}
