import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { PLATFORM_SCOPE } from '../crypto/index.js';
import { DEFAULT_QUALITY_FILTER, rejectReason } from '../gallery/ingest/quality-filter.js';
import { embeddingToBlob } from '../gallery/store/faces-repo.js';
import type { VectorIndex } from '../gallery/vector-index/vector-index.js';
import type { FaceLedgerApp } from './app.js';
import { ErasureService } from './erasure-service.js';
import { confirmationCodeHash, newConfirmationCode } from './opt-out/confirmation-code.js';
import { type OptOutChannel, OptOutsRepo } from './opt-out/opt-outs-repo.js';
import { suppressionThreshold, TEMPLATE_FIELD } from './opt-out/suppression-list.js';

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
  /**
   * What the sweep erased. For the operator only: told to an anonymous submitter it would make the
   * endpoint an oracle for "is this face enrolled anywhere?".
   */
  removed: { galleries: number; images: number; faces: number };
}

export interface OptOutStatus {
  submittedAt: string;
  /** Suppression stays in force for as long as the request is on file. */
  active: true;
}

/**
 * Opt-out (a data subject's objection): a person sends a selfie; its face template joins the
 * suppression list, faces already enrolled that match it are erased from every gallery, and from then
 * on matching faces are neither enrolled at ingest nor returned by search.
 *
 * Erased rather than flagged: the request is "stop holding and searching my face", and an erased face
 * cannot come back through an index rebuild, a replay after a crash, identity grouping or any later
 * code path that forgets to check a flag. The cost is that a false suppression (see
 * suppressionThreshold) is not undone by withdrawing the opt-out.
 */
export class OptOutService {
  readonly #repo: OptOutsRepo;

  constructor(private readonly app: FaceLedgerApp) {
    this.#repo = new OptOutsRepo(app.store.db);
  }

  async submit(input: OptOutInput): Promise<OptOutReceipt> {
    const actor = input.actor ?? 'system';
    const template = await this.#templateOf(input.selfie);
    const id = newId();
    const code = newConfirmationCode();
    const submittedAt = this.app.clock.now().toISOString();
    this.app.store.transaction(() => {
      this.#repo.insert({
        id,
        sealedTemplate: this.app.vault.sealBytes(PLATFORM_SCOPE, TEMPLATE_FIELD, embeddingToBlob(template)),
        codeSha256: confirmationCodeHash(code),
        via: input.via,
        now: submittedAt,
      });
      // The request itself, on record even when nothing enrolled matches it (counts only).
      this.app.audit.append({
        type: 'erasure',
        orgId: null,
        actor,
        details: {
          scope: 'subject',
          imagesRemoved: 0,
          facesRemoved: 0,
          reason: `opt-out received (${input.via}); template added to the suppression list`,
          requestRef: id,
        },
      });
    });
    // Only now that the template is committed: an ingest committing after this point checks it.
    const removed = this.#eraseEnrolled(id, template, actor);
    return { confirmationCode: code, submittedAt, removed };
  }

  /** Whether a confirmation code names an opt-out on file. Tells nothing of what it matched. */
  status(code: string): OptOutStatus {
    const record = this.#repo.byCodeHash(confirmationCodeHash(code));
    if (!record) throw new FaceLedgerError('NOT_FOUND', 'No opt-out request with this confirmation code.');
    return { submittedAt: record.createdAt, active: true };
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
  #eraseEnrolled(optOutId: string, template: Float32Array, actor: string): OptOutReceipt['removed'] {
    const erasure = new ErasureService(this.app);
    const total = { galleries: 0, images: 0, faces: 0 };
    const threshold = suppressionThreshold(this.#repo.count());
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
