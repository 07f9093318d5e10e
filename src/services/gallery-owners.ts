/**
 * Who holds a gallery, read where no caller scope applies: the CLI operator, who works on the
 * platform's galleries. Ownership lives in the tenancy room's `gallery_owners`; which gallery has an
 * owner reveals no org content (the platform-admin's grant view shows the same).
 */
import type { GalleryStore } from '../gallery/store/gallery-store.js';
import type { Gallery } from '../gallery/store/records.js';

/** Galleries no org owns: the platform's. */
export function platformGalleries(store: GalleryStore): Gallery[] {
  const owned = new Set(store.db.prepare('SELECT gallery_id FROM gallery_owners').pluck().all() as string[]);
  return store.galleries.list().filter((g) => !owned.has(g.id));
}
