/** The authorised URLs the UI shows faces from (each request carries the session; nothing is public). */
import type { Candidate } from './api/types.js';

export function thumbnailOf(c: Pick<Candidate, 'faceId' | 'thumbnailUrl'>): string {
  return c.thumbnailUrl ?? `/api/v1/faces/${encodeURIComponent(c.faceId)}/thumbnail`;
}

export function storedProbeUrl(searchId: string, which: 'first' | 'second' = 'first'): string {
  const base = `/api/v1/searches/${encodeURIComponent(searchId)}/probe`;
  return which === 'second' ? `${base}?photo=second` : base;
}
