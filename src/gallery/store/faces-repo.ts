import { newId } from '../../core/ids.js';
import type { Box } from '../../vision/geometry.js';
import type { FaceQuality } from '../../vision/quality.js';
import type { Db } from './database.js';
import type { FaceRecord, NewFace } from './records.js';

interface FaceRow {
  label: number;
  id: string;
  image_id: string;
  gallery_id: string;
  face_index: number;
  box: string;
  score: number;
  quality: string;
  identity_id: string | null;
}

const toFace = (r: FaceRow): FaceRecord => ({
  label: r.label,
  id: r.id,
  imageId: r.image_id,
  galleryId: r.gallery_id,
  faceIndex: r.face_index,
  box: JSON.parse(r.box) as Box,
  score: r.score,
  quality: JSON.parse(r.quality) as FaceQuality,
  identityId: r.identity_id,
});

/** Float32 embeddings stored as raw little-endian bytes: 512 bytes per face, no parsing on read. */
export function embeddingToBlob(e: Float32Array): Buffer {
  return Buffer.from(e.buffer, e.byteOffset, e.byteLength);
}

export function blobToEmbedding(b: Buffer): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

export class FacesRepo {
  constructor(private readonly db: Db) {}

  /** Inserts the faces of one image; returns their labels and ids in input order. Call inside a transaction. */
  insertMany(galleryId: string, imageId: string, faces: readonly NewFace[]): { label: number; id: string }[] {
    const insertFace = this.db.prepare(
      `INSERT INTO faces (id, image_id, gallery_id, face_index, box, landmarks, score, quality, embedding, is_subject)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertThumb = this.db.prepare('INSERT INTO face_thumbnails (face_label, jpeg) VALUES (?, ?)');
    return faces.map((f) => {
      const id = newId();
      const info = insertFace.run(
        id,
        imageId,
        galleryId,
        f.faceIndex,
        JSON.stringify(f.box),
        JSON.stringify(f.landmarks),
        f.score,
        JSON.stringify(f.quality),
        embeddingToBlob(f.embedding),
        f.isSubject ? 1 : 0,
      );
      const label = Number(info.lastInsertRowid);
      if (f.thumbnail) insertThumb.run(label, Buffer.from(f.thumbnail));
      return { label, id };
    });
  }

  byLabels(labels: readonly number[]): Map<number, FaceRecord> {
    const out = new Map<number, FaceRecord>();
    if (labels.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT label, id, image_id, gallery_id, face_index, box, score, quality, identity_id FROM faces
         WHERE label IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(labels)) as FaceRow[];
    for (const r of rows) out.set(r.label, toFace(r));
    return out;
  }

  get(id: string): FaceRecord | undefined {
    const row = this.db
      .prepare(
        'SELECT label, id, image_id, gallery_id, face_index, box, score, quality, identity_id FROM faces WHERE id = ?',
      )
      .get(id) as FaceRow | undefined;
    return row && toFace(row);
  }

  thumbnail(faceId: string): Uint8Array | undefined {
    const row = this.db
      .prepare('SELECT t.jpeg FROM face_thumbnails t JOIN faces f ON f.label = t.face_label WHERE f.id = ?')
      .get(faceId) as { jpeg: Buffer } | undefined;
    return row?.jpeg;
  }

  /** Faces in every gallery (the metrics gauge). */
  countAll(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM faces').get() as { n: number }).n;
  }

  count(galleryId: string): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM faces WHERE gallery_id = ?').get(galleryId) as { n: number }
    ).n;
  }

  labels(galleryId: string): number[] {
    return (
      this.db.prepare('SELECT label FROM faces WHERE gallery_id = ? ORDER BY label').all(galleryId) as {
        label: number;
      }[]
    ).map((r) => r.label);
  }

  /** Streams (label, embedding) of a gallery's faces above a label, in label order, in batches. */
  *embeddingsAfter(
    galleryId: string,
    afterLabel: number,
    batch = 10_000,
  ): Generator<{ labels: number[]; vectors: Float32Array }> {
    const stmt = this.db.prepare(
      'SELECT label, embedding FROM faces WHERE gallery_id = ? AND label > ? ORDER BY label LIMIT ?',
    );
    let cursor = afterLabel;
    for (;;) {
      const rows = stmt.all(galleryId, cursor, batch) as { label: number; embedding: Buffer }[];
      if (rows.length === 0) return;
      const dims = rows[0] ? rows[0].embedding.byteLength / 4 : 0;
      const vectors = new Float32Array(rows.length * dims);
      for (const [i, r] of rows.entries()) vectors.set(blobToEmbedding(r.embedding), i * dims);
      yield { labels: rows.map((r) => r.label), vectors };
      cursor = rows[rows.length - 1]?.label ?? cursor;
    }
  }

  embedding(label: number): Float32Array | undefined {
    const row = this.db.prepare('SELECT embedding FROM faces WHERE label = ?').get(label) as
      | { embedding: Buffer }
      | undefined;
    return row && blobToEmbedding(row.embedding);
  }

  delete(id: string): number | undefined {
    const row = this.db.prepare('DELETE FROM faces WHERE id = ? RETURNING label').get(id) as
      | { label: number }
      | undefined;
    return row?.label;
  }
}

/** What a search result needs to show of a face: where it came from and whom it was filed under. */
export interface FaceProvenance {
  label: number;
  faceId: string;
  imageId: string;
  galleryId: string;
  galleryName: string;
  subjectId: string | null;
  location: string;
  sourceLink: string | null;
  identityId: string | null;
  identityFaces: number | null;
  /** Faces filed under the same subject id in this gallery (null without a subject id). */
  subjectFaces: number | null;
  box: Box;
}

export function describeFaces(db: Db, labels: readonly number[]): Map<number, FaceProvenance> {
  const out = new Map<number, FaceProvenance>();
  if (labels.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT f.label, f.id AS face_id, f.image_id, f.gallery_id, g.name AS gallery_name,
              CASE WHEN f.is_subject = 1 THEN i.subject_id END AS subject_id, i.location,
              i.source_link, f.identity_id, d.face_count AS identity_faces, f.box,
              CASE WHEN f.is_subject = 1 AND i.subject_id IS NOT NULL THEN
                (SELECT COUNT(*) FROM images i2 JOIN faces f2 ON f2.image_id = i2.id
                 WHERE i2.gallery_id = i.gallery_id AND i2.subject_id = i.subject_id AND f2.is_subject = 1) END AS subject_faces
       FROM faces f JOIN images i ON i.id = f.image_id JOIN galleries g ON g.id = f.gallery_id
       LEFT JOIN identities d ON d.id = f.identity_id
       WHERE f.label IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(labels)) as {
    label: number;
    face_id: string;
    image_id: string;
    gallery_id: string;
    gallery_name: string;
    subject_id: string | null;
    location: string;
    source_link: string | null;
    identity_id: string | null;
    identity_faces: number | null;
    subject_faces: number | null;
    box: string;
  }[];
  for (const r of rows) {
    out.set(r.label, {
      label: r.label,
      faceId: r.face_id,
      imageId: r.image_id,
      galleryId: r.gallery_id,
      galleryName: r.gallery_name,
      subjectId: r.subject_id,
      location: r.location,
      sourceLink: r.source_link,
      identityId: r.identity_id,
      identityFaces: r.identity_faces,
      subjectFaces: r.subject_faces,
      box: JSON.parse(r.box) as Box,
    });
  }
  return out;
}

/** Every face of a gallery with what clustering needs to know: its image and the image's subject id. */
export function faceNodes(
  db: Db,
  galleryId: string,
): { label: number; imageId: string; subjectId: string | null }[] {
  return db
    .prepare(
      `SELECT f.label, f.image_id AS imageId, CASE WHEN f.is_subject = 1 THEN i.subject_id END AS subjectId
       FROM faces f JOIN images i ON i.id = f.image_id
       WHERE f.gallery_id = ? ORDER BY f.label`,
    )
    .all(galleryId) as { label: number; imageId: string; subjectId: string | null }[];
}
