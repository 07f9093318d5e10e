/** The platform's galleries as the CLI operator sees them (no caller scope applies there). */
import type { GalleryStore } from '../gallery/store/gallery-store.js';
import type { Gallery } from '../gallery/store/records.js';
import { orgOwnedGalleryIds } from '../tenancy/index.js';

/** Galleries no org owns: the platform's. */
export function platformGalleries(store: GalleryStore): Gallery[] {
  const owned = orgOwnedGalleryIds(store.db);
  return store.galleries.list().filter((g) => !owned.has(g.id));
}
