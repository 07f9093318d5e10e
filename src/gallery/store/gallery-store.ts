import { type Db, openDatabase } from './database.js';
import { FacesRepo } from './faces-repo.js';
import { GalleriesRepo } from './galleries-repo.js';
import { IdentitiesRepo } from './identities-repo.js';
import { ImagesRepo } from './images-repo.js';
import { JobsRepo } from './jobs-repo.js';
import type { Migration } from './migrations.js';

/** The repositories over one SQLite file: the only code that writes SQL, and the source of truth. */
export class GalleryStore {
  readonly galleries: GalleriesRepo;
  readonly images: ImagesRepo;
  readonly faces: FacesRepo;
  readonly jobs: JobsRepo;
  readonly identities: IdentitiesRepo;

  constructor(readonly db: Db) {
    this.galleries = new GalleriesRepo(db);
    this.images = new ImagesRepo(db);
    this.faces = new FacesRepo(db);
    this.jobs = new JobsRepo(db);
    this.identities = new IdentitiesRepo(db);
  }

  /** `migrations`: the app's whole schema (services/schema.ts); defaults to the gallery tables alone. */
  static open(path: string, migrations?: readonly Migration[]): GalleryStore {
    return new GalleryStore(openDatabase(path, migrations));
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  indexWatermark(galleryId: string): number {
    const row = this.db
      .prepare('SELECT saved_through_label AS l FROM index_state WHERE gallery_id = ?')
      .get(galleryId) as { l: number } | undefined;
    return row?.l ?? 0;
  }

  setIndexWatermark(galleryId: string, label: number, now: string): void {
    this.db
      .prepare(
        `INSERT INTO index_state (gallery_id, saved_through_label, saved_at) VALUES (?, ?, ?)
         ON CONFLICT (gallery_id) DO UPDATE SET saved_through_label = excluded.saved_through_label, saved_at = excluded.saved_at`,
      )
      .run(galleryId, label, now);
  }

  close(): void {
    this.db.close();
  }
}
