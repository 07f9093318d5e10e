import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { asFaceLedgerError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { EMBEDDING_DIM } from '../../vision/embed.js';
import type { AnalyzedFace } from '../../vision/pipeline.js';
import type { PipelinePool } from '../../vision/pool.js';
import type { GalleryIndexes } from '../gallery-indexes.js';
import type { IngestSource, SourceItem } from '../sources/source-item.js';
import type { GalleryStore } from '../store/gallery-store.js';
import type { Gallery, IngestItem, IngestJob, NewFace } from '../store/records.js';
import { type FilterReason, type QualityFilter, rejectReason } from './quality-filter.js';

export interface IngestProgress {
  job: IngestJob;
  /** Items skipped because an earlier run of this job settled them. */
  resumed: number;
}

export interface IngestDeps {
  store: GalleryStore;
  indexes: GalleryIndexes;
  pool: PipelinePool;
  clock: Clock;
}

export interface IngestRequest {
  gallery: Gallery;
  source: IngestSource;
  createdBy: string;
  quality: QualityFilter;
  /** Called after every settled item. */
  onProgress?: (p: IngestProgress) => void;
  /** Called once the number of items is known, if the source can tell cheaply. */
  onTotal?: (items: number) => void;
  /** How often the index file is saved during a long ingest. */
  indexSaveIntervalMs?: number;
  /**
   * True for a face that must not be enrolled (its person opted out). Asked inside each item's commit
   * transaction, so a suppression committed before that item's commit is always honoured — also one
   * made by another process while this item was in the pipeline.
   */
  suppressed?: (embedding: Float32Array) => boolean;
}

/** Why a detected face was left out: a quality reason, or `suppressed` (the person opted out). */
export type SkipReason = FilterReason | 'suppressed';

type Settled = { item: IngestItem; image?: ImageToStore; filtered: Partial<Record<SkipReason, number>> };
interface ImageToStore {
  sha256: string;
  width: number;
  height: number;
  faces: NewFace[];
  source: SourceItem;
}

/**
 * Enrols every face of every item of a source into a gallery. Each item settles in one SQLite
 * transaction (image + faces + job item + counters), so killing the process at any point and running
 * the same ingest again resumes the unfinished job: settled items are skipped by key, images already
 * stored are recognised by sha256, and the vector index catches up from the database.
 */
export async function runIngest(deps: IngestDeps, req: IngestRequest): Promise<IngestJob> {
  const { store, indexes, pool, clock } = deps;
  const now = () => clock.now().toISOString();
  const job =
    store.jobs.findResumable(req.gallery.id, req.source.root) ??
    store.jobs.create({
      galleryId: req.gallery.id,
      source: req.source.root,
      sourceKind: req.source.kind,
      createdBy: req.createdBy,
      now: now(),
    });
  const settledKeys = store.jobs.settledKeys(job.id);
  indexes.get(req.gallery.id);
  if (req.onTotal && req.source.countHint) req.source.countHint().then(req.onTotal, () => undefined);

  let resumed = 0;
  let lastSave = Date.now();
  const saveEvery = req.indexSaveIntervalMs ?? 30_000;

  const commit = (s: Settled): void => {
    store.transaction(() => {
      let item = s.item;
      // A twin of this image may have been committed while this one was in the pipeline.
      if (s.image && store.images.findBySha(req.gallery.id, s.image.sha256)) {
        item = { ...item, outcome: 'duplicate', faces: 0 };
        s.image = undefined;
      }
      if (s.image && req.suppressed) item = withoutSuppressed(s, item, req.suppressed);
      if (s.image) {
        const imageId = newId();
        const src = s.image.source;
        store.images.insert({
          id: imageId,
          galleryId: req.gallery.id,
          sha256: s.image.sha256,
          location: src.location,
          sourceLink: src.sourceLink,
          subjectId: src.subjectId,
          metadata: src.metadata,
          width: s.image.width,
          height: s.image.height,
          jobId: job.id,
          ingestedAt: now(),
        });
        const inserted = store.faces.insertMany(req.gallery.id, imageId, s.image.faces);
        const vectors = new Float32Array(inserted.length * EMBEDDING_DIM);
        for (const [i, f] of s.image.faces.entries()) vectors.set(f.embedding, i * EMBEDDING_DIM);
        item = { ...item, imageId };
        store.jobs.recordItem(job.id, item, s.filtered, now());
        // Inside the transaction's scope but after the rows: if the add throws, nothing is committed.
        indexes.add(
          req.gallery.id,
          inserted.map((f) => f.label),
          vectors,
        );
      } else {
        store.jobs.recordItem(job.id, item, s.filtered, now());
      }
    });
    if (Date.now() - lastSave > saveEvery) {
      indexes.save(req.gallery.id);
      lastSave = Date.now();
    }
    req.onProgress?.({ job: store.jobs.get(job.id) as IngestJob, resumed });
  };

  const process = async (source: SourceItem): Promise<Settled> => {
    const base = {
      itemKey: source.key,
      location: source.location,
      errorCode: null,
      errorMessage: null,
      imageId: null,
    };
    try {
      const bytes = await source.read();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (store.images.findBySha(req.gallery.id, sha256)) {
        return { item: { ...base, outcome: 'duplicate', faces: 0 }, filtered: {} };
      }
      const analysis = await pool.analyzeBytes(bytes, { embed: 'all', thumbnails: true });
      const filtered: Partial<Record<SkipReason, number>> = {};
      const kept: AnalyzedFace[] = [];
      for (const face of analysis.faces) {
        const reason = rejectReason(face, req.quality);
        if (reason) filtered[reason] = (filtered[reason] ?? 0) + 1;
        else kept.push(face);
      }
      if (kept.length === 0) {
        const why = analysis.faces.length
          ? `${analysis.faces.length} face(s), none passed the quality filter`
          : 'no face found';
        return {
          item: { ...base, outcome: 'no_face', faces: 0, errorCode: 'NO_FACE', errorMessage: why },
          filtered,
        };
      }
      const subject = source.subjectId ? largestIndex(kept) : -1;
      const faces: NewFace[] = kept.map((f, i) => ({
        faceIndex: i,
        isSubject: i === subject,
        box: f.box,
        landmarks: f.landmarks,
        score: f.score,
        quality: f.quality,
        embedding: f.embedding as Float32Array,
        thumbnail: f.thumbnail ?? null,
      }));
      return {
        item: { ...base, outcome: 'enrolled', faces: faces.length },
        image: { sha256, width: analysis.width, height: analysis.height, faces, source },
        filtered,
      };
    } catch (err) {
      const e = asFaceLedgerError(err);
      return {
        item: { ...base, outcome: 'error', faces: 0, errorCode: e.code, errorMessage: e.message },
        filtered: {},
      };
    }
  };

  // Keep every worker busy with a bounded window; commits happen one at a time on this thread.
  const inFlight = new Set<Promise<void>>();
  const depth = pool.size * 3;
  const schedule = (work: Promise<Settled>) => {
    const p: Promise<void> = work.then(commit).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  try {
    for await (const entry of req.source.entries()) {
      const key = 'item' in entry ? entry.item.key : entry.problem.key;
      if (settledKeys.has(key)) {
        resumed++;
        continue;
      }
      settledKeys.add(key);
      if ('problem' in entry) {
        const { problem } = entry;
        schedule(
          Promise.resolve({
            item: {
              itemKey: problem.key,
              location: problem.location,
              outcome: 'error',
              errorCode: problem.code,
              errorMessage: problem.message,
              imageId: null,
              faces: 0,
            },
            filtered: {},
          }),
        );
      } else {
        schedule(process(entry.item));
      }
      while (inFlight.size >= depth) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (err) {
    await Promise.allSettled(inFlight);
    indexes.save(req.gallery.id);
    store.jobs.finish(job.id, 'failed', now());
    throw err;
  }
  indexes.save(req.gallery.id);
  store.jobs.finish(job.id, 'done', now());
  return store.jobs.get(job.id) as IngestJob;
}

/**
 * Drops the faces of opted-out people from an item about to be committed and counts them as
 * `suppressed`; an image left with no face is not stored at all (its record would only point at them).
 */
function withoutSuppressed(
  s: Settled,
  item: IngestItem,
  suppressed: (embedding: Float32Array) => boolean,
): IngestItem {
  const image = s.image as ImageToStore;
  const kept = image.faces.filter((f) => !suppressed(f.embedding));
  const dropped = image.faces.length - kept.length;
  if (dropped === 0) return item;
  s.filtered = { ...s.filtered, suppressed: (s.filtered.suppressed ?? 0) + dropped };
  if (kept.length > 0) {
    // The subject id names the person whose face was dropped: the bystanders left must not carry it.
    const subjectKept = kept.some((f) => f.isSubject);
    s.image = {
      ...image,
      faces: kept,
      source: subjectKept ? image.source : { ...image.source, subjectId: null },
    };
    return { ...item, faces: kept.length };
  }
  s.image = undefined;
  return {
    ...item,
    outcome: 'no_face',
    faces: 0,
    errorCode: 'NO_FACE',
    errorMessage: `${dropped} face(s), none enrolled: suppressed by opt-out`,
  };
}

/** A subject id names one person; in a photo with bystanders that is taken to be the largest face. */
function largestIndex(faces: readonly AnalyzedFace[]): number {
  let best = 0;
  faces.forEach((f, i) => {
    const b = faces[best] as AnalyzedFace;
    if (f.box.width * f.box.height > b.box.width * b.box.height) best = i;
  });
  return best;
}
