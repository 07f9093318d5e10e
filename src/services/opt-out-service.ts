import { DAY_MS } from '../core/clock.js';
import { FaceLedgerError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { PLATFORM_SCOPE } from '../crypto/index.js';
import { DEFAULT_QUALITY_FILTER, rejectReason } from '../gallery/ingest/quality-filter.js';
import { blobToEmbedding, embeddingToBlob } from '../gallery/store/faces-repo.js';
import type { VectorIndex } from '../gallery/vector-index/vector-index.js';
import type { FaceLedgerApp } from './app.js';
import { ErasureService } from './erasure-service.js';
import { confirmationCodeHash, newConfirmationCode } from './opt-out/confirmation-code.js';
import {
  type OptOutChannel,
  type OptOutRecord,
  type OptOutState,
  OptOutsRepo,
} from './opt-out/opt-outs-repo.js';
import { suppressionThreshold, TEMPLATE_FIELD } from './opt-out/suppression-list.js';

/** How long a public opt-out is held before its matching faces are erased, unless decided sooner. */
export const DEFAULT_OPT_OUT_HOLD_DAYS = 30;

export interface OptOutInput {
  /** The selfie, in memory only: it is analysed and dropped, never written anywhere. */
  selfie: Uint8Array;
  via: OptOutChannel;
  /** Who to record in the audit log: `cli:<os user>` at the CLI; the public endpoint is `system`. */
  actor?: string;
}

export interface OptOutReceipt {
  /** Shown once; only its hash is kept. */
  confirmationCode: string;
  submittedAt: string;
  state: 'held' | 'confirmed';
  /** For a held request: when its matching faces are erased unless a platform-admin decides sooner. */
  eraseAfter: string | null;
  /**
   * What was erased at once (CLI requests only). For the operator only: told to an anonymous
   * submitter it would make the endpoint an oracle for "is this face enrolled anywhere?".
   */
  removed: ErasedCounts;
}

export interface ErasedCounts {
  galleries: number;
  images: number;
  faces: number;
}

export interface OptOutStatus {
  submittedAt: string;
  state: OptOutState;
  /** Whether the face is suppressed (held or confirmed). */
  active: boolean;
  eraseAfter: string | null;
}

/** A request as a platform-admin reviews it: no template, no code, counts only. */
export type OptOutView = OptOutRecord;

export interface OptOutDecision {
  request: OptOutView;
  removed: ErasedCounts;
}

/**
 * Opt-out (a data subject's objection): a person sends a selfie; its face template joins the
 * suppression list at once, so from then on matching faces are neither enrolled at ingest nor returned
 * by search. The faces already enrolled that match it are erased from every gallery:
 *
 * - at once for a request the operator enters at the CLI, having checked who the person is;
 * - for a request from the public page, when its hold ends (DEFAULT_OPT_OUT_HOLD_DAYS) or a
 *   platform-admin confirms it sooner. The page cannot tell that the selfie is the sender's own face:
 *   an immediate erasure would let anyone with a photo of a person wipe them from every gallery for
 *   good. Within the hold a platform-admin may reject the request; its template is destroyed and the
 *   faces it hid, never erased, come back to search.
 *
 * Erased rather than flagged once confirmed: the request is "stop holding and searching my face", and
 * an erased face cannot come back through an index rebuild, a replay after a crash, identity grouping
 * or any later code path that forgets to check the list.
 */
export class OptOutService {
  readonly #repo: OptOutsRepo;
  readonly #holdDays: number;

  constructor(
    private readonly app: FaceLedgerApp,
    options: { holdDays?: number } = {},
  ) {
    this.#repo = new OptOutsRepo(app.store.db);
    this.#holdDays = options.holdDays ?? DEFAULT_OPT_OUT_HOLD_DAYS;
    if (!Number.isInteger(this.#holdDays) || this.#holdDays < 1)
      throw new FaceLedgerError(
        'BAD_INPUT',
        `the opt-out hold must be a whole number of days ≥ 1, not ${this.#holdDays}`,
      );
  }

  async submit(input: OptOutInput): Promise<OptOutReceipt> {
    const actor = input.actor ?? 'system';
    const template = await this.#templateOf(input.selfie);
    const id = newId();
    const code = newConfirmationCode();
    const now = this.app.clock.now();
    const submittedAt = now.toISOString();
    const eraseAfter =
      input.via === 'public' ? new Date(now.getTime() + this.#holdDays * DAY_MS).toISOString() : null;
    this.app.store.transaction(() => {
      this.#repo.insert({
        id,
        sealedTemplate: this.app.vault.sealBytes(PLATFORM_SCOPE, TEMPLATE_FIELD, embeddingToBlob(template)),
        codeSha256: confirmationCodeHash(code),
        via: input.via,
        now: submittedAt,
        eraseAfter,
      });
      // The request itself, on record even when nothing enrolled matches it (counts only).
      this.#recordDecision(
        actor,
        id,
        eraseAfter === null
          ? `opt-out received (${input.via}); template added to the suppression list`
          : `opt-out received (${input.via}); suppressed at once, matching faces erased after ${eraseAfter} unless rejected`,
      );
    });
    // Only now that the template is committed: an ingest committing after this point checks it.
    const removed = eraseAfter === null ? this.#finishErasure(id, template, actor) : NOTHING_ERASED;
    return {
      confirmationCode: code,
      submittedAt,
      state: eraseAfter === null ? 'confirmed' : 'held',
      eraseAfter,
      removed,
    };
  }

  /** Where a request stands, by its confirmation code. Tells nothing of what it matched. */
  status(code: string): OptOutStatus {
    const record = this.#repo.byCodeHash(confirmationCodeHash(code));
    if (!record) throw new FaceLedgerError('NOT_FOUND', 'No opt-out request with this confirmation code.');
    return {
      submittedAt: record.createdAt,
      state: record.state,
      active: record.state !== 'rejected',
      eraseAfter: record.eraseAfter,
    };
  }

  /** The requests, newest first, for the platform-admin's review (or the operator's list). */
  list(state?: OptOutState, limit = 100, offset = 0): { total: number; items: OptOutView[] } {
    return this.#repo.list(state, limit, offset);
  }

  /** Ends a held request's hold now: its matching faces are erased. CONFLICT when already decided. */
  confirm(id: string, actor: string): OptOutDecision {
    const template = this.#activeTemplate(id, ['held']);
    const now = this.app.clock.now().toISOString();
    this.app.store.transaction(() => {
      if (!this.#repo.startErasing(id, actor, now)) throw decided();
      this.#recordDecision(actor, id, 'opt-out confirmed by review; matching faces erased');
    });
    const removed = this.#finishErasure(id, template, actor);
    return { request: this.#view(id), removed };
  }

  /**
   * Rejects a held request judged not the sender's own face: the template is destroyed and the faces
   * it hid (never erased) are searchable again. CONFLICT once confirmed: erased faces do not return.
   */
  reject(id: string, actor: string, reason: string): OptOutView {
    this.#activeTemplate(id, ['held']);
    const now = this.app.clock.now().toISOString();
    this.app.store.transaction(() => {
      if (!this.#repo.reject(id, actor, now)) throw decided();
      this.#recordDecision(actor, id, `opt-out rejected by review: ${reason}`);
    });
    return this.#view(id);
  }

  /**
   * The sweep's part: confirms every held request whose hold has ended, erasing its matching faces,
   * and finishes any erasure a stopped process left half done (both counted as `confirmed`).
   */
  confirmDue(now: Date = this.app.clock.now(), actor = 'system'): { confirmed: number } & ErasedCounts {
    const total = { confirmed: 0, ...NOTHING_ERASED };
    for (const id of this.#repo.dueIds(now.toISOString())) {
      this.app.store.transaction(() => {
        if (this.#repo.startErasing(id, null, now.toISOString()))
          this.#recordDecision(actor, id, 'opt-out hold ended; matching faces erased');
      });
    }
    for (const id of this.#repo.unfinishedIds()) {
      const removed = this.#finishErasure(id, this.#activeTemplate(id, ['erasing']), actor);
      total.confirmed++;
      total.galleries += removed.galleries;
      total.images += removed.images;
      total.faces += removed.faces;
    }
    return total;
  }

  #view(id: string): OptOutView {
    const record = this.#repo.byId(id);
    if (!record) throw requestNotFound();
    return record;
  }

  /** The request's template, opened, if it is in one of `states`; NOT_FOUND or CONFLICT otherwise. */
  #activeTemplate(id: string, states: readonly OptOutState[]): Float32Array {
    const record = this.#repo.byId(id);
    if (!record) throw requestNotFound();
    const sealed = this.#repo.sealedTemplate(id);
    if (!states.includes(record.state) || !sealed) throw decided();
    return blobToEmbedding(this.app.vault.openBytes(PLATFORM_SCOPE, TEMPLATE_FIELD, sealed));
  }

  /**
   * Erases the matching faces of a request in the `erasing` state, then marks it confirmed. Each
   * gallery's erasure is its own transaction; if the process stops in between, the request stays
   * `erasing` and the next sweep runs this again (faces already gone are simply not found).
   */
  #finishErasure(id: string, template: Float32Array, actor: string): ErasedCounts {
    const removed = this.#eraseEnrolled(id, template, actor);
    this.#repo.finishErasing(id);
    return removed;
  }

  /** A decision on a request, in the platform chain, as counts and the request's id only. */
  #recordDecision(actor: string, id: string, reason: string): void {
    this.app.audit.append({
      type: 'erasure',
      orgId: null,
      actor,
      details: { scope: 'subject', imagesRemoved: 0, facesRemoved: 0, reason, requestRef: id },
    });
  }

  /** Exactly one usable face (one that would pass ingest's default quality filter), embedded. */
  async #templateOf(selfie: Uint8Array): Promise<Float32Array> {
    if (selfie.byteLength === 0) throw new FaceLedgerError('BAD_INPUT', 'The photo is empty.');
    const pool = await this.app.pool();
    const analysis = await pool.analyzeBytes(selfie, { embed: 'all' });
    const usable = analysis.faces.filter((f) => f.embedding && !rejectReason(f, DEFAULT_QUALITY_FILTER));
    if (usable.length === 0) {
      throw new FaceLedgerError(
        'NO_FACE',
        'No clear face was found. Please send a sharp, well-lit photo with exactly one face: yours, facing the camera.',
      );
    }
    if (usable.length > 1) {
      throw new FaceLedgerError(
        'BAD_INPUT',
        `The photo shows ${usable.length} faces. Please send a photo with exactly one face: yours.`,
      );
    }
    return usable[0]?.embedding as Float32Array;
  }

  /** Erases the matching faces gallery by gallery, each with its own audit entry in the owner's chain. */
  #eraseEnrolled(optOutId: string, template: Float32Array, actor: string): ErasedCounts {
    const erasure = new ErasureService(this.app);
    const total = { ...NOTHING_ERASED };
    const threshold = suppressionThreshold(this.#repo.activeCount());
    for (const gallery of this.app.store.galleries.list()) {
      const labels = matchingLabels(this.app.indexes.get(gallery.id), template, threshold);
      if (labels.length === 0) continue;
      const orgId = erasure.ownerOf(gallery.id);
      const note = {
        actor,
        scope: 'subject',
        reason: 'opt-out: matching faces erased',
        requestRef: optOutId,
      } as const;
      const removed = erasure.removeInGallery(
        gallery.id,
        { labels, person: true },
        (r) => erasure.erasureEvent(orgId, gallery.id, note, r),
        (r) => this.#repo.addRemoved(optOutId, r),
      );
      total.galleries++;
      total.images += removed.images;
      total.faces += removed.faces;
    }
    return total;
  }
}

const NOTHING_ERASED: Readonly<ErasedCounts> = Object.freeze({ galleries: 0, images: 0, faces: 0 });

const requestNotFound = (): FaceLedgerError => notFound('opt-out request');

function decided(): FaceLedgerError {
  return new FaceLedgerError('CONFLICT', 'this opt-out request was already decided');
}

/**
 * Every indexed face at or above the suppression threshold: asks for more neighbours until the last
 * one falls below it. An approximate (HNSW) index may miss a few; search and ingest check the list
 * again face by face, so a missed one is still never returned or enrolled.
 */
function matchingLabels(index: VectorIndex, template: Float32Array, threshold: number): number[] {
  const size = index.size();
  let k = Math.min(size, 64);
  while (k > 0) {
    const hits = index.search(template, k);
    const above = hits.filter((h) => h.similarity >= threshold);
    if (above.length < hits.length || k >= size) return above.map((h) => h.label);
    k = Math.min(size, k * 4);
  }
  return [];
}
