import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FaceLedgerError } from '../core/errors.js';
import { locateModels, MODEL_FILES, resolveModelDir } from './models.js';

describe('locateModels', () => {
  it('verifies the shared models', () => {
    const paths = locateModels();
    assert.ok(paths.detector.endsWith(MODEL_FILES.detector.file));
  });

  it('prefers FACELEDGER_MODELS', () => {
    assert.equal(resolveModelDir({ FACELEDGER_MODELS: '/somewhere/models' }), '/somewhere/models');
  });

  it('names the missing file and the env variable', () => {
    const empty = mkdtempSync(join(tmpdir(), 'fl-models-'));
    assert.throws(
      () => locateModels(empty),
      (e: unknown) =>
        e instanceof FaceLedgerError &&
        e.code === 'MODEL_MISSING' &&
        e.message.includes(MODEL_FILES.detector.file) &&
        e.message.includes('FACELEDGER_MODELS'),
    );
  });

  it('refuses a damaged model file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-models-'));
    const real = resolveModelDir();
    copyFileSync(join(real, MODEL_FILES.detector.file), join(dir, MODEL_FILES.detector.file));
    const bytes = readFileSync(join(real, MODEL_FILES.embedder.file));
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    writeFileSync(join(dir, MODEL_FILES.embedder.file), bytes);
    assert.throws(
      () => locateModels(dir),
      (e: unknown) =>
        e instanceof FaceLedgerError &&
        e.code === 'MODEL_CORRUPT' &&
        e.message.includes(MODEL_FILES.embedder.file),
    );
  });
});
