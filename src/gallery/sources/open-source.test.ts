import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { lfw } from '../../testing/fixtures.js';
import { openSource } from './open-source.js';
import { DEFAULT_SOURCE_OPTIONS, resolveSourceOptions } from './source-item.js';
import { rejectsWith, tempDir } from './test-helpers.js';

describe('openSource', () => {
  it('says NOT_FOUND for a missing path and UNSUPPORTED_TYPE for an unknown kind, naming what works', async () => {
    const dir = await tempDir('open');
    await rejectsWith(openSource(join(dir, 'nope')), 'NOT_FOUND', /does not exist; give a folder, a \.zip/);
    await writeFile(join(dir, 'photos.rar'), 'x');
    await rejectsWith(
      openSource(join(dir, 'photos.rar')),
      'UNSUPPORTED_TYPE',
      /Cannot ingest .*photos\.rar: give a folder/,
    );
    await copyFile(lfw('Tony_Blair', 1), join(dir, 'single.jpg'));
    await rejectsWith(openSource(join(dir, 'single.jpg')), 'UNSUPPORTED_TYPE');
    await rejectsWith(openSource(''), 'BAD_INPUT');
  });

  it('picks the kind from the path, case-insensitively', async () => {
    const dir = await tempDir('kinds');
    await mkdir(join(dir, 'folder.zip')); // a folder is a folder, whatever its name
    await writeFile(join(dir, 'M.CSV'), 'path\na.jpg\n');
    await writeFile(join(dir, 'm.ndjson'), '{"path":"a.jpg"}\n');
    const pack = tar.pack();
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    await writeFile(join(dir, 'a.Tar.Gz'), gzipSync(Buffer.concat(chunks)));
    assert.equal((await openSource(join(dir, 'folder.zip'))).kind, 'folder');
    assert.equal((await openSource(join(dir, 'M.CSV'))).kind, 'csv');
    assert.equal((await openSource(join(dir, 'm.ndjson'))).kind, 'jsonl');
    assert.equal((await openSource(join(dir, 'a.Tar.Gz'))).kind, 'tar');
  });

  it('lets a consumer stop early without leaving the pass hanging', async () => {
    const dir = await tempDir('early');
    await copyFile(lfw('Tony_Blair', 1), join(dir, 'a.jpg'));
    await copyFile(lfw('Tony_Blair', 2), join(dir, 'b.jpg'));
    await writeFile(join(dir, 'm.csv'), 'path\na.jpg\nb.jpg\n');
    const pack = tar.pack();
    pack.entry({ name: 'a.jpg' }, Buffer.alloc(10));
    pack.entry({ name: 'b.jpg' }, Buffer.alloc(10));
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    await writeFile(join(dir, 't.tgz'), gzipSync(Buffer.concat(chunks)));
    for (const input of [dir, join(dir, 'm.csv'), join(dir, 't.tgz')]) {
      for await (const entry of (await openSource(input)).entries()) {
        assert.ok('item' in entry);
        break;
      }
    }
  });

  it('fills in defaults, merges partial fetch options and rejects nonsense limits', () => {
    assert.deepEqual(resolveSourceOptions(), DEFAULT_SOURCE_OPTIONS);
    assert.equal(DEFAULT_SOURCE_OPTIONS.maxImageBytes, 50 * 1024 * 1024);
    assert.equal(DEFAULT_SOURCE_OPTIONS.maxEntries, 5_000_000);
    const merged = resolveSourceOptions({ fetch: { allowPrivateNetworks: true } });
    assert.deepEqual(merged.fetch, { ...DEFAULT_SOURCE_OPTIONS.fetch, allowPrivateNetworks: true });
    assert.throws(() => resolveSourceOptions({ maxImageBytes: 0 }), { code: 'BAD_INPUT' });
    assert.throws(() => resolveSourceOptions({ maxEntries: Number.NaN }), { code: 'BAD_INPUT' });
    assert.throws(() => resolveSourceOptions({ fetch: { maxRedirects: -1 } }), { code: 'BAD_INPUT' });
  });
});
