/**
 * Galleries as one caller sees them. An org's members see the galleries their org owns and those a
 * platform-admin shared with it; only the owner manages one (browses its images, ingests, reads its
 * jobs). A platform-admin sees and manages the platform's own galleries and never an org's. Anything
 * outside the caller's view is NOT_FOUND, the same answer as for an id that does not exist.
 */
import { FaceLedgerError, notFound } from '../core/errors.js';
import type { GalleryStats } from '../gallery/store/galleries-repo.js';
import type { ImageWithFaces } from '../gallery/store/images-repo.js';
import type { Gallery, Identity, IngestItem, IngestJob } from '../gallery/store/records.js';
import { type Caller, checkGalleryName, type GalleryGrant } from '../tenancy/index.js';
import type { FaceLedgerApp } from './app.js';
import { GalleryService } from './gallery-service.js';
import { type IdentityBuild, IdentityService } from './identity-service.js';

/** How the caller's org holds the gallery: it owns it, it was shared with it, or (platform-admins) the platform's. */
export type GalleryRelation = 'owned' | 'granted' | 'platform';

export interface GalleryView extends GalleryStats {
  relation: GalleryRelation;
  /** Orgs a platform gallery is shared with (platform-admins only). */
  grantedTo?: string[];
}

export interface NewGallery {
  name: string;
  legalBasis: string;
  description?: string;
  sourceDescription?: string;
  retentionDays?: number | null;
}

export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

export class OrgGalleryService {
  readonly #app: FaceLedgerApp;
  readonly #galleries: GalleryService;

  constructor(app: FaceLedgerApp) {
    this.#app = app;
    this.#galleries = new GalleryService(app);
  }

  /** Every gallery the caller can see, with image, face and identity counts. */
  list(caller: Caller): GalleryView[] {
    const relations = this.#relations(caller);
    return this.#app.store.galleries
      .list()
      .filter((g) => relations.has(g.id))
      .map((g) => this.#view(caller, g, relations.get(g.id) as GalleryRelation));
  }

  get(caller: Caller, galleryId: string): GalleryView {
    const relation = this.#relations(caller).get(galleryId);
    const stats = relation && this.#app.store.galleries.list().find((g) => g.id === galleryId);
    if (!relation || !stats) throw notFound('gallery');
    return this.#view(caller, stats, relation);
  }

  /**
   * Creates a gallery owned by the caller's org (org-admins) or by the platform (platform-admins). The
   * owner is recorded in the transaction that creates the row, so no gallery exists ownerless meanwhile.
   */
  create(caller: Caller, input: NewGallery): GalleryView {
    const name = input.name.trim();
    const store = this.#app.store;
    const gallery = store.transaction(() => {
      checkGalleryName(store.db, caller.orgId, name);
      const created = this.#galleries.createUnchecked({ ...input, name, createdBy: caller.actor });
      if (caller.orgId !== null) this.#app.tenancy.forCaller(caller).galleries.claimCreated(created.id);
      return created;
    });
    return this.get(caller, gallery.id);
  }

  /**
   * The gallery, if the caller may manage it (ingest, browse, read its jobs): its org owns it, or it is a
   * platform gallery and the caller a platform-admin. A gallery only shared with the org is FORBIDDEN.
   */
  requireManaged(caller: Caller, galleryId: string): Gallery {
    const relation = this.#relations(caller).get(galleryId);
    if (!relation) throw notFound('gallery');
    if (relation === 'granted')
      throw new FaceLedgerError(
        'FORBIDDEN',
        'this gallery is shared with your organisation for searching; only its owner manages it',
      );
    const gallery = this.#app.store.galleries.findById(galleryId);
    if (!gallery) throw notFound('gallery');
    return gallery;
  }

  /**
   * Changes how long a managed gallery keeps its images (null: until erased); the retention sweep
   * enforces it from its next run. Audited in the owner's chain.
   */
  setRetention(caller: Caller, galleryId: string, retentionDays: number | null): GalleryView {
    const gallery = this.requireManaged(caller, galleryId);
    const store = this.#app.store;
    store.transaction(() => {
      store.galleries.setRetentionDays(gallery.id, retentionDays);
      this.#app.audit.append({
        type: 'config.changed',
        orgId: caller.orgId,
        actor: caller.actor,
        details: {
          changes: [
            {
              key: `gallery.${gallery.id}.retentionDays`,
              from: gallery.retentionDays === null ? null : String(gallery.retentionDays),
              to: retentionDays === null ? null : String(retentionDays),
            },
          ],
        },
      });
    });
    return this.get(caller, gallery.id);
  }

  /** One page of a managed gallery's images, oldest first, with their faces. */
  images(caller: Caller, galleryId: string, limit: number, offset: number): Page<ImageWithFaces> {
    const gallery = this.requireManaged(caller, galleryId);
    const total = this.#statsOf(gallery.id).images;
    return { total, limit, offset, items: this.#app.store.images.page(gallery.id, limit, offset) };
  }

  /** Regroups a managed gallery's faces into identities (replacing the previous grouping). */
  buildIdentities(caller: Caller, galleryId: string): Promise<IdentityBuild> {
    const gallery = this.requireManaged(caller, galleryId);
    return new IdentityService(this.#app).buildGallery(gallery.id);
  }

  /** One page of a managed gallery's identities (face groups), largest first. */
  identities(caller: Caller, galleryId: string, limit: number, offset: number): Page<Identity> {
    const gallery = this.requireManaged(caller, galleryId);
    const total = this.#statsOf(gallery.id).identities;
    return { total, limit, offset, items: this.#app.store.identities.list(gallery.id, limit, offset) };
  }

  /** Ingest jobs of a managed gallery, newest first. */
  jobs(caller: Caller, galleryId: string): IngestJob[] {
    return this.#app.store.jobs.list(this.requireManaged(caller, galleryId).id);
  }

  /** One job of a gallery the caller manages, with up to `maxProblems` items that enrolled nothing. */
  job(caller: Caller, jobId: string, maxProblems: number): { job: IngestJob; problems: IngestItem[] } {
    const job = this.#app.store.jobs.get(jobId);
    if (!job) throw notFound('job');
    try {
      this.requireManaged(caller, job.galleryId);
    } catch {
      throw notFound('job');
    }
    return { job, problems: this.#app.store.jobs.items(job.id, ['error', 'no_face']).slice(0, maxProblems) };
  }

  /**
   * Shares a platform gallery with an org (platform-admins). An org's own gallery is that org's data,
   * not the platform's to give to another org: NOT_FOUND, as for any gallery outside the platform's view.
   */
  grant(caller: Caller, galleryId: string, orgId: string): GalleryGrant {
    const grants = this.#app.tenancy.forPlatform(caller).galleries;
    return this.#app.store.transaction(() => {
      if (grants.ownerOf(galleryId) !== null) throw notFound('gallery');
      return grants.grant(galleryId, orgId);
    });
  }

  /**
   * Hands a platform gallery over to an org, which then owns and manages it (a gallery the platform
   * built for a client). One-way for platform-admins: an org's gallery is outside their view
   * (NOT_FOUND), and a gallery still shared with orgs must have its shares revoked first (CONFLICT).
   */
  handOver(caller: Caller, galleryId: string, orgId: string): GalleryView {
    const grants = this.#app.tenancy.forPlatform(caller).galleries;
    this.#app.store.transaction(() => {
      if (grants.ownerOf(galleryId) !== null) throw notFound('gallery');
      if (grants.grants(galleryId).length > 0)
        throw new FaceLedgerError(
          'CONFLICT',
          'this gallery is shared with organisations; revoke its shares before handing it over',
        );
      grants.setOwner(galleryId, orgId);
    });
    const gallery = this.#app.store.galleries.list().find((g) => g.id === galleryId);
    if (!gallery) throw notFound('gallery');
    return { ...gallery, relation: 'owned' };
  }

  /** Stops sharing a gallery with an org; NOT_FOUND when it was not shared. */
  revokeGrant(caller: Caller, galleryId: string, orgId: string): void {
    if (!this.#app.tenancy.forPlatform(caller).galleries.revoke(galleryId, orgId))
      throw new FaceLedgerError('NOT_FOUND', 'that gallery is not shared with that org');
  }

  /** Gallery id → how the caller holds it, for every gallery the caller may see. */
  #relations(caller: Caller): Map<string, GalleryRelation> {
    const out = new Map<string, GalleryRelation>();
    if (caller.orgId === null) {
      for (const id of this.#app.tenancy.forPlatform(caller).galleries.platformOwnedIds())
        out.set(id, 'platform');
      return out;
    }
    const access = this.#app.tenancy.forCaller(caller).galleries;
    const owned = new Set(access.ownedIds());
    for (const id of access.accessibleIds()) out.set(id, owned.has(id) ? 'owned' : 'granted');
    return out;
  }

  #statsOf(galleryId: string): GalleryStats {
    const stats = this.#app.store.galleries.list().find((g) => g.id === galleryId);
    if (!stats) throw notFound('gallery');
    return stats;
  }

  #view(caller: Caller, stats: GalleryStats, relation: GalleryRelation): GalleryView {
    if (relation !== 'platform') return { ...stats, relation };
    const grants = this.#app.tenancy.forPlatform(caller).galleries.grants(stats.id);
    return { ...stats, relation, grantedTo: grants.map((g) => g.orgId) };
  }
}
