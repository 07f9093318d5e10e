/**
 * Crops a face out of a photo already in the browser, framed like the server's thumbnails (the box
 * grown by 30 % each side, square) and turned so the eyes are level: the probe side of a comparison
 * needs no extra upload and no extra server call.
 */
import type { FaceView } from './api/types.js';

const MARGIN = 0.3;

export function drawFaceCrop(
  canvas: HTMLCanvasElement,
  image: HTMLImageElement,
  face: FaceView,
  size = 240,
): void {
  const [x, y, w, h] = face.box;
  const side = Math.max(w, h) * (1 + 2 * MARGIN);
  const [leftEye, rightEye] = face.landmarks;
  const angle = leftEye && rightEye ? Math.atan2(rightEye[1] - leftEye[1], rightEye[0] - leftEye[0]) : 0;
  // Centre on the box, as the thumbnails do; the rotation turns about that centre.
  const cx = x + w / 2;
  const cy = y + h / 2;
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, size, size);
  ctx.save();
  ctx.translate(size / 2, size / 2);
  ctx.rotate(-angle);
  ctx.scale(size / side, size / side);
  ctx.drawImage(image, -cx, -cy);
  ctx.restore();
}

/** Loads an image URL into an element whose pixels a canvas may read (same origin or blob:). */
export function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the photo could not be loaded'));
    img.src = url;
  });
}
