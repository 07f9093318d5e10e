/**
 * A small valid JPEG with no face in it (tests only): a route that takes a photo can be called without
 * running the face models on a real face; it answers 422 NO_FACE once it analyses the photo, after
 * every access check.
 */
import sharp from 'sharp';
import type { FormFile } from './test-multipart.js';

let blank: Promise<Buffer> | undefined;

export function facelessJpeg(): Promise<Buffer> {
  blank ??= sharp({ create: { width: 64, height: 64, channels: 3, background: '#8a8a8a' } })
    .jpeg()
    .toBuffer();
  return blank;
}

export function jpegFile(data: Uint8Array, filename = 'photo.jpg'): FormFile {
  return { data, filename, contentType: 'image/jpeg' };
}
