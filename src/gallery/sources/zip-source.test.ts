import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { lfw } from '../../testing/fixtures.js';
import { crc32 } from '../../testing/stored-zip.js';
import { openSource } from './open-source.js';
import { collect, items, keys, problems, rejectsWith, tempDir } from './test-helpers.js';

interface ZipMember {
  name: string;
  data?: Uint8Array;
  /** Stored (the default, what the brief asks of the writer) or deflated, for the bomb tests. */
  deflate?: boolean;
  /** Lie about the inflated size in both headers. */
  declaredSize?: number;
  /** Unix mode bits for the central directory (e.g. 0o120777 for a symlink). */
  mode?: number;
  /** Only a central directory record, pointing at the body of the member with this index (overlapping-entry bomb). */
  aliasOf?: number;
}

/** A minimal zip writer (no zip64, no data descriptors): enough to build test archives without any tool. */
function buildZip(members: ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const written: Array<{ offset: number; crc: number; stored: number; size: number; method: number }> = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    let record = member.aliasOf === undefined ? undefined : written[member.aliasOf];
    if (!record) {
      const raw = Buffer.from(member.data ?? new Uint8Array(0));
      const body = member.deflate ? deflateRawSync(raw) : raw;
      record = {
        offset,
        crc: crc32(raw),
        stored: body.length,
        size: member.declaredSize ?? raw.length,
        method: member.deflate ? 8 : 0,
      };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed
      local.writeUInt16LE(0x800, 6); // UTF-8 names
      local.writeUInt16LE(record.method, 8);
      local.writeUInt16LE(0, 10); // time
      local.writeUInt16LE(0x21, 12); // date: 1980-01-01
      local.writeUInt32LE(record.crc, 14);
      local.writeUInt32LE(record.stored, 18);
      local.writeUInt32LE(record.size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      locals.push(local, name, body);
      offset += local.length + name.length + body.length;
    }
    written.push(record);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(record.method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(record.crc, 16);
    central.writeUInt32LE(record.stored, 20);
    central.writeUInt32LE(record.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(
      ((member.mode ?? (member.name.endsWith('/') ? 0o40755 : 0o100644)) << 16) >>> 0,
      38,
    );
    central.writeUInt32LE(record.offset, 42);
    centrals.push(central, name);
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const blair = new Uint8Array(readFileSync(lfw('Tony_Blair', 1)));
const powell = new Uint8Array(readFileSync(lfw('Colin_Powell', 1)));
const bush = new Uint8Array(readFileSync(lfw('George_W_Bush', 1)));
/** Larger than any one of the pictures above (the bytes of three pictures: only its size matters here). */
const big = new Uint8Array(Buffer.concat([blair, powell, bush]));

describe('zip source', () => {
  let dir: string;
  let zipPath: string;

  before(async () => {
    dir = await tempDir('zip');
    zipPath = join(dir, 'gallery.ZIP');
    await writeFile(
      zipPath,
      buildZip([
        { name: 'people/' },
        { name: 'people/blair.jpg', data: blair },
        { name: 'people/powell.JPEG', data: powell, deflate: true },
        { name: 'readme.txt', data: Buffer.from('hello') },
        { name: '__MACOSX/people/._blair.jpg', data: Buffer.from('resource fork') },
        { name: '../escape.jpg', data: blair },
        { name: 'people/huge.png', data: big },
        { name: 'bush.jpg', data: bush },
        { name: 'bush.jpg', data: blair },
        { name: 'link.jpg', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
      ]),
    );
  });

  it('lists image members lazily, in archive order, with the member name as key', async () => {
    const source = await openSource(zipPath, {
      maxImageBytes: Math.max(blair.length, powell.length, bush.length),
    });
    assert.equal(source.kind, 'zip');
    const entries = await collect(source);
    assert.deepEqual(keys(entries), [
      'people/blair.jpg',
      'people/powell.JPEG',
      '!../escape.jpg',
      '!people/huge.png',
      'bush.jpg',
      'bush.jpg#2',
      '!link.jpg',
    ]);
    const [traversal, huge, link] = problems(entries);
    assert.equal(traversal?.code, 'BAD_INPUT');
    assert.match(traversal?.message ?? '', /climbs out of the archive/);
    assert.equal(huge?.code, 'TOO_LARGE');
    assert.equal(huge?.location, 'people/huge.png');
    assert.equal(link?.code, 'BAD_INPUT');
    assert.match(link?.message ?? '', /symbolic link/);
    assert.equal(await source.countHint?.(), 7);
  });

  it('reads bytes equal to the originals, stored or deflated, in any order and after the listing ended', async () => {
    const source = await openSource(zipPath);
    const list = items(await collect(source)).reverse();
    const read = await Promise.all(list.map(async (item) => [item.key, await item.read()] as const));
    const byKey = new Map(read);
    assert.deepEqual(byKey.get('people/blair.jpg'), blair);
    assert.deepEqual(byKey.get('people/powell.JPEG'), powell);
    assert.deepEqual(byKey.get('people/huge.png'), big);
    assert.deepEqual(byKey.get('bush.jpg'), bush);
    assert.deepEqual(byKey.get('bush.jpg#2'), blair);
    assert.equal(list.find((item) => item.key === 'bush.jpg')?.location, 'bush.jpg');
  });

  it('refuses a member that claims a bomb-like compression ratio, without inflating it', async () => {
    const path = join(dir, 'bomb.zip');
    await writeFile(
      path,
      buildZip([
        { name: 'zeros.tif', data: new Uint8Array(8 * 1024 * 1024), deflate: true },
        { name: 'ok.jpg', data: blair },
      ]),
    );
    const entries = await collect(await openSource(path));
    assert.deepEqual(keys(entries), ['!zeros.tif', 'ok.jpg']);
    assert.equal(problems(entries)[0]?.code, 'BAD_INPUT');
    assert.match(problems(entries)[0]?.message ?? '', /zip bomb/);
  });

  it('stops an archive whose members overlap to claim far more than its size (overlapping-entry bomb)', async () => {
    const path = join(dir, 'overlap.zip');
    const shared: ZipMember = { name: 'm0.tif', data: new Uint8Array(1024 * 1024), deflate: true };
    const aliases = Array.from({ length: 30 }, (_, i) => ({ name: `m${i + 1}.tif`, aliasOf: 0 }));
    await writeFile(path, buildZip([shared, ...aliases]));
    const seen: string[] = [];
    await rejectsWith(
      async () => {
        for await (const entry of (await openSource(path, { maxImageBytes: 2 * 1024 * 1024 })).entries()) {
          seen.push('item' in entry ? entry.item.key : '!');
        }
      },
      'BAD_INPUT',
      /claim more than 100× its size/,
    );
    assert.ok(seen.length > 0 && seen.length < 10, `stopped after ${seen.length} members`);
  });

  it('rejects a member that inflates past its declared size when read', async () => {
    const path = join(dir, 'liar.zip');
    await writeFile(path, buildZip([{ name: 'liar.png', data: big, deflate: true, declaredSize: 1000 }]));
    const [item] = items(await collect(await openSource(path)));
    assert.ok(item);
    await rejectsWith(item.read(), 'BAD_INPUT', /liar\.png cannot be read: too many bytes/);
  });

  it('refuses a stored member whose sizes disagree as a problem, not the end of the archive', async () => {
    const path = join(dir, 'mismatch.zip');
    await writeFile(
      path,
      buildZip([
        { name: 'a.jpg', data: blair, declaredSize: blair.length + 5 },
        { name: 'b.jpg', data: powell },
      ]),
    );
    const entries = await collect(await openSource(path));
    assert.deepEqual(keys(entries), ['!a.jpg', 'b.jpg']);
  });

  it('says BAD_INPUT for a file that is not a zip, and TOO_LARGE past maxEntries', async () => {
    const fake = join(dir, 'fake.zip');
    await writeFile(fake, 'this is not an archive');
    await rejectsWith(openSource(fake), 'BAD_INPUT', /not a readable zip/);
    await rejectsWith(openSource(zipPath, { maxEntries: 5 }), 'TOO_LARGE', /lists 10 members/);
  });
});
