/**
 * Who owns a gallery, read without a caller: for the CLI operator (who works on the platform's
 * galleries), the sweeps, and audit entries that must go into the owner's chain. Ownership is this
 * room's table; these are its only reads outside a scope. Which gallery has an owner reveals no org
 * content (the platform-admin's grant view shows the same).
 */
import type { Db } from './context.js';

/** The org owning a gallery, or null for a platform gallery (no owner row). */
export function galleryOwner(db: Db, galleryId: string): string | null {
  return (
    (db.prepare('SELECT org_id FROM gallery_owners WHERE gallery_id = ?').pluck().get(galleryId) as
      | string
      | undefined) ?? null
  );
}

/** Ids of every gallery some org owns (the rest are the platform's). */
export function orgOwnedGalleryIds(db: Db): Set<string> {
  return new Set(db.prepare('SELECT gallery_id FROM gallery_owners').pluck().all() as string[]);
}
