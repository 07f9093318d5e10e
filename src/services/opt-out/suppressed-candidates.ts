import type { Neighbor } from '../../gallery/vector-index/vector-index.js';
import type { FaceLedgerApp } from '../app.js';
import { suppressionListFor } from './suppression-list.js';

/**
 * Search's last check: drops every neighbour whose face matches an active opt-out template. It is
 * what hides the faces of a held request (not erased until its hold ends), and it catches any face a
 * confirmed request's erasure could not see (an approximate index missing one, a face committed by
 * another process in between), so a suppressed face is never returned.
 */
export function withoutSuppressed(app: FaceLedgerApp, neighbors: Neighbor[]): Neighbor[] {
  const templates = suppressionListFor(app.store.db, app.vault).current();
  if (templates.size === 0) return neighbors;
  return neighbors.filter((n) => {
    const embedding = app.store.faces.embedding(n.label);
    // A face already gone is dropped later by ranking anyway.
    return !embedding || !templates.matches(embedding);
  });
}
