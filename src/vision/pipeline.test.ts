import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { COMPARE_THRESHOLD } from '../search/operating-points.js';
import { crowd, lfw } from '../testing/fixtures.js';
import { cosineSimilarity } from './embed.js';
import { type AnalyzedFace, FacePipeline } from './pipeline.js';

let pipeline: FacePipeline;
before(async () => {
  pipeline = await FacePipeline.load();
});
after(() => pipeline.close());

async function subject(path: string | Buffer): Promise<AnalyzedFace> {
  const bytes = typeof path === 'string' ? readFileSync(path) : path;
  const analysis = await pipeline.analyze(bytes, { embed: 'central' });
  const face = analysis.faces.find((f) => f.embedding);
  assert.ok(face, 'a face should be found');
  return face;
}

describe('FacePipeline on LFW photos', () => {
  it('finds the subject with a sane box, landmarks in anatomical order and a unit embedding', async () => {
    const face = await subject(lfw('Colin_Powell', 1));
    const { box, landmarks } = face;
    assert.ok(face.score > 0.85, `score ${face.score}`);
    // Deep-funneled LFW frames centre the subject at roughly 100×120 px.
    assert.ok(box.x > 40 && box.x < 110 && box.y > 30 && box.y < 110, `box origin ${box.x},${box.y}`);
    assert.ok(
      box.width > 60 && box.width < 160 && box.height > 70 && box.height < 180,
      `box size ${box.width}×${box.height}`,
    );
    const [le, re, nose, lm, rm] = landmarks;
    assert.ok(le[0] < re[0] && lm[0] < rm[0], 'left features are left of right features');
    assert.ok(
      Math.max(le[1], re[1]) < nose[1] && nose[1] < Math.min(lm[1], rm[1]),
      'eyes above nose above mouth',
    );
    for (const [x, y] of landmarks) {
      assert.ok(
        x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height,
        'landmark inside box',
      );
    }
    assert.ok(face.quality.interocularPx > 25 && face.quality.interocularPx < 70);
    assert.ok(Math.abs(face.quality.rollDeg) < 20);
    const norm = Math.hypot(...(face.embedding ?? []));
    assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
    assert.equal(face.embedding?.length, 128);
  });

  const same: [string, number, number][] = [
    ['Colin_Powell', 1, 2],
    ['Tony_Blair', 3, 4],
    ['Serena_Williams', 1, 2],
    ['George_W_Bush', 10, 20],
    ['Gerhard_Schroeder', 1, 5],
  ];
  for (const [name, i, j] of same) {
    it(`scores two photos of ${name} above the compare threshold`, async () => {
      const s = cosineSimilarity(
        (await subject(lfw(name, i))).embedding ?? new Float32Array(),
        (await subject(lfw(name, j))).embedding ?? new Float32Array(),
      );
      assert.ok(s >= COMPARE_THRESHOLD, `similarity ${s}`);
    });
  }

  const different: [string, string][] = [
    ['Colin_Powell', 'Tony_Blair'],
    ['Serena_Williams', 'Gerhard_Schroeder'],
    ['George_W_Bush', 'Colin_Powell'],
    ['Tony_Blair', 'Gerhard_Schroeder'],
  ];
  for (const [a, b] of different) {
    it(`scores ${a} against ${b} below the compare threshold`, async () => {
      const s = cosineSimilarity(
        (await subject(lfw(a, 1))).embedding ?? new Float32Array(),
        (await subject(lfw(b, 1))).embedding ?? new Float32Array(),
      );
      assert.ok(s < COMPARE_THRESHOLD, `similarity ${s}`);
    });
  }

  it('gives an EXIF-rotated photo the same embedding as the upright one', async () => {
    const upright = readFileSync(lfw('Tony_Blair', 1));
    const rotated = await sharp(upright)
      .rotate(270)
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    const s = cosineSimilarity(
      (await subject(upright)).embedding ?? new Float32Array(),
      (await subject(rotated)).embedding ?? new Float32Array(),
    );
    assert.ok(s > 0.95, `similarity ${s}`);
  });

  it('finds no face in a blank picture', async () => {
    const blank = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#777' } })
      .png()
      .toBuffer();
    assert.equal((await pipeline.analyze(blank)).faces.length, 0);
  });

  it('embeds only the selected face when asked', async () => {
    const analysis = await pipeline.analyze(readFileSync(crowd(18)), { embed: 'largest' });
    assert.ok(analysis.faces.length >= 3);
    assert.equal(analysis.faces.filter((f) => f.embedding).length, 1);
  });
});

describe('FacePipeline on crowd photos', () => {
  it('finds many faces in a dense crowd, with boxes inside the picture', { timeout: 30_000 }, async () => {
    const bytes = readFileSync(crowd(17));
    const meta = await sharp(bytes).metadata();
    const analysis = await pipeline.analyze(bytes, { embed: 'none' });
    assert.ok(analysis.faces.length >= 50, `only ${analysis.faces.length} faces`);
    for (const f of analysis.faces) {
      const { x, y, width, height } = f.box;
      assert.ok(
        x >= 0 && y >= 0 && x + width <= (meta.width ?? 0) + 1e-6 && y + height <= (meta.height ?? 0) + 1e-6,
      );
      assert.ok(
        width > 2 && height > 2 && height / width > 0.5 && height / width < 3,
        `odd box ${width}×${height}`,
      );
      assert.ok(f.score >= 0.6);
    }
  });

  for (const n of [10, 12, 24]) {
    it(`finds several faces in group photo ulfd_${n}`, { timeout: 30_000 }, async () => {
      const analysis = await pipeline.analyze(readFileSync(crowd(n)), { embed: 'none' });
      assert.ok(analysis.faces.length >= 3, `${analysis.faces.length} faces`);
    });
  }
});
