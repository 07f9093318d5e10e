import type { Db } from './database.js';
import type { ImageRecord } from './records.js';

interface ImageRow {
  id: string;
  gallery_id: string;
  sha256: string;
  location: string;
  source_link: string | null;
  subject_id: string | null;
  metadata: string;
  width: number;
  height: number;
  job_id: string | null;
  ingested_at: string;
}

export const toImage = (r: ImageRow): ImageRecord => ({
  id: r.id,
  galleryId: r.gallery_id,
  sha256: r.sha256,
  location: r.location,
  sourceLink: r.source_link,
  subjectId: r.subject_id,
  metadata: JSON.parse(r.metadata) as Record<string, string>,
  width: r.width,
  height: r.height,
  jobId: r.job_id,
  ingestedAt: r.ingested_at,
});

export interface ImageFaceRef {
  id: string;
  faceIndex: number;
  /** The face the image's subject id names. */
  isSubject: boolean;
}

export type ImageWithFaces = ImageRecord & { faces: ImageFaceRef[] };

export class ImagesRepo {
  constructor(private readonly db: Db) {}

  findBySha(galleryId: string, sha256: string): ImageRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM images WHERE gallery_id = ? AND sha256 = ?')
      .get(galleryId, sha256) as ImageRow | undefined;
    return row && toImage(row);
  }

  get(id: string): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row && toImage(row);
  }

  /** One page of a gallery's images, oldest first, each with its faces (for browsing and thumbnails). */
  page(galleryId: string, limit: number, offset: number): ImageWithFaces[] {
    const rows = this.db
      .prepare('SELECT * FROM images WHERE gallery_id = ? ORDER BY ingested_at, id LIMIT ? OFFSET ?')
      .all(galleryId, limit, offset) as ImageRow[];
    if (rows.length === 0) return [];
    const faces = this.db
      .prepare(
        `SELECT id, image_id, face_index, is_subject FROM faces
         WHERE image_id IN (SELECT value FROM json_each(?)) ORDER BY image_id, face_index`,
      )
      .all(JSON.stringify(rows.map((r) => r.id))) as {
      id: string;
      image_id: string;
      face_index: number;
      is_subject: number;
    }[];
    const byImage = new Map<string, ImageFaceRef[]>();
    for (const f of faces) {
      const list = byImage.get(f.image_id) ?? [];
      list.push({ id: f.id, faceIndex: f.face_index, isSubject: f.is_subject === 1 });
      byImage.set(f.image_id, list);
    }
    return rows.map((r) => ({ ...toImage(r), faces: byImage.get(r.id) ?? [] }));
  }

  insert(image: ImageRecord): void {
    this.db
      .prepare(
        `INSERT INTO images (id, gallery_id, sha256, location, source_link, subject_id, metadata, width, height, job_id, ingested_at)
         VALUES (@id, @galleryId, @sha256, @location, @sourceLink, @subjectId, @metadata, @width, @height, @jobId, @ingestedAt)`,
      )
      .run({ ...image, metadata: JSON.stringify(image.metadata) });
  }

  /** Deletes the image; its faces and thumbnails go with it (ON DELETE CASCADE). Returns the face labels removed. */
  delete(id: string): number[] {
    const labels = (
      this.db.prepare('SELECT label FROM faces WHERE image_id = ?').all(id) as { label: number }[]
    ).map((r) => r.label);
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
    return labels;
  }
}
