import type { Db } from '../../gallery/store/database.js';
import { galleryOwner } from '../../tenancy/index.js';

export interface RowsRemoved {
  images: number;
  faces: number;
  /** Vector-index labels of the removed faces, to drop from the gallery's index after the commit. */
  labels: number[];
}

/**
 * The SQL erasure and retention need beyond the gallery repositories: removing faces and images of
 * one gallery in bulk, and reading who owns a gallery for the audit entry. Run inside a transaction.
 */
export class ErasureRepo {
  constructor(private readonly db: Db) {}

  /** The org owning a gallery, or null for a platform gallery (no owner row). */
  ownerOf(galleryId: string): string | null {
    return galleryOwner(this.db, galleryId);
  }

  labelsOfIdentity(identityId: string): number[] {
    return (
      this.db.prepare('SELECT label FROM faces WHERE identity_id = ? ORDER BY label').all(identityId) as {
        label: number;
      }[]
    ).map((r) => r.label);
  }

  imagesIngestedBefore(galleryId: string, cutoffIso: string): string[] {
    return (
      this.db
        .prepare('SELECT id FROM images WHERE gallery_id = ? AND ingested_at < ? ORDER BY ingested_at')
        .all(galleryId, cutoffIso) as { id: string }[]
    ).map((r) => r.id);
  }

  galleriesWithRetention(): { id: string; retentionDays: number }[] {
    return this.db
      .prepare(
        'SELECT id, retention_days AS retentionDays FROM galleries WHERE retention_days IS NOT NULL ORDER BY id',
      )
      .all() as { id: string; retentionDays: number }[];
  }

  counts(galleryId: string): { images: number; faces: number } {
    return this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM images WHERE gallery_id = @g) AS images,
                (SELECT COUNT(*) FROM faces WHERE gallery_id = @g) AS faces`,
      )
      .get({ g: galleryId }) as { images: number; faces: number };
  }

  /**
   * Deletes faces of one gallery by label and whole images by id (their faces and thumbnails go by
   * cascade). With `person` (erasing someone rather than a record), what pointed at them goes too: an
   * image left without any face is deleted, and an image whose subject face was deleted loses its
   * subject id (which names that person), keeping only its bystanders.
   */
  remove(
    galleryId: string,
    target: { labels?: readonly number[]; imageIds?: readonly string[]; person?: boolean },
  ): RowsRemoved {
    const labels: number[] = [];
    let images = 0;
    const touched = new Set<string>();
    const lostSubject = new Set<string>();
    const deleteFace = this.db.prepare(
      'DELETE FROM faces WHERE gallery_id = ? AND label = ? RETURNING image_id AS imageId, is_subject AS isSubject',
    );
    for (const label of target.labels ?? []) {
      const row = deleteFace.get(galleryId, label) as { imageId: string; isSubject: number } | undefined;
      if (!row) continue;
      labels.push(label);
      touched.add(row.imageId);
      if (row.isSubject) lostSubject.add(row.imageId);
    }
    const facesOf = this.db.prepare('SELECT label FROM faces WHERE image_id = ?');
    const deleteImage = this.db.prepare('DELETE FROM images WHERE gallery_id = ? AND id = ?');
    const dropImage = (id: string): void => {
      const faceLabels = (facesOf.all(id) as { label: number }[]).map((r) => r.label);
      if (deleteImage.run(galleryId, id).changes === 0) return;
      images++;
      labels.push(...faceLabels);
    };
    for (const id of target.imageIds ?? []) dropImage(id);
    if (target.person) {
      const hasFace = this.db.prepare('SELECT 1 FROM faces WHERE image_id = ? LIMIT 1');
      const forgetSubject = this.db.prepare('UPDATE images SET subject_id = NULL WHERE id = ?');
      for (const id of touched) {
        if (!hasFace.get(id)) dropImage(id);
        else if (lostSubject.has(id)) forgetSubject.run(id);
      }
    }
    return { images, faces: labels.length, labels };
  }
}
