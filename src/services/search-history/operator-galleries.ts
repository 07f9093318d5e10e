/**
 * The galleries a CLI operator's search covers: the platform's own (no org owns them). An org's
 * galleries are searched through the server by that org's investigators, under its quota and history.
 */
import { FaceLedgerError } from '../../core/errors.js';
import { pickByName } from '../../gallery/store/galleries-repo.js';
import type { GalleryStore } from '../../gallery/store/gallery-store.js';
import { platformGalleries } from '../gallery-owners.js';

export function operatorGalleryIds(store: GalleryStore, requested: readonly string[] | undefined): string[] {
  const platform = platformGalleries(store);
  if (!requested || requested.length === 0) {
    if (platform.length === 0)
      throw new FaceLedgerError('BAD_INPUT', 'there are no platform galleries to search');
    return platform.map((g) => g.id);
  }
  const ids = new Set<string>();
  for (const wanted of requested) {
    const byId = store.galleries.findById(wanted);
    if (byId && !platform.some((p) => p.id === byId.id))
      throw new FaceLedgerError(
        'BAD_INPUT',
        `gallery "${wanted}" belongs to an organisation: its investigators search it through the server`,
      );
    // By name, only the platform's own count: an org may use the same name for one of its galleries.
    const g =
      byId ??
      pickByName(
        platform.filter((p) => p.name === wanted),
        wanted,
      );
    ids.add(g.id);
  }
  return [...ids];
}
