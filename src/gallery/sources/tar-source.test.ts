import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { lfw } from '../../testing/fixtures.js';
import { openSource } from './open-source.js';
import { collect, items, keys, problems, rejectsWith, tempDir } from './test-helpers.js';

type Member = { name: string; data?: Uint8Array; type?: 'file' | 'directory' | 'symlink'; linkname?: string };

async function buildTar(members: Member[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const m of members) {
    const type = m.type ?? 'file';
    await new Promise<void>((resolve, reject) => {
      const header = { name: m.name, type, ...(m.linkname ? { linkname: m.linkname } : {}) };
      pack.entry(header, type === 'file' ? Buffer.from(m.data ?? new Uint8Array(0)) : '', (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const blair = new Uint8Array(readFileSync(lfw('Tony_Blair', 1)));
const powell = new Uint8Array(readFileSync(lfw('Colin_Powell', 1)));
const bush = new Uint8Array(readFileSync(lfw('George_W_Bush', 1)));
const big = new Uint8Array(Buffer.concat([blair, powell, bush]));
const limit = Math.max(blair.length, powell.length, bush.length);

const MEMBERS: Member[] = [
  { name: 'set/', type: 'directory' },
  { name: 'set/blair.jpg', data: blair },
  { name: 'set/notes.txt', data: Buffer.from('not a picture') },
  { name: 'set/.hidden.jpg', data: blair },
  { name: '../../etc/evil.jpg', data: blair },
  { name: 'set/huge.tiff', data: big },
  { name: 'set/link.jpg', type: 'symlink', linkname: '/etc/passwd' },
  { name: `set/${'long-name-'.repeat(12)}powell.webp`, data: powell }, // past ustar's 100 characters
  { name: 'bush.gif', data: bush },
];

describe('tar source', () => {
  let dir: string;
  let plain: string;
  let gz: string;

  before(async () => {
    dir = await tempDir('tar');
    const archive = await buildTar(MEMBERS);
    plain = join(dir, 'gallery.tar');
    gz = join(dir, 'gallery.TGZ');
    await writeFile(plain, archive);
    await writeFile(gz, gzipSync(archive));
    await writeFile(join(dir, 'gallery.tar.gz'), gzipSync(archive));
  });

  for (const which of ['gallery.tar', 'gallery.TGZ', 'gallery.tar.gz']) {
    it(`${which}: image members with their names as keys, problems for unsafe, oversized and link members`, async () => {
      const source = await openSource(join(dir, which), { maxImageBytes: limit });
      assert.equal(source.kind, 'tar');
      const entries = await collect(source);
      assert.deepEqual(keys(entries), [
        'set/blair.jpg',
        '!../../etc/evil.jpg',
        '!set/huge.tiff',
        '!set/link.jpg',
        `set/${'long-name-'.repeat(12)}powell.webp`,
        'bush.gif',
      ]);
      assert.deepEqual(
        problems(entries).map((p) => p.code),
        ['BAD_INPUT', 'TOO_LARGE', 'BAD_INPUT'],
      );
      const [blairItem, powellItem, bushItem] = items(entries);
      assert.equal(blairItem?.location, 'set/blair.jpg');
      // Read after the pass ended, out of order, twice: the bytes were buffered when the entry was yielded.
      assert.deepEqual(await bushItem?.read(), bush);
      assert.deepEqual(await blairItem?.read(), blair);
      assert.deepEqual(await powellItem?.read(), powell);
      assert.deepEqual(await powellItem?.read(), powell);
    });
  }

  it('reads while iterating too (the usual consumer)', async () => {
    const read: Uint8Array[] = [];
    for await (const entry of (await openSource(plain)).entries()) {
      if ('item' in entry) read.push(await entry.item.read());
    }
    assert.deepEqual(read, [blair, big, powell, bush]);
  });

  it('fails the pass with BAD_INPUT when a .tar.gz is truncated', async () => {
    const cut = join(dir, 'cut.tar.gz');
    const whole = readFileSync(gz);
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await rejectsWith(collect(await openSource(cut)), 'BAD_INPUT', /cut\.tar\.gz cannot be read/);
  });

  it('stops a decompression bomb while draining an oversized member', async () => {
    const bomb = join(dir, 'bomb.tar.gz');
    await writeFile(
      bomb,
      gzipSync(
        await buildTar([
          { name: 'zeros.tif', data: new Uint8Array(16 * 1024 * 1024) },
          { name: 'a.jpg', data: blair },
        ]),
      ),
    );
    const seen: string[] = [];
    await rejectsWith(
      async () => {
        for await (const entry of (await openSource(bomb, { maxImageBytes: 1024 * 1024 })).entries()) {
          seen.push('item' in entry ? entry.item.key : `!${entry.problem.code}`);
        }
      },
      'BAD_INPUT',
      /decompression bomb/,
    );
    assert.deepEqual(seen, ['!TOO_LARGE']);
  });

  it('says BAD_INPUT for a file that is not a tar', async () => {
    const fake = join(dir, 'fake.tar');
    await writeFile(fake, Buffer.alloc(2048, 0x41));
    await rejectsWith(collect(await openSource(fake)), 'BAD_INPUT');
  });
});
