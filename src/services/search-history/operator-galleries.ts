/**
 * The galleries a CLI operator's search covers: the platform's own (no org owns them). An org's
 * galleries are searched through the server by that org's investigators, under its quota and history.
 */
import { FaceLedgerError } from '../../core/errors.js';
import type { GalleryStore } from '../../gallery/store/gallery-store.js';

export function operatorGalleryIds(store: GalleryStore, requested: readonly string[] | undefined): string[] {
  // Ownership lives in the tenancy room's gallery_owners table; reading which galleries have an owner
  // reveals no org content (the platform-admin's grant view shows the same).
  const owned = new Set(store.db.prepare('SELECT gallery_id FROM gallery_owners').pluck().all() as string[]);
  if (!requested || requested.length === 0) {
    const ids = store.galleries
      .list()
      .map((g) => g.id)
      .filter((id) => !owned.has(id));
    if (ids.length === 0) throw new FaceLedgerError('BAD_INPUT', 'there are no platform galleries to search');
    return ids;
  }
  const ids = new Set<string>();
  for (const wanted of requested) {
    const g = store.galleries.get(wanted);
    if (owned.has(g.id))
      throw new FaceLedgerError(
        'BAD_INPUT',
        `gallery "${wanted}" belongs to an organisation: its investigators search it through the server`,
      );
    ids.add(g.id);
  }
  return [...ids];
}
