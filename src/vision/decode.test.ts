import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { FaceLedgerError } from '../core/errors.js';
import { lfw, pngDeclaring } from '../testing/fixtures.js';
import { DEFAULT_DECODE_LIMITS, decodeImage } from './decode.js';

const jpeg = readFileSync(lfw('Tony_Blair', 1));

async function rejects(input: Uint8Array, code: string, limits = DEFAULT_DECODE_LIMITS) {
  await assert.rejects(decodeImage(input, limits), (err: unknown) => {
    assert.ok(err instanceof FaceLedgerError, `expected FaceLedgerError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

describe('decodeImage', () => {
  it('decodes a JPEG to tightly packed RGB', async () => {
    const img = await decodeImage(jpeg);
    assert.equal(img.width, 250);
    assert.equal(img.height, 250);
    assert.equal(img.data.length, 250 * 250 * 3);
  });

  it('rejects an empty file as BAD_IMAGE', () => rejects(new Uint8Array(0), 'BAD_IMAGE'));
  it('rejects text as UNSUPPORTED_TYPE', () =>
    rejects(Buffer.from('not an image at all, just words'), 'UNSUPPORTED_TYPE'));
  it('rejects a truncated JPEG as BAD_IMAGE', () => rejects(jpeg.subarray(0, jpeg.length / 2), 'BAD_IMAGE'));

  it('rejects a JPEG whose body is garbage as BAD_IMAGE', async () => {
    const corrupt = Buffer.from(jpeg);
    for (let i = 600; i < corrupt.length - 2; i++) corrupt[i] = (i * 7919) & 0xff;
    await rejects(corrupt, 'BAD_IMAGE');
  });

  it('rejects a declared 20000×20000 picture as TOO_LARGE before decoding it', () =>
    rejects(pngDeclaring(20000, 20000), 'TOO_LARGE'));

  it('rejects a file over the byte limit as TOO_LARGE', () =>
    rejects(jpeg, 'TOO_LARGE', { ...DEFAULT_DECODE_LIMITS, maxBytes: 1000 }));

  it('decodes a 1×1 image', async () => {
    const one = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const img = await decodeImage(one);
    assert.deepEqual([img.width, img.height, img.data.length], [1, 1, 3]);
  });

  it('shrinks pictures beyond maxSide, keeping the aspect ratio', async () => {
    const img = await decodeImage(jpeg, { ...DEFAULT_DECODE_LIMITS, maxSide: 100 });
    assert.deepEqual([img.width, img.height], [100, 100]);
  });

  it('applies EXIF orientation', async () => {
    // Crop to a non-square frame so a missed rotation shows in the dimensions, then store it rotated
    // 90° counter-clockwise with EXIF orientation 6 ("rotate 90° clockwise to display").
    const upright = await sharp(jpeg)
      .extract({ left: 25, top: 0, width: 200, height: 250 })
      .jpeg()
      .toBuffer();
    const rotated = await sharp(upright).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const a = await decodeImage(upright);
    const b = await decodeImage(rotated);
    assert.deepEqual([b.width, b.height], [a.width, a.height]);
    assert.ok(meanAbsDiff(a.data, b.data) < 8, 'pixels should match the upright image');
  });

  for (const [name, encode] of [
    ['greyscale JPEG', (s: Sharp) => s.greyscale().jpeg()],
    ['CMYK JPEG', (s: Sharp) => s.toColourspace('cmyk').jpeg()],
    ['PNG with alpha', (s: Sharp) => s.ensureAlpha(0.5).png()],
    ['WebP', (s: Sharp) => s.webp()],
    ['TIFF', (s: Sharp) => s.tiff()],
    ['GIF', (s: Sharp) => s.gif()],
  ] as const) {
    it(`decodes a ${name} to RGB`, async () => {
      const encoded = await encode(sharp(jpeg)).toBuffer();
      const img = await decodeImage(encoded);
      assert.deepEqual([img.width, img.height, img.data.length], [250, 250, 250 * 250 * 3]);
      const reference = await decodeImage(jpeg);
      // Colour conversions and palettes change pixels a little; the picture must stay the same one.
      assert.ok(meanAbsDiff(img.data, reference.data) < 40, `${name} decoded to a different picture`);
    });
  }
});

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}
