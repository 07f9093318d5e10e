/**
 * The platform-admin's side of gallery access: who owns a gallery, and which orgs it is shared with.
 * Every change is audited (`config.changed`) into the chain of the org it affects.
 */
import { FaceLedgerError } from '../core/errors.js';
import { notFound } from './denial.js';
import { checkGalleryName } from './gallery-names.js';
import { authorize } from './policy.js';
import { PlatformScopedRepo } from './scoped-repo.js';

export interface GalleryGrant {
  galleryId: string;
  orgId: string;
  grantedBy: string;
  grantedAt: string;
}

export class GalleryGrantsRepo extends PlatformScopedRepo {
  /** The owning org, or null when the platform owns the gallery. NOT_FOUND for an unknown gallery. */
  ownerOf(galleryId: string): string | null {
    authorize(this.caller, 'galleries.grant', { orgId: null });
    this.#requireGallery(galleryId);
    return (
      this.sql.get<{ org_id: string }>('SELECT org_id FROM gallery_owners WHERE gallery_id = @id', {
        id: galleryId,
      })?.org_id ?? null
    );
  }

  /** Sets (or, with null, clears: back to the platform) a gallery's owner. */
  setOwner(galleryId: string, orgId: string | null): void {
    authorize(this.caller, 'galleries.grant', { orgId });
    this.ctx.tx(() => {
      this.#requireGallery(galleryId);
      if (orgId !== null) this.#requireOrg(orgId);
      const before = this.ownerOf(galleryId);
      if (before === orgId) return;
      const name = this.sql.get<{ name: string }>('SELECT name FROM galleries WHERE id = @id', {
        id: galleryId,
      });
      checkGalleryName(this.ctx.db, orgId, name?.name ?? '', galleryId);
      this.sql.run('DELETE FROM gallery_owners WHERE gallery_id = @id', { id: galleryId });
      if (orgId !== null) {
        this.sql.run(
          `INSERT INTO gallery_owners (gallery_id, org_id, assigned_by, assigned_at)
           VALUES (@id, @orgId, @by, @now)`,
          { id: galleryId, orgId, by: this.caller.actor, now: this.ctx.now().toISOString() },
        );
      }
      const change = { key: `gallery.${galleryId}.owner`, from: before, to: orgId };
      for (const affected of new Set([before, orgId]))
        this.ctx.event('config.changed', affected, this.caller.actor, { changes: [change] });
    });
  }

  /** Shares the gallery with an org (idempotent). */
  grant(galleryId: string, orgId: string): GalleryGrant {
    authorize(this.caller, 'galleries.grant', { orgId });
    return this.ctx.tx(() => {
      this.#requireGallery(galleryId);
      this.#requireOrg(orgId);
      const inserted = this.sql.run(
        `INSERT OR IGNORE INTO gallery_grants (gallery_id, org_id, granted_by, granted_at)
         VALUES (@id, @orgId, @by, @now)`,
        { id: galleryId, orgId, by: this.caller.actor, now: this.ctx.now().toISOString() },
      ).changes;
      if (inserted > 0)
        this.ctx.event('config.changed', orgId, this.caller.actor, {
          changes: [{ key: `gallery.${galleryId}.grant`, from: null, to: 'granted' }],
        });
      const grant = this.grants(galleryId).find((g) => g.orgId === orgId);
      if (!grant) throw new FaceLedgerError('INTERNAL', 'grant vanished after insert');
      return grant;
    });
  }

  /** Withdraws a share; returns whether there was one. */
  revoke(galleryId: string, orgId: string): boolean {
    authorize(this.caller, 'galleries.grant', { orgId });
    return this.ctx.tx(() => {
      const removed = this.sql.run('DELETE FROM gallery_grants WHERE gallery_id = @id AND org_id = @orgId', {
        id: galleryId,
        orgId,
      }).changes;
      if (removed > 0)
        this.ctx.event('config.changed', orgId, this.caller.actor, {
          changes: [{ key: `gallery.${galleryId}.grant`, from: 'granted', to: null }],
        });
      return removed > 0;
    });
  }

  /** The orgs a gallery is shared with. */
  grants(galleryId: string): GalleryGrant[] {
    authorize(this.caller, 'galleries.grant', { orgId: null });
    return this.sql
      .all<{ gallery_id: string; org_id: string; granted_by: string; granted_at: string }>(
        'SELECT * FROM gallery_grants WHERE gallery_id = @id ORDER BY granted_at, org_id',
        { id: galleryId },
      )
      .map((r) => ({
        galleryId: r.gallery_id,
        orgId: r.org_id,
        grantedBy: r.granted_by,
        grantedAt: r.granted_at,
      }));
  }

  /** Galleries no org owns (the platform's, which platform-admins manage). */
  platformOwnedIds(): string[] {
    authorize(this.caller, 'galleries.manage', { orgId: null });
    return this.sql
      .all<{ id: string }>(
        'SELECT id FROM galleries WHERE id NOT IN (SELECT gallery_id FROM gallery_owners) ORDER BY id',
      )
      .map((r) => r.id);
  }

  #requireGallery(galleryId: string): void {
    if (
      typeof galleryId !== 'string' ||
      !this.sql.get('SELECT 1 AS x FROM galleries WHERE id = @id', { id: galleryId })
    )
      throw notFound('gallery');
  }

  #requireOrg(orgId: string): void {
    if (typeof orgId !== 'string' || !this.sql.get('SELECT 1 AS x FROM orgs WHERE id = @id', { id: orgId }))
      throw notFound('org');
  }
}
