/**
 * The gallery-name rule: one name per owner (an org, or the platform when no org owns the gallery).
 * Checked when a gallery is created and when it changes owner; another owner's galleries are never
 * consulted, so a refusal tells nothing about other orgs.
 */
import { FaceLedgerError } from '../core/errors.js';
import type { Db } from './context.js';

/** A gallery name that reads like an id could be mistaken for another gallery's id (look-ups take both). */
const ID_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Refuses `name` for a gallery held by `owner` (org id, or null for the platform): BAD_INPUT when it
 * is empty or looks like an id, CONFLICT when another gallery of the same owner (other than `self`) has it.
 */
export function checkGalleryName(
  db: Db,
  owner: string | null,
  name: string,
  self: string | null = null,
): void {
  if (name.trim() === '') throw new FaceLedgerError('BAD_INPUT', 'a gallery needs a name');
  if (ID_SHAPED.test(name)) throw new FaceLedgerError('BAD_INPUT', 'a gallery name must not look like an id');
  const taken = db
    .prepare(
      `SELECT 1 FROM galleries g LEFT JOIN gallery_owners o ON o.gallery_id = g.id
       WHERE g.name = ? AND o.org_id IS ? AND g.id IS NOT ?`,
    )
    .get(name, owner, self);
  if (taken)
    throw new FaceLedgerError(
      'CONFLICT',
      `${owner === null ? 'the platform' : 'the organisation'} already has a gallery named "${name.slice(0, 200)}"; choose another name`,
    );
}
