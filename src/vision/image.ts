/** A decoded picture: tightly packed 8-bit RGB, row-major, EXIF orientation already applied. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function rgbImage(width: number, height: number, data: Uint8Array): RgbImage {
  if (data.length !== width * height * 3) {
    throw new RangeError(`RGB buffer of ${data.length} bytes does not fit ${width}x${height}`);
  }
  return { width, height, data };
}
