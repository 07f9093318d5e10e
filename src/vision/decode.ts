import sharp, { type Metadata } from 'sharp';
import { FaceLedgerError } from '../core/errors.js';
import { type RgbImage, rgbImage } from './image.js';

export interface DecodeLimits {
  /** Encoded size cap; checked before any parsing. */
  maxBytes: number;
  /** Declared pixel count cap (width × height from the header), the guard against decompression bombs. */
  maxPixels: number;
  /** Longest side kept after decoding; larger pictures are shrunk (JPEG shrink-on-load makes this cheap). */
  maxSide: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxPixels: 100_000_000,
  maxSide: 4096,
};

const SUPPORTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif']);

/**
 * Decodes JPEG, PNG, WebP, TIFF and GIF (first page) into upright sRGB.
 * Every failure is a FaceLedgerError with a code a caller can act on.
 */
export async function decodeImage(
  input: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<RgbImage> {
  if (input.length === 0) throw new FaceLedgerError('BAD_IMAGE', 'The file is empty (0 bytes).');
  if (input.length > limits.maxBytes) {
    throw new FaceLedgerError(
      'TOO_LARGE',
      `The file is ${formatBytes(input.length)}; the limit is ${formatBytes(limits.maxBytes)}.`,
    );
  }
  const header = await readHeader(input);
  if (!header.format || !SUPPORTED_FORMATS.has(header.format)) {
    throw new FaceLedgerError(
      'UNSUPPORTED_TYPE',
      `Unsupported image type "${header.format ?? 'unknown'}"; use JPEG, PNG, WebP, TIFF or GIF.`,
    );
  }
  const { width, height } = header;
  if (!width || !height) throw new FaceLedgerError('BAD_IMAGE', 'The image header declares no size.');
  if (width * height > limits.maxPixels) {
    throw new FaceLedgerError(
      'TOO_LARGE',
      `The image declares ${width}×${height} pixels; the limit is ${(limits.maxPixels / 1e6).toFixed(0)} megapixels.`,
    );
  }
  try {
    const { data, info } = await sharp(input, {
      limitInputPixels: limits.maxPixels,
      failOn: 'error',
      pages: 1,
    })
      .rotate()
      .resize({ width: limits.maxSide, height: limits.maxSide, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return toRgb(data, info.width, info.height, info.channels);
  } catch (err) {
    throw new FaceLedgerError('BAD_IMAGE', `The image could not be decoded: ${sharpMessage(err)}.`, {
      cause: err,
    });
  }
}

async function readHeader(input: Uint8Array): Promise<Metadata> {
  try {
    return await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    const message = sharpMessage(err);
    if (/unsupported image format/i.test(message)) {
      throw new FaceLedgerError('UNSUPPORTED_TYPE', 'The file is not an image of a supported type.', {
        cause: err,
      });
    }
    throw new FaceLedgerError('BAD_IMAGE', `The image header could not be read: ${message}.`, { cause: err });
  }
}

/** Greyscale decodes stay single-channel in libvips even after toColourspace; expand them here. */
function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3)
    return rgbImage(width, height, new Uint8Array(data.buffer, data.byteOffset, data.length));
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    const v = data[j] ?? 0;
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? (data[j + 1] ?? v) : v;
    out[i * 3 + 2] = channels >= 3 ? (data[j + 2] ?? v) : v;
  }
  return rgbImage(width, height, out);
}

function sharpMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/^Input (buffer|file) (has|contains) /i, '').trim();
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}
