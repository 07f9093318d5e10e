import { FaceLedgerError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db } from './database.js';
import type { Gallery } from './records.js';

interface GalleryRow {
  id: string;
  name: string;
  description: string;
  legal_basis: string;
  source_description: string;
  retention_days: number | null;
  created_by: string;
  created_at: string;
}

export interface GalleryStats extends Gallery {
  images: number;
  faces: number;
  identities: number;
}

const toGallery = (r: GalleryRow): Gallery => ({
  id: r.id,
  name: r.name,
  description: r.description,
  legalBasis: r.legal_basis,
  sourceDescription: r.source_description,
  retentionDays: r.retention_days,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/** The one gallery among `named` (all called `name`), or a clear error when there is none or several. */
export function pickByName(named: readonly Gallery[], name: string): Gallery {
  const [only, ...others] = named;
  if (!only) throw new FaceLedgerError('NOT_FOUND', `No gallery named "${name.slice(0, 200)}".`);
  if (others.length > 0)
    throw new FaceLedgerError(
      'BAD_INPUT',
      `${named.length} galleries are named "${name.slice(0, 200)}"; name the one you mean by its id.`,
    );
  return only;
}

export class GalleriesRepo {
  constructor(private readonly db: Db) {}

  /** Names are unique per owner, which the tenancy room knows: the services creating galleries check it. */
  create(input: Omit<Gallery, 'id'>): Gallery {
    const gallery: Gallery = { id: newId(), ...input };
    this.db
      .prepare(
        `INSERT INTO galleries (id, name, description, legal_basis, source_description, retention_days, created_by, created_at)
         VALUES (@id, @name, @description, @legalBasis, @sourceDescription, @retentionDays, @createdBy, @createdAt)`,
      )
      .run(gallery);
    return gallery;
  }

  /** Every gallery of that name: one per owner at most, so several across orgs and the platform. */
  findAllByName(name: string): Gallery[] {
    const rows = this.db
      .prepare('SELECT * FROM galleries WHERE name = ? ORDER BY id')
      .all(name) as GalleryRow[];
    return rows.map(toGallery);
  }

  findById(id: string): Gallery | undefined {
    const row = this.db.prepare('SELECT * FROM galleries WHERE id = ?').get(id) as GalleryRow | undefined;
    return row && toGallery(row);
  }

  /** Changes how long the gallery's images are kept (null: until erased). */
  setRetentionDays(id: string, days: number | null): void {
    this.db.prepare('UPDATE galleries SET retention_days = ? WHERE id = ?').run(days, id);
  }

  /**
   * The gallery by id, else by name (the id first, so a name can never stand in for another gallery's
   * id); NOT_FOUND naming what was asked for, BAD_INPUT when several owners use the name.
   */
  get(nameOrId: string): Gallery {
    const byId = this.findById(nameOrId);
    if (byId) return byId;
    return pickByName(this.findAllByName(nameOrId), nameOrId);
  }

  list(): GalleryStats[] {
    const rows = this.db
      .prepare(
        `SELECT g.*,
           (SELECT COUNT(*) FROM images i WHERE i.gallery_id = g.id) AS images,
           (SELECT COUNT(*) FROM faces f WHERE f.gallery_id = g.id) AS faces,
           (SELECT COUNT(*) FROM identities d WHERE d.gallery_id = g.id) AS identities
         FROM galleries g ORDER BY g.name`,
      )
      .all() as (GalleryRow & { images: number; faces: number; identities: number })[];
    return rows.map((r) => ({ ...toGallery(r), images: r.images, faces: r.faces, identities: r.identities }));
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM galleries WHERE id = ?').run(id);
  }
}
