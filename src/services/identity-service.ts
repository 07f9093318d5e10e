import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { FaceLedgerError } from '../core/errors.js';
import { type ClusterOptions, clusterFaces, DEFAULT_CLUSTER_OPTIONS } from '../gallery/identities/index.js';
import { faceNodes } from '../gallery/store/faces-repo.js';
import type { Identity } from '../gallery/store/records.js';
import type { Neighbor } from '../gallery/vector-index/vector-index.js';
import type { FaceLedgerApp } from './app.js';
import { suppressionListFor } from './opt-out/suppression-list.js';

export interface IdentityDetail extends Identity {
  faces: { faceId: string; imageId: string; location: string }[];
}

export interface IdentityBuild {
  /** Faces grouped. */
  faces: number;
  identities: number;
  /** Faces left out because they match an opt-out (held requests' faces are not erased yet). */
  suppressed: number;
}

/** How long the neighbour search may hold the event loop before it yields (a server answers meanwhile). */
const SLICE_MS = 20;

/** Galleries whose identities are being rebuilt, per app: a second build at once is refused. */
const BUILDING = new WeakMap<FaceLedgerApp, Set<string>>();

/** Grouping a gallery's faces into identities, and reading them back. */
export class IdentityService {
  constructor(private readonly app: FaceLedgerApp) {}

  /** Regroups every face of the gallery (by name or id), replacing its identities. */
  build(gallery: string, options: Partial<ClusterOptions> = {}): Promise<IdentityBuild> {
    return this.buildGallery(this.app.store.galleries.get(gallery).id, options);
  }

  /**
   * Regroups every face of the gallery. The neighbour lists — the costly part, one index search per
   * face — are gathered in slices that yield to the event loop; the grouping and the replacement then
   * run at once, and faces erased meanwhile are dropped from the counts. Faces matching an opt-out are
   * never grouped. CONFLICT while another build of the gallery runs.
   */
  async buildGallery(galleryId: string, options: Partial<ClusterOptions> = {}): Promise<IdentityBuild> {
    const running = BUILDING.get(this.app) ?? new Set<string>();
    BUILDING.set(this.app, running);
    if (running.has(galleryId))
      throw new FaceLedgerError('CONFLICT', 'the identities of this gallery are being rebuilt already');
    running.add(galleryId);
    try {
      return await this.#build(galleryId, options);
    } finally {
      running.delete(galleryId);
    }
  }

  async #build(galleryId: string, options: Partial<ClusterOptions>): Promise<IdentityBuild> {
    const { faces } = this.app.store;
    const suppression = suppressionListFor(this.app.store.db, this.app.vault);
    const all = faceNodes(this.app.store.db, galleryId);
    // Each face's embedding, read once: the opt-out check and the neighbour search both need it.
    const grouped = new Map<number, Float32Array>();
    for (const n of all) {
      const v = faces.embedding(n.label);
      if (v !== undefined && !suppression.suppresses(v)) grouped.set(n.label, v);
    }
    const nodes = all.filter((n) => grouped.has(n.label));
    const index = this.app.indexes.get(galleryId);
    const k = options.k ?? DEFAULT_CLUSTER_OPTIONS.k;
    const lists = new Map<number, Neighbor[]>();
    let sliceStart = performance.now();
    for (const node of nodes) {
      const v = grouped.get(node.label) as Float32Array;
      lists.set(
        node.label,
        index.search(v, k + 1).filter((n) => n.label !== node.label && grouped.has(n.label)),
      );
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    const clusters = clusterFaces(nodes, (label) => lists.get(label) ?? [], { ...options, k });
    const subjectOf = new Map(nodes.map((n) => [n.label, n.subjectId]));
    const now = this.app.clock.now().toISOString();
    const identities = this.app.store.transaction(() => {
      this.app.store.identities.replaceAll(
        galleryId,
        clusters.map((labels) => ({
          labels,
          subjectId: labels.map((l) => subjectOf.get(l)).find((s) => s) ?? null,
        })),
        now,
      );
      this.app.store.identities.refreshCounts(galleryId);
      return this.app.store.identities.count(galleryId);
    });
    return { faces: nodes.length, identities, suppressed: all.length - nodes.length };
  }

  list(gallery: string, limit = 100, offset = 0): Identity[] {
    return this.app.store.identities.list(this.app.store.galleries.get(gallery).id, limit, offset);
  }

  show(id: string): IdentityDetail {
    const identity = this.app.store.identities.get(id);
    if (!identity) throw new FaceLedgerError('NOT_FOUND', `No identity ${id}.`);
    const faces = this.app.store.db
      .prepare(
        `SELECT f.id AS faceId, f.image_id AS imageId, i.location FROM faces f JOIN images i ON i.id = f.image_id
         WHERE f.identity_id = ? ORDER BY f.label`,
      )
      .all(id) as IdentityDetail['faces'];
    return { ...identity, faces };
  }
}
