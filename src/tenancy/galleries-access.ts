/**
 * Which galleries an org may search: those it owns (`gallery_owners`) and those a platform-admin
 * shared with it (`gallery_grants`). A gallery with no owner row belongs to the platform and is
 * visible to an org only through a grant.
 */
import { notFound } from './denial.js';
import { authorize } from './policy.js';
import { OrgScopedRepo } from './scoped-repo.js';

export class GalleryAccessRepo extends OrgScopedRepo {
  /** Gallery ids the org owns or was granted, sorted. */
  accessibleIds(): string[] {
    return this.sql
      .all<{ id: string }>(
        `SELECT gallery_id AS id FROM gallery_owners WHERE org_id = @org
         UNION SELECT gallery_id AS id FROM gallery_grants WHERE org_id = @org ORDER BY id`,
      )
      .map((r) => r.id);
  }

  /** Whether the org owns or was granted this gallery. */
  canAccess(galleryId: string): boolean {
    if (typeof galleryId !== 'string') return false;
    return (
      this.sql.get(
        `SELECT 1 AS x FROM gallery_owners WHERE org_id = @org AND gallery_id = @id
         UNION ALL SELECT 1 AS x FROM gallery_grants WHERE org_id = @org AND gallery_id = @id LIMIT 1`,
        { id: galleryId },
      ) !== undefined
    );
  }

  /** Gallery ids the org owns (may manage, ingest into, erase from). */
  ownedIds(): string[] {
    return this.sql
      .all<{ id: string }>(
        'SELECT gallery_id AS id FROM gallery_owners WHERE org_id = @org ORDER BY gallery_id',
      )
      .map((r) => r.id);
  }

  /**
   * Records the org as owner of a gallery its caller has just created. Call it in the transaction that
   * creates the gallery, with the gallery's `created_by` set to `caller.actor`: only a gallery that
   * caller created, that has no owner and was never shared, can be claimed (so no org can take over a
   * platform gallery). NOT_FOUND otherwise.
   */
  claimCreated(galleryId: string): void {
    authorize(this.caller, 'galleries.manage');
    this.ctx.tx(() => {
      const changes = this.sql.run(
        `INSERT INTO gallery_owners (gallery_id, org_id, assigned_by, assigned_at)
         SELECT g.id, @org, @actor, @now FROM galleries g
         WHERE g.id = @id AND g.created_by = @actor
           AND NOT EXISTS (SELECT 1 FROM gallery_owners o WHERE o.gallery_id = g.id)
           AND NOT EXISTS (SELECT 1 FROM gallery_grants r WHERE r.gallery_id = g.id)`,
        { id: galleryId, actor: this.caller.actor, now: this.ctx.now().toISOString() },
      ).changes;
      if (changes !== 1) throw notFound('gallery');
      this.ctx.event('config.changed', this.sql.orgId, this.caller.actor, {
        changes: [{ key: `gallery.${galleryId}.owner`, from: null, to: this.sql.orgId }],
      });
    });
  }
}
