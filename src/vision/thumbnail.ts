import sharp from 'sharp';
import type { Box } from './geometry.js';
import type { RgbImage } from './image.js';

export const THUMBNAIL_SIZE = 128;

/**
 * A square JPEG of the face with some context (the box grown by `margin` on each side), as people
 * expect to see a face, rather than the tight aligned crop the embedder needs.
 */
export async function faceThumbnail(
  image: RgbImage,
  box: Box,
  margin = 0.3,
  size = THUMBNAIL_SIZE,
): Promise<Uint8Array> {
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const left = clamp(Math.round(cx - side / 2), 0, image.width - 1);
  const top = clamp(Math.round(cy - side / 2), 0, image.height - 1);
  const width = clamp(Math.round(side), 1, image.width - left);
  const height = clamp(Math.round(side), 1, image.height - top);
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: 80, mozjpeg: true })
    .toBuffer();
  return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
