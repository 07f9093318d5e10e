import type { Point } from '../vision/geometry.js';
import type { AnalyzedFace } from '../vision/pipeline.js';
import type { FaceQuality } from '../vision/quality.js';

/** The public JSON shape of a detected face, shared by the CLI and the API. */
export interface FaceView {
  box: [number, number, number, number];
  score: number;
  landmarks: [number, number][];
  quality: FaceQuality;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function toFaceView(face: AnalyzedFace): FaceView {
  const { box, quality } = face;
  return {
    box: [r2(box.x), r2(box.y), r2(box.width), r2(box.height)],
    score: r4(face.score),
    landmarks: face.landmarks.map(([x, y]: Point) => [r2(x), r2(y)] as [number, number]),
    quality: {
      detectorScore: r4(quality.detectorScore),
      interocularPx: r2(quality.interocularPx),
      sharpness: r2(quality.sharpness),
      yawDeg: r2(quality.yawDeg),
      rollDeg: r2(quality.rollDeg),
    },
  };
}
