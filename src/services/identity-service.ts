import { FaceLedgerError } from '../core/errors.js';
import { type ClusterOptions, clusterFaces, DEFAULT_CLUSTER_OPTIONS } from '../gallery/identities/index.js';
import { faceNodes } from '../gallery/store/faces-repo.js';
import type { Identity } from '../gallery/store/records.js';
import type { FaceLedgerApp } from './app.js';

export interface IdentityDetail extends Identity {
  faces: { faceId: string; imageId: string; location: string }[];
}

/** Grouping a gallery's faces into identities, and reading them back. */
export class IdentityService {
  constructor(private readonly app: FaceLedgerApp) {}

  build(gallery: string, options: Partial<ClusterOptions> = {}): { faces: number; identities: number } {
    const g = this.app.store.galleries.get(gallery);
    const nodes = faceNodes(this.app.store.db, g.id);
    const index = this.app.indexes.get(g.id);
    const k = options.k ?? DEFAULT_CLUSTER_OPTIONS.k;
    const neighbors = (label: number) => {
      const v = this.app.store.faces.embedding(label);
      if (!v) return [];
      return index.search(v, k + 1).filter((n) => n.label !== label);
    };
    const clusters = clusterFaces(nodes, neighbors, { ...options, k });
    const subjectOf = new Map(nodes.map((n) => [n.label, n.subjectId]));
    const now = this.app.clock.now().toISOString();
    const count = this.app.store.transaction(() =>
      this.app.store.identities.replaceAll(
        g.id,
        clusters.map((labels) => ({
          labels,
          subjectId: labels.map((l) => subjectOf.get(l)).find((s) => s) ?? null,
        })),
        now,
      ),
    );
    return { faces: nodes.length, identities: count };
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
