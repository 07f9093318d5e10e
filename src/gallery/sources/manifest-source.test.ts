import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { lfw } from '../../testing/fixtures.js';
import { openSource } from './open-source.js';
import { collect, items, keys, problems, rejectsWith, tempDir } from './test-helpers.js';

const blair = new Uint8Array(readFileSync(lfw('Tony_Blair', 1)));
const powell = new Uint8Array(readFileSync(lfw('Colin_Powell', 1)));

describe('CSV manifest', () => {
  let dir: string;
  let manifest: string;

  before(async () => {
    dir = await tempDir('csv');
    await mkdir(join(dir, 'photos'));
    await copyFile(lfw('Tony_Blair', 1), join(dir, 'photos', 'blair.jpg'));
    manifest = join(dir, 'manifest.csv');
    await writeFile(
      manifest,
      [
        '\ufeffpath,url,subject_id,source,Camera,notes',
        'photos/blair.jpg,,P-001,https://archive.example/item/1,Nikon,"front, well lit"',
        `${lfw('Colin_Powell', 1)},,P-002,scanned from the 2003 yearbook,,`,
        'photos/missing.jpg,,P-003,,,',
        ',,P-004,,,only notes',
        ',http//not-a-url/x.jpg,P-005,,,',
        'photos/blair.jpg,https://img.example/b.jpg,,,,',
        ',ftp://files.example/x.jpg,,,,',
        'photos/blair.jpg,,too,many,fields,here,!',
        '',
        ',https://img.example/face.jpg,P-009,,,',
      ].join('\r\n'),
    );
  });

  it('turns good rows into items and bad rows into BAD_INPUT problems, and goes on', async () => {
    const source = await openSource(manifest);
    assert.equal(source.kind, 'csv');
    assert.equal(source.root, manifest);
    const entries = await collect(source);
    assert.deepEqual(keys(entries), [
      'row:1',
      'row:2',
      'row:3',
      '!row:4',
      '!row:5',
      '!row:6',
      '!row:7',
      '!row:8',
      'row:9',
    ]);
    const [first, second, missing, remote] = items(entries);
    assert.deepEqual(
      { ...first, read: undefined },
      {
        key: 'row:1',
        location: 'photos/blair.jpg',
        subjectId: 'P-001',
        sourceLink: 'https://archive.example/item/1',
        metadata: { Camera: 'Nikon', notes: 'front, well lit' },
        read: undefined,
      },
    );
    assert.equal(second?.location, lfw('Colin_Powell', 1));
    assert.equal(second?.sourceLink, 'scanned from the 2003 yearbook');
    assert.deepEqual(second?.metadata, {});
    assert.equal(remote?.location, 'https://img.example/face.jpg');
    assert.equal(remote?.subjectId, 'P-009');

    assert.deepEqual(await first?.read(), blair);
    assert.deepEqual(await second?.read(), powell);
    await rejectsWith(
      () => missing?.read() ?? Promise.resolve(),
      'NOT_FOUND',
      /Row 3 .*missing\.jpg does not exist/,
    );

    const messages = problems(entries).map((p) => [p.code, p.message]);
    assert.deepEqual(
      messages.map(([code]) => code),
      ['BAD_INPUT', 'BAD_INPUT', 'BAD_INPUT', 'BAD_INPUT', 'BAD_INPUT'],
    );
    assert.match(messages[0]?.[1] ?? '', /^Row 4 \(line 5\): neither path nor url/);
    assert.match(
      messages[1]?.[1] ?? '',
      /^Row 5 \(line 6\): url "http\/\/not-a-url\/x\.jpg" is not a valid URL/,
    );
    assert.match(messages[2]?.[1] ?? '', /^Row 6 .*both path and url/);
    assert.match(messages[3]?.[1] ?? '', /^Row 7 .*http or https, not ftp/);
    assert.match(messages[4]?.[1] ?? '', /^Row 8 .*7 fields; the header has 6/);
    assert.equal(problems(entries)[0]?.key, 'row:4');
    assert.equal(await source.countHint?.(), 9);
  });

  it('refuses a manifest without a path or url column, or with an empty or duplicated header', async () => {
    const cases: Array<[string, RegExp]> = [
      ['file,subject\na.jpg,x\n', /neither a "path" nor a "url" column/],
      ['', /is empty/],
      ['path,notes,notes\na.jpg,1,2\n', /names column "notes" twice/],
      ['path,,notes\n', /column 2 of the header has no name/],
    ];
    for (const [i, [text, pattern]] of cases.entries()) {
      const path = join(dir, `bad-${i}.csv`);
      await writeFile(path, text);
      await rejectsWith(openSource(path), 'BAD_INPUT', pattern);
    }
  });

  it('ends the pass with BAD_INPUT when quoting breaks the file', async () => {
    const path = join(dir, 'quote.csv');
    await writeFile(
      path,
      `path,notes\nphotos/blair.jpg,ok\nphotos/blair.jpg,"never closed\n${'x,'.repeat(10)}\n`,
    );
    const seen: string[] = [];
    await rejectsWith(
      async () => {
        for await (const entry of (await openSource(path)).entries())
          seen.push('item' in entry ? entry.item.key : '!');
      },
      'BAD_INPUT',
      /not valid CSV/,
    );
    assert.deepEqual(seen, ['row:1']);
  });
});

describe('JSONL manifest', () => {
  it('reads objects line by line; a bad JSON line is a problem naming the row, the rest goes on', async () => {
    const dir = await tempDir('jsonl');
    await copyFile(lfw('Tony_Blair', 1), join(dir, 'blair.jpg'));
    const path = join(dir, 'manifest.jsonl');
    await writeFile(
      path,
      [
        JSON.stringify({
          path: 'blair.jpg',
          subjectId: 42,
          sourceLink: 'https://archive.example/1',
          year: 2003,
          tags: ['a'],
          seen: true,
          none: null,
        }),
        '{"path": "blair.jpg", "subject_id": "x"',
        '',
        '["path", "blair.jpg"]',
        JSON.stringify({
          url: 'https://img.example/p.jpg',
          source_url: 'https://img.example/page',
          subject_id: 'S',
        }),
        JSON.stringify({ path: 'blair.jpg', subject_id: 'A', subjectId: 'B' }),
        JSON.stringify({ path: 7 }),
        '{"path": "blair.jpg", "__proto__": "p", "constructor": "c", "toString": "t"}',
      ].join('\n'),
    );
    const source = await openSource(path);
    assert.equal(source.kind, 'jsonl');
    const entries = await collect(source);
    assert.deepEqual(keys(entries), ['row:1', '!row:2', '!row:3', 'row:4', '!row:5', '!row:6', 'row:7']);
    const [first, remote, odd] = items(entries);
    assert.deepEqual(Object.entries(odd?.metadata ?? {}), [
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['toString', 't'],
    ]);
    assert.equal(Object.getPrototypeOf(odd?.metadata), Object.prototype);
    assert.equal(first?.subjectId, '42');
    assert.equal(first?.sourceLink, 'https://archive.example/1');
    assert.deepEqual(first?.metadata, { year: '2003', tags: '["a"]', seen: 'true' });
    assert.deepEqual(await first?.read(), blair);
    assert.equal(remote?.location, 'https://img.example/p.jpg');
    assert.equal(remote?.sourceLink, 'https://img.example/page');
    const messages = problems(entries).map((p) => p.message);
    assert.match(messages[0] ?? '', /^Row 2 \(line 2\): not valid JSON/);
    assert.match(messages[1] ?? '', /^Row 3 \(line 4\): expected a JSON object, got an array/);
    assert.match(messages[2] ?? '', /disagrees/);
    assert.match(messages[3] ?? '', /path must be text/);
    assert.ok(problems(entries).every((p) => p.code === 'BAD_INPUT'));
    assert.equal(await source.countHint?.(), 7);
  });

  it('treats a line over 1 MiB as one bad row without holding it', async () => {
    const dir = await tempDir('jsonl-long');
    const path = join(dir, 'long.jsonl');
    await writeFile(
      path,
      `{"path": "${'a'.repeat(2 * 1024 * 1024)}.jpg"}\n{"url": "https://img.example/x.jpg"}\n`,
    );
    const entries = await collect(await openSource(path));
    assert.deepEqual(keys(entries), ['!row:1', 'row:2']);
    assert.match(problems(entries)[0]?.message ?? '', /longer than/);
  });

  it('says NOT_FOUND for a missing manifest', async () => {
    await rejectsWith(openSource('/nonexistent/manifest.jsonl'), 'NOT_FOUND');
  });
});
