import type { AuditDetails, AuditEvent } from '../audit/index.js';
import { FaceLedgerError, notFound } from '../core/errors.js';
import type { Gallery } from '../gallery/store/records.js';
import { authorize, type Caller } from '../tenancy/index.js';
import type { FaceLedgerApp } from './app.js';
import { ErasureRepo, type RowsRemoved } from './erasure/erasure-repo.js';

/**
 * Who erases: an authenticated caller (an org-admin within galleries its org owns, a platform-admin
 * within the platform's galleries), or the operator at the machine (`cli:<os user>`) or the system,
 * who reach every gallery, like anyone holding the database file.
 */
export type Eraser = { readonly caller: Caller } | { readonly operator: string };

/**
 * Why, from a fixed vocabulary: the audit log is permanent and readable by auditors, so it takes no
 * free text that could carry a name.
 */
export const ERASURE_REASONS = [
  'data-subject-request',
  'legal-basis-ended',
  'wrongly-ingested',
  'data-quality',
  'other',
] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

export interface ErasureRequest {
  reason?: ErasureReason;
  /** A ticket or letter reference, kept in the audit entry. */
  requestRef?: string;
}

export type ErasureScope = AuditDetails<'erasure'>['scope'];

export interface ErasureReport {
  scope: ErasureScope;
  targetId: string;
  galleryId: string;
  imagesRemoved: number;
  facesRemoved: number;
}

/** What an erasure's audit entry says besides the counts, which come from the rows actually removed. */
export interface ErasureNote {
  actor: string;
  scope: ErasureScope;
  reason: string;
  requestRef?: string;
  targetIds?: string[];
}

/**
 * Erasure of an image, a face, an identity or a whole gallery: database rows (thumbnails included,
 * they live in the database), vector-index entries and index files go together, and each erasure
 * appends an `erasure` audit entry in the same transaction as the rows — no entry, no erasure. The
 * entry goes into the chain of the org owning the gallery (none for a platform gallery).
 */
export class ErasureService {
  readonly #repo: ErasureRepo;

  constructor(private readonly app: FaceLedgerApp) {
    this.#repo = new ErasureRepo(app.store.db);
  }

  eraseImage(by: Eraser, imageId: string, request: ErasureRequest = {}): ErasureReport {
    this.#mayErase(by, request);
    const image = this.app.store.images.get(imageId);
    if (!image) throw notFound('image');
    const orgId = this.#orgOfErasable(by, image.galleryId, 'image');
    const note = this.#note(by, 'image', [imageId], request);
    const removed = this.removeInGallery(image.galleryId, { imageIds: [imageId] }, (r) =>
      this.erasureEvent(orgId, image.galleryId, note, r),
    );
    return report('image', imageId, image.galleryId, removed);
  }

  eraseFace(by: Eraser, faceId: string, request: ErasureRequest = {}): ErasureReport {
    this.#mayErase(by, request);
    const face = this.app.store.faces.get(faceId);
    if (!face) throw notFound('face');
    const orgId = this.#orgOfErasable(by, face.galleryId, 'face');
    const note = this.#note(by, 'face', [faceId], request);
    const removed = this.removeInGallery(face.galleryId, { labels: [face.label] }, (r) =>
      this.erasureEvent(orgId, face.galleryId, note, r),
    );
    return report('face', faceId, face.galleryId, removed);
  }

  /** Every face grouped into the identity, and the images left with no face by that. */
  eraseIdentity(by: Eraser, identityId: string, request: ErasureRequest = {}): ErasureReport {
    this.#mayErase(by, request);
    const identity = this.app.store.identities.get(identityId);
    if (!identity) throw notFound('identity');
    const orgId = this.#orgOfErasable(by, identity.galleryId, 'identity');
    const note = this.#note(by, 'identity', [identityId], request);
    // The identity row itself goes with its last face (refreshCounts drops empty identities).
    const removed = this.removeInGallery(
      identity.galleryId,
      { labels: this.#repo.labelsOfIdentity(identityId), person: true },
      (r) => this.erasureEvent(orgId, identity.galleryId, note, r),
    );
    return report('identity', identityId, identity.galleryId, removed);
  }

  /** The gallery with everything in it: images, faces, thumbnails, identities, jobs, grants, index file. */
  eraseGallery(by: Eraser, gallery: string, request: ErasureRequest = {}): ErasureReport {
    this.#mayErase(by, request);
    // Callers name galleries by id only: a gallery named like another's id must not stand in for it.
    const g: Gallery | undefined =
      'caller' in by ? this.app.store.galleries.findById(gallery) : this.app.store.galleries.get(gallery);
    if (!g) throw notFound('gallery');
    const orgId = this.#orgOfErasable(by, g.id, 'gallery');
    const counts = this.#repo.counts(g.id);
    const note = this.#note(by, 'gallery', [g.id], request);
    this.app.store.transaction(() => {
      this.app.store.galleries.delete(g.id);
      this.app.audit.append(this.erasureEvent(orgId, g.id, note, counts));
    });
    this.app.indexes.drop(g.id);
    return {
      scope: 'gallery',
      targetId: g.id,
      galleryId: g.id,
      imagesRemoved: counts.images,
      facesRemoved: counts.faces,
    };
  }

  /**
   * The engine under every partial erasure (and the opt-out sweep and retention): removes the rows in
   * one transaction with the audit entry built from what was removed (and `alsoInTransaction`, for the
   * caller's own bookkeeping),
   * then drops the faces from the gallery's vector index. A crash between the two leaves index entries
   * whose faces are gone, which search already skips and `doctor`/`rebuild` clear.
   */
  removeInGallery(
    galleryId: string,
    target: Parameters<ErasureRepo['remove']>[1],
    auditEvent: (removed: RowsRemoved) => AuditEvent,
    alsoInTransaction?: (removed: RowsRemoved) => void,
  ): RowsRemoved {
    const removed = this.app.store.transaction(() => {
      const r = this.#repo.remove(galleryId, target);
      this.app.store.identities.refreshCounts(galleryId);
      alsoInTransaction?.(r);
      this.app.audit.append(auditEvent(r));
      return r;
    });
    this.app.indexes.remove(galleryId, removed.labels);
    return removed;
  }

  /** The org whose audit chain records changes to this gallery (null: the platform's). */
  ownerOf(galleryId: string): string | null {
    return this.#repo.ownerOf(galleryId);
  }

  /** The `erasure` audit entry for a gallery's removed rows, in the chain of the org owning it. */
  erasureEvent(
    orgId: string | null,
    galleryId: string,
    note: ErasureNote,
    counts: { images: number; faces: number },
  ): AuditEvent {
    return {
      type: 'erasure',
      orgId,
      actor: note.actor,
      details: {
        scope: note.scope,
        galleryId,
        ...(note.targetIds ? { targetIds: note.targetIds } : {}),
        imagesRemoved: counts.images,
        facesRemoved: counts.faces,
        reason: note.reason,
        ...(note.requestRef ? { requestRef: note.requestRef } : {}),
      },
    };
  }

  #note(by: Eraser, scope: ErasureScope, targetIds: string[], request: ErasureRequest): ErasureNote {
    return {
      actor: 'caller' in by ? by.caller.actor : by.operator,
      scope,
      reason: request.reason ?? 'data-subject-request',
      targetIds,
      ...(request.requestRef ? { requestRef: request.requestRef } : {}),
    };
  }

  /** Role and request first (whatever the target), so a role that may not erase learns nothing of ids. */
  #mayErase(by: Eraser, request: ErasureRequest): void {
    if ('caller' in by) authorize(by.caller, 'erasure.run');
    if (request.reason !== undefined && !(ERASURE_REASONS as readonly string[]).includes(request.reason))
      throw new FaceLedgerError('BAD_INPUT', `reason must be one of ${ERASURE_REASONS.join(', ')}.`);
  }

  /**
   * The owning org of a gallery the eraser may erase in. A caller reaches only galleries its org owns
   * (a platform-admin: those no org owns); anything else is NOT_FOUND, exactly like a missing id, so an
   * answer never tells whether another tenant holds it. Shared (granted) galleries are not the
   * grantee's to erase.
   */
  #orgOfErasable(by: Eraser, galleryId: string, what: string): string | null {
    if (!('caller' in by)) return this.#repo.ownerOf(galleryId);
    const { caller } = by;
    const owned =
      caller.orgId === null
        ? this.app.tenancy.forPlatform(caller).galleries.platformOwnedIds()
        : this.app.tenancy.forCaller(caller).galleries.ownedIds();
    if (!owned.includes(galleryId)) throw notFound(what);
    return caller.orgId;
  }
}

function report(scope: ErasureScope, targetId: string, galleryId: string, r: RowsRemoved): ErasureReport {
  return { scope, targetId, galleryId, imagesRemoved: r.images, facesRemoved: r.faces };
}
