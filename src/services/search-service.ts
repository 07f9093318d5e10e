import { FaceLedgerError } from '../core/errors.js';
import { describeFaces } from '../gallery/store/faces-repo.js';
import type { Neighbor } from '../gallery/vector-index/vector-index.js';
import { searchThresholds } from '../search/operating-points.js';
import { type RankedResult, rankCandidates } from '../search/rank-candidates.js';
import type { FaceLedgerApp } from './app.js';
import { type FaceView, toFaceView } from './face-views.js';
import { analyzeSource, type ImageSource } from './image-source.js';
import { withoutSuppressed } from './opt-out/suppressed-candidates.js';

export interface SearchInput {
  probe: ImageSource;
  /** Gallery names or ids; all galleries when empty. */
  galleries?: readonly string[];
  /**
   * Exactly these gallery ids (already checked against the caller's access), instead of `galleries`:
   * the case-bound search never falls back to "all galleries".
   */
  galleryIds?: readonly string[];
  top?: number;
  /** Which probe face to search with; the largest by default. */
  face?: number;
}

export interface SearchResult extends RankedResult {
  probe: { faces: FaceView[]; selected: number };
  /** Faces searched: the thresholds rise with it (see searchThresholds). */
  galleryFaces: number;
}

/** Over-fetch per gallery so that collapsing faces into identities still leaves `top` distinct candidates. */
const OVERFETCH = 5;

export class SearchService {
  constructor(private readonly app: FaceLedgerApp) {}

  async search(input: SearchInput): Promise<SearchResult> {
    const top = input.top ?? 10;
    if (!Number.isInteger(top) || top < 1 || top > 1000)
      throw new FaceLedgerError('BAD_INPUT', 'top must be 1 to 1000.');
    const galleries = input.galleryIds
      ? input.galleryIds.map((id) => {
          // By id only: a gallery *named* like another's id must not stand in for it.
          const g = this.app.store.galleries.findById(id);
          if (!g) throw new FaceLedgerError('NOT_FOUND', 'gallery not found');
          return g;
        })
      : input.galleries?.length
        ? input.galleries.map((g) => this.app.store.galleries.get(g))
        : this.app.store.galleries.list();
    if (input.face !== undefined && (!Number.isInteger(input.face) || input.face < 0)) {
      throw new FaceLedgerError('BAD_INPUT', 'face must be a face index from 0.');
    }
    const pool = await this.app.pool();
    // Every face is detected and listed so a UI can offer the choice; only the chosen one is embedded.
    const analysis = await analyzeSource(pool, input.probe, {
      embed: input.face === undefined ? 'largest' : { index: input.face },
    });
    if (analysis.faces.length === 0)
      throw new FaceLedgerError('NO_FACE', 'No face was found in the probe image.');
    const selected = analysis.faces.findIndex((f) => f.embedding);
    const embedding = analysis.faces[selected]?.embedding;
    if (!embedding) {
      throw new FaceLedgerError(
        'BAD_INPUT',
        `The probe has ${analysis.faces.length} face(s); choose a face from 0 to ${analysis.faces.length - 1}.`,
      );
    }

    const neighbors: Neighbor[] = [];
    let galleryFaces = 0;
    for (const g of galleries) {
      const index = this.app.indexes.get(g.id);
      galleryFaces += index.size();
      neighbors.push(...withoutSuppressed(this.app, index.search(embedding, top * OVERFETCH)));
    }
    const provenance = describeFaces(
      this.app.store.db,
      neighbors.map((n) => n.label),
    );
    return {
      probe: { faces: analysis.faces.map(toFaceView), selected },
      ...rankCandidates(neighbors, provenance, top, searchThresholds(galleryFaces)),
      galleryFaces,
    };
  }
}
