import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { lfw } from '../testing/fixtures.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

const jsonLines = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('faceledger detect', () => {
  it('prints faces with box, score, five landmarks and quality', () => {
    const r = cli(['detect', lfw('Colin_Powell', 1), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.faces.length >= 1);
    const face = out.faces[0];
    assert.equal(face.box.length, 4);
    assert.equal(typeof face.score, 'number');
    assert.equal(face.landmarks.length, 5);
    for (const p of face.landmarks) assert.equal(p.length, 2);
    for (const k of ['detectorScore', 'interocularPx', 'sharpness', 'yawDeg', 'rollDeg'])
      assert.equal(typeof face.quality[k], 'number', k);
  });

  it('reports a non-image as bad input with exit code 2 and a JSON error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-cli-'));
    const file = join(dir, 'notes.jpg');
    writeFileSync(file, 'this is text pretending to be a JPEG');
    const r = cli(['detect', file, '--json']);
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stdout).error.code, 'UNSUPPORTED_TYPE');
  });

  it('reports a missing file as NOT_FOUND, readably without --json', () => {
    const r = cli(['detect', '/nonexistent/face.jpg']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No such file.*NOT_FOUND/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('treats unknown options as bad input', () => {
    const r = cli(['detect', '--frobnicate', '--json']);
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stdout).error.code, 'BAD_INPUT');
  });
});

describe('faceledger compare', () => {
  it('matches two photos of one person', () => {
    const r = cli(['compare', lfw('Tony_Blair', 1), lfw('Tony_Blair', 2), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['match', 'similarity', 'threshold']);
    assert.equal(out.match, true);
    assert.ok(out.similarity >= out.threshold);
  });

  it('does not match two different people', () => {
    const out = JSON.parse(cli(['compare', lfw('Tony_Blair', 1), lfw('Colin_Powell', 1), '--json']).stdout);
    assert.equal(out.match, false);
    assert.ok(out.similarity < out.threshold);
  });

  it('exits 3 with NO_FACE when an image holds no face', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-cli-'));
    const blank = join(dir, 'wall.png');
    await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ccc' } })
      .png()
      .toFile(blank);
    const r = cli(['compare', lfw('Tony_Blair', 1), blank, '--json']);
    assert.equal(r.code, 3);
    assert.equal(JSON.parse(r.stdout).error.code, 'NO_FACE');
  });
});

describe('faceledger embed', () => {
  it('embeds every face of a folder, reports bad files and goes on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-cli-'));
    mkdirSync(join(dir, 'nested'));
    copyFileSync(lfw('Colin_Powell', 1), join(dir, 'a.jpg'));
    copyFileSync(lfw('Tony_Blair', 1), join(dir, 'nested', 'b.jpg'));
    writeFileSync(join(dir, 'broken.jpg'), readFileSync(lfw('Colin_Powell', 2)).subarray(0, 3000));
    writeFileSync(join(dir, 'readme.txt'), 'not an image, and not listed');
    const r = cli(['embed', dir, '--json']);
    assert.equal(r.code, 2, 'some input failed');
    const lines = jsonLines(r.stdout);
    const errors = lines.filter((l) => l.error);
    const faces = lines.filter((l) => l.embedding);
    assert.equal(errors.length, 1);
    assert.match(errors[0].file, /broken\.jpg$/);
    assert.equal(errors[0].error.code, 'BAD_IMAGE');
    assert.ok(faces.some((l) => l.file.endsWith('a.jpg')) && faces.some((l) => l.file.endsWith('b.jpg')));
    for (const l of faces) {
      assert.equal(l.embedding.length, 128);
      assert.equal(typeof l.face, 'number');
      assert.equal(l.box.length, 4);
      const norm = Math.hypot(...l.embedding);
      assert.ok(Math.abs(norm - 1) < 1e-4);
    }
    assert.ok(
      !lines.some((l) => String(l.file).endsWith('readme.txt')),
      'non-image files in folders are skipped',
    );
  });

  it('survives a command line longer than onnxruntime tolerates (500 paths)', { timeout: 120_000 }, () => {
    const names = readFileSync(join(lfw('x', 1), '..', '..', '..', 'lfw-names.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0] as string);
    const files = names.slice(0, 500).map((n) => lfw(n, 1));
    assert.ok(files.join(' ').length > 28_000, 'the command line must exceed the crash limit');
    const r = cli(['embed', '--json', ...files]);
    assert.equal(r.signal, null, `crashed with ${r.signal}`);
    const seen = new Set(jsonLines(r.stdout).map((l) => l.file));
    assert.equal(seen.size, 500);
  });

  it('reads inputs from a list on stdin', () => {
    const r = cli(
      ['embed', '--json', '--files-from', '-'],
      `${lfw('Tony_Blair', 1)}\n${lfw('Tony_Blair', 2)}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(new Set(jsonLines(r.stdout).map((l) => l.file)).size, 2);
  });
});

describe('faceledger search', () => {
  it('refuses a search without --case or --purpose (exit 2)', () => {
    for (const args of [
      ['search', lfw('Colin_Powell', 5), '--purpose', 'homicide', '--json'],
      ['search', lfw('Colin_Powell', 5), '--case', 'C-1', '--json'],
    ]) {
      const r = cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(JSON.parse(r.stdout).error.code, 'BAD_INPUT');
    }
    const r = cli(['search', lfw('Colin_Powell', 5), '--case', 'C-1', '--purpose', 'curiosity', '--json']);
    assert.equal(r.code, 2);
    assert.match(JSON.parse(r.stdout).error.message, /unknown purpose/);
  });

  it('records a case-bound search in the audit log, the case number sealed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-cli-'));
    const data = join(dir, 'data');
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    copyFileSync(lfw('Colin_Powell', 1), join(photos, 'a.jpg'));
    copyFileSync(lfw('Tony_Blair', 1), join(photos, 'b.jpg'));
    const marker = 'CLI-MARKER-CASE-88e1';
    for (const args of [
      ['gallery', 'create', 'g', '--legal-basis', 'test'],
      ['ingest', photos, '--gallery', 'g'],
    ]) {
      const r = cli(['--data', data, '--workers', '1', ...args]);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = cli([
      '--data',
      data,
      '--workers',
      '1',
      'search',
      lfw('Colin_Powell', 5),
      '--case',
      marker,
      '--purpose',
      'missing-person',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.caseNumber, marker);
    assert.equal(out.decision, 'match');
    const { FaceLedgerApp } = await import('../services/app.js');
    const { openSearchAuditCase } = await import('../services/search-history/audit-sealing.js');
    const app = FaceLedgerApp.open({ dataDir: data });
    try {
      const [entry] = app.audit.query({ types: ['search.run'] }).entries;
      assert.ok(entry);
      assert.equal(entry.orgId, null);
      assert.match(entry.actor, /^cli:/);
      assert.ok(!entry.details.includes(marker));
      const details = JSON.parse(entry.details);
      assert.equal(details.searchId, out.searchId);
      assert.equal(details.resultCount, out.candidates.length);
      assert.deepEqual(openSearchAuditCase(app.vault, null, details), {
        caseNumber: marker,
        purpose: 'missing-person',
      });
    } finally {
      await app.close();
    }
  });
});
