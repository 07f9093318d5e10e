import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { lfw } from '../../testing/fixtures.js';
import { openSource } from './open-source.js';
import { collect, items, keys, problems, rejectsWith, tempDir } from './test-helpers.js';

describe('folder source', () => {
  let root: string;
  let outside: string;

  before(async () => {
    const base = await tempDir('folder');
    root = join(base, 'photos');
    outside = join(base, 'elsewhere');
    await mkdir(join(root, 'b', 'deeper'), { recursive: true });
    await mkdir(join(root, '.git'), { recursive: true });
    await mkdir(outside);
    await copyFile(lfw('Tony_Blair', 1), join(root, 'a.jpg'));
    await copyFile(lfw('Colin_Powell', 1), join(root, 'b', 'c.jpeg'));
    await copyFile(lfw('George_W_Bush', 1), join(root, 'b', 'deeper', 'd.JPG'));
    await copyFile(lfw('Gerhard_Schroeder', 1), join(root, 'Z.PNG')); // the extension decides, not the bytes
    await copyFile(lfw('Tony_Blair', 2), join(root, '.hidden.jpg'));
    await copyFile(lfw('Tony_Blair', 3), join(root, '.git', 'x.jpg'));
    await writeFile(join(root, 'notes.txt'), 'not a picture');
    await copyFile(lfw('Donald_Rumsfeld', 1), join(outside, 'secret.jpg'));
    await symlink(join(root, 'a.jpg'), join(root, 'link-inside.jpg'));
    await symlink(join(outside, 'secret.jpg'), join(root, 'link-outside.jpg'));
    await symlink(outside, join(root, 'linked-folder'));
  });

  it('lists images recursively in sorted order with forward-slash keys, skipping hidden files and other types', async () => {
    const source = await openSource(root);
    assert.equal(source.kind, 'folder');
    assert.equal(source.root, root);
    const entries = await collect(source);
    assert.deepEqual(keys(entries), [
      'Z.PNG',
      'a.jpg',
      'b/c.jpeg',
      'b/deeper/d.JPG',
      'link-inside.jpg',
      '!link-outside.jpg',
    ]);
    for (const item of items(entries)) {
      assert.equal(item.location, item.key);
      assert.equal(item.subjectId, null);
      assert.equal(item.sourceLink, null);
      assert.deepEqual(item.metadata, {});
    }
    const [problem] = problems(entries);
    assert.equal(problem?.code, 'BAD_INPUT');
    assert.match(problem?.message ?? '', /outside the folder/);
    assert.equal(await source.countHint?.(), 6);
  });

  it('is identical across runs', async () => {
    const first = keys(await collect(await openSource(root)));
    const second = keys(await collect(await openSource(`${root}/`)));
    assert.deepEqual(second, first);
  });

  it('reads the original bytes, following a link that stays inside the folder', async () => {
    const byKey = new Map(items(await collect(await openSource(root))).map((item) => [item.key, item]));
    const a = await byKey.get('a.jpg')?.read();
    assert.deepEqual(a, new Uint8Array(readFileSync(lfw('Tony_Blair', 1))));
    assert.deepEqual(
      await byKey.get('b/deeper/d.JPG')?.read(),
      new Uint8Array(readFileSync(lfw('George_W_Bush', 1))),
    );
    assert.deepEqual(await byKey.get('link-inside.jpg')?.read(), a);
  });

  it('rejects only that item: NOT_FOUND once the file is gone, TOO_LARGE over maxImageBytes', async () => {
    const dir = join(await tempDir('folder-read'), 'set');
    await mkdir(dir);
    await copyFile(lfw('Tony_Blair', 1), join(dir, 'one.jpg'));
    await copyFile(lfw('Tony_Blair', 2), join(dir, 'two.jpg'));
    const [one, two] = items(await collect(await openSource(dir, { maxImageBytes: 4096 })));
    await rejectsWith(() => one?.read() ?? Promise.resolve(), 'TOO_LARGE', /limit is 4\.0 KiB/);
    await rm(join(dir, 'two.jpg'));
    await rejectsWith(() => two?.read() ?? Promise.resolve(), 'NOT_FOUND', /two\.jpg does not exist/);
  });

  it('fails with TOO_LARGE past maxEntries', async () => {
    const source = await openSource(root, { maxEntries: 3 });
    await rejectsWith(collect(source), 'TOO_LARGE', /more than 3 entries/);
  });
});
