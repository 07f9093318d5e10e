import { newId } from '../../core/ids.js';
import type { Db } from './database.js';
import type { IngestItem, IngestJob, ItemOutcome } from './records.js';

interface JobRow {
  id: string;
  gallery_id: string;
  source: string;
  source_kind: string;
  status: IngestJob['status'];
  items_done: number;
  images_enrolled: number;
  faces_enrolled: number;
  duplicates: number;
  no_face: number;
  errors: number;
  faces_filtered: string;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
  created_by: string;
}

const toJob = (r: JobRow): IngestJob => ({
  id: r.id,
  galleryId: r.gallery_id,
  source: r.source,
  sourceKind: r.source_kind,
  status: r.status,
  itemsDone: r.items_done,
  imagesEnrolled: r.images_enrolled,
  facesEnrolled: r.faces_enrolled,
  duplicates: r.duplicates,
  noFace: r.no_face,
  errors: r.errors,
  facesFiltered: JSON.parse(r.faces_filtered) as Record<string, number>,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  createdBy: r.created_by,
});

const OUTCOME_COUNTER: Record<ItemOutcome, string> = {
  enrolled: 'images_enrolled',
  duplicate: 'duplicates',
  no_face: 'no_face',
  error: 'errors',
};

export class JobsRepo {
  constructor(private readonly db: Db) {}

  create(input: {
    galleryId: string;
    source: string;
    sourceKind: string;
    createdBy: string;
    now: string;
  }): IngestJob {
    const id = newId();
    this.db
      .prepare(
        `INSERT INTO ingest_jobs (id, gallery_id, source, source_kind, status, started_at, updated_at, created_by)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(id, input.galleryId, input.source, input.sourceKind, input.now, input.now, input.createdBy);
    return this.get(id) as IngestJob;
  }

  /** The unfinished job for this gallery and source, which a re-run resumes. */
  findResumable(galleryId: string, source: string): IngestJob | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM ingest_jobs WHERE gallery_id = ? AND source = ? AND status = 'running' ORDER BY started_at DESC LIMIT 1`,
      )
      .get(galleryId, source) as JobRow | undefined;
    return row && toJob(row);
  }

  get(id: string): IngestJob | undefined {
    const row = this.db.prepare('SELECT * FROM ingest_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  list(galleryId?: string): IngestJob[] {
    const rows = (
      galleryId
        ? this.db
            .prepare('SELECT * FROM ingest_jobs WHERE gallery_id = ? ORDER BY started_at DESC')
            .all(galleryId)
        : this.db.prepare('SELECT * FROM ingest_jobs ORDER BY started_at DESC').all()
    ) as JobRow[];
    return rows.map(toJob);
  }

  settledKeys(jobId: string): Set<string> {
    const rows = this.db.prepare('SELECT item_key FROM ingest_items WHERE job_id = ?').all(jobId) as {
      item_key: string;
    }[];
    return new Set(rows.map((r) => r.item_key));
  }

  /**
   * Records one settled item and bumps the job's counters. Call inside the same transaction that wrote
   * the item's image and faces, so a crash leaves either all of it or none.
   */
  recordItem(jobId: string, item: IngestItem, filtered: Record<string, number>, now: string): void {
    this.db
      .prepare(
        `INSERT INTO ingest_items (job_id, item_key, location, outcome, error_code, error_message, image_id, faces)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        jobId,
        item.itemKey,
        item.location,
        item.outcome,
        item.errorCode,
        item.errorMessage,
        item.imageId,
        item.faces,
      );
    const job = this.get(jobId);
    const merged = { ...(job?.facesFiltered ?? {}) };
    for (const [reason, n] of Object.entries(filtered)) merged[reason] = (merged[reason] ?? 0) + n;
    this.db
      .prepare(
        `UPDATE ingest_jobs SET items_done = items_done + 1, ${OUTCOME_COUNTER[item.outcome]} = ${OUTCOME_COUNTER[item.outcome]} + 1,
           faces_enrolled = faces_enrolled + ?, faces_filtered = ?, updated_at = ? WHERE id = ?`,
      )
      .run(item.faces, JSON.stringify(merged), now, jobId);
  }

  finish(jobId: string, status: 'done' | 'failed', now: string): void {
    this.db
      .prepare('UPDATE ingest_jobs SET status = ?, finished_at = ?, updated_at = ? WHERE id = ?')
      .run(status, now, now, jobId);
  }

  items(jobId: string, outcomes?: readonly ItemOutcome[]): IngestItem[] {
    const rows = this.db
      .prepare(
        `SELECT item_key, location, outcome, error_code, error_message, image_id, faces FROM ingest_items
         WHERE job_id = ? ${outcomes ? 'AND outcome IN (SELECT value FROM json_each(?))' : ''} ORDER BY rowid`,
      )
      .all(...(outcomes ? [jobId, JSON.stringify(outcomes)] : [jobId])) as {
      item_key: string;
      location: string;
      outcome: ItemOutcome;
      error_code: string | null;
      error_message: string | null;
      image_id: string | null;
      faces: number;
    }[];
    return rows.map((r) => ({
      itemKey: r.item_key,
      location: r.location,
      outcome: r.outcome,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      imageId: r.image_id,
      faces: r.faces,
    }));
  }
}
