import type { FaceProvenance } from '../gallery/store/faces-repo.js';
import type { Neighbor } from '../gallery/vector-index/vector-index.js';

export type Confidence = 'high' | 'possible' | 'low';

export interface Thresholds {
  high: number;
  possible: number;
}

export interface Candidate {
  rank: number;
  faceId: string;
  imageId: string;
  gallery: string;
  subjectId: string | null;
  source: string;
  location: string;
  similarity: number;
  confidence: Confidence;
  /** The identity this face belongs to, when the gallery's faces have been grouped or share a subject id. */
  identity: { id: string | null; faces: number } | null;
  box: [number, number, number, number];
}

export interface RankedResult {
  candidates: Candidate[];
  thresholds: Thresholds;
  decision: 'match' | 'no_confident_match';
}

export function confidenceOf(similarity: number, t: Thresholds): Confidence {
  if (similarity >= t.high) return 'high';
  if (similarity >= t.possible) return 'possible';
  return 'low';
}

/**
 * Turns raw neighbours from one or more galleries into ranked candidates. Faces of one identity (a
 * grouped identity, else one subject id within a gallery) appear once, with their best face, so a
 * prolific subject cannot crowd out the list. Neighbours whose face no longer exists are dropped,
 * which makes a deletion effective in results even before the index file is rewritten.
 */
export function rankCandidates(
  neighbors: readonly Neighbor[],
  faces: ReadonlyMap<number, FaceProvenance>,
  top: number,
  thresholds: Thresholds,
): RankedResult {
  const sorted = [...neighbors].sort((a, b) => b.similarity - a.similarity);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const n of sorted) {
    if (candidates.length >= top) break;
    const f = faces.get(n.label);
    if (!f) continue;
    const key = f.identityId
      ? `identity:${f.identityId}`
      : f.subjectId
        ? `subject:${f.galleryId}:${f.subjectId}`
        : `face:${f.label}`;
    if (seen.has(key)) continue;
    const candidate: Candidate = {
      rank: candidates.length + 1,
      faceId: f.faceId,
      imageId: f.imageId,
      gallery: f.galleryName,
      subjectId: f.subjectId,
      source: f.sourceLink ?? f.location,
      location: f.location,
      similarity: Math.round(n.similarity * 1e4) / 1e4,
      confidence: confidenceOf(n.similarity, thresholds),
      identity: f.identityId
        ? { id: f.identityId, faces: f.identityFaces ?? 1 }
        : f.subjectId
          ? { id: null, faces: f.subjectFaces ?? 1 }
          : null,
      box: [f.box.x, f.box.y, f.box.width, f.box.height].map(
        (v) => Math.round(v * 10) / 10,
      ) as Candidate['box'],
    };
    seen.add(key);
    candidates.push(candidate);
  }
  const best = candidates[0];
  const decision = best && best.similarity >= thresholds.possible ? 'match' : 'no_confident_match';
  return { candidates, thresholds, decision };
}
