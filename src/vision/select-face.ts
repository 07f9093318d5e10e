import type { DetectedFace } from './detect.js';
import { area } from './geometry.js';

/**
 * Which faces of a picture get embedded. Embedding dominates the pipeline's cost, so callers that need
 * one face (1:1 compare, a probe) say so: `largest` is the usual subject of a photo, `central` suits
 * frames centred on their subject (e.g. LFW), `all` is what galleries enrol.
 */
export type FaceSelector = 'all' | 'none' | 'largest' | 'central' | { index: number };

export function selectFaceIndexes(
  faces: readonly DetectedFace[],
  selector: FaceSelector,
  frame: { width: number; height: number },
): Set<number> {
  if (selector === 'all') return new Set(faces.map((_, i) => i));
  if (selector === 'none' || faces.length === 0) return new Set();
  if (typeof selector === 'object')
    return selector.index < faces.length ? new Set([selector.index]) : new Set();
  const key =
    selector === 'largest'
      ? (f: DetectedFace) => area(f.box)
      : (f: DetectedFace) =>
          -Math.hypot(
            f.box.x + f.box.width / 2 - frame.width / 2,
            f.box.y + f.box.height / 2 - frame.height / 2,
          );
  let best = 0;
  for (let i = 1; i < faces.length; i++)
    if (key(faces[i] as DetectedFace) > key(faces[best] as DetectedFace)) best = i;
  return new Set([best]);
}
