import { newId } from '../../core/ids.js';
import type { Db } from './database.js';
import type { Identity } from './records.js';

interface IdentityRow {
  id: string;
  gallery_id: string;
  subject_id: string | null;
  face_count: number;
  created_at: string;
}

const toIdentity = (r: IdentityRow): Identity => ({
  id: r.id,
  galleryId: r.gallery_id,
  subjectId: r.subject_id,
  faceCount: r.face_count,
  createdAt: r.created_at,
});

export class IdentitiesRepo {
  constructor(private readonly db: Db) {}

  /** Replaces a gallery's identities with new clusters of face labels. Call inside a transaction. */
  replaceAll(
    galleryId: string,
    clusters: readonly { labels: readonly number[]; subjectId: string | null }[],
    now: string,
  ): number {
    this.db.prepare('UPDATE faces SET identity_id = NULL WHERE gallery_id = ?').run(galleryId);
    this.db.prepare('DELETE FROM identities WHERE gallery_id = ?').run(galleryId);
    const insert = this.db.prepare(
      'INSERT INTO identities (id, gallery_id, subject_id, face_count, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    const assign = this.db.prepare(
      'UPDATE faces SET identity_id = ? WHERE gallery_id = ? AND label IN (SELECT value FROM json_each(?))',
    );
    for (const c of clusters) {
      const id = newId();
      insert.run(id, galleryId, c.subjectId, c.labels.length, now);
      assign.run(id, galleryId, JSON.stringify(c.labels));
    }
    return clusters.length;
  }

  list(galleryId: string, limit = 100, offset = 0): Identity[] {
    const rows = this.db
      .prepare('SELECT * FROM identities WHERE gallery_id = ? ORDER BY face_count DESC, id LIMIT ? OFFSET ?')
      .all(galleryId, limit, offset) as IdentityRow[];
    return rows.map(toIdentity);
  }

  count(galleryId: string): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM identities WHERE gallery_id = ?').get(galleryId) as {
        n: number;
      }
    ).n;
  }

  get(id: string): Identity | undefined {
    const row = this.db.prepare('SELECT * FROM identities WHERE id = ?').get(id) as IdentityRow | undefined;
    return row && toIdentity(row);
  }

  /** Recounts after faces were deleted; identities left with no face are removed. */
  refreshCounts(galleryId: string): void {
    this.db
      .prepare(
        `UPDATE identities SET face_count = (SELECT COUNT(*) FROM faces f WHERE f.identity_id = identities.id) WHERE gallery_id = ?`,
      )
      .run(galleryId);
    this.db.prepare('DELETE FROM identities WHERE gallery_id = ? AND face_count = 0').run(galleryId);
  }
}
