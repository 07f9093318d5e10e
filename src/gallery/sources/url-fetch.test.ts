import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lfw } from '../../testing/fixtures.js';
import { isPrivateAddress } from './net-guard.js';
import { openSource } from './open-source.js';
import { DEFAULT_SOURCE_OPTIONS, type FetchOptions } from './source-item.js';
import { collect, items, rejectsWith, tempDir } from './test-helpers.js';
import { fetchImage } from './url-fetch.js';

const jpeg = new Uint8Array(readFileSync(lfw('Tony_Blair', 1)));
const LOCAL: FetchOptions = { ...DEFAULT_SOURCE_OPTIONS.fetch, timeoutMs: 2000, allowPrivateNetworks: true };

describe('fetchImage', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '/';
      hits.push(url);
      const hop = /^\/hop\/(\d+)$/.exec(url);
      if (url === '/face.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
        res.end(jpeg);
      } else if (url === '/octet') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(jpeg);
      } else if (url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<html><img src="/face.jpg"></html>');
      } else if (url === '/untyped') {
        res.writeHead(200);
        res.end(jpeg);
      } else if (url === '/big-chunked') {
        // No Content-Length: the cap must hold while streaming.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(64 * 1024, i));
        res.end();
      } else if (url === '/big-declared') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 10 * 1024 * 1024 });
        res.write(Buffer.alloc(1024));
        // never finishes: the client must give up on the header alone
      } else if (url === '/loop-a') {
        res.writeHead(302, { location: '/loop-b' });
        res.end();
      } else if (url === '/loop-b') {
        res.writeHead(301, { location: `${base}/loop-a` });
        res.end();
      } else if (hop) {
        const n = Number(hop[1]);
        res.writeHead(
          n === 0 ? 200 : 307,
          n === 0 ? { 'content-type': 'image/jpeg' } : { location: `/hop/${n - 1}` },
        );
        res.end(n === 0 ? jpeg : undefined);
      } else if (url === '/to-file') {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
      } else if (url === '/slow') {
        // never answers
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches image/jpeg and application/octet-stream bodies byte for byte', async () => {
    assert.deepEqual(await fetchImage(`${base}/face.jpg`, LOCAL), jpeg);
    assert.deepEqual(await fetchImage(`${base}/octet`, LOCAL), jpeg);
  });

  it('rejects text/html, and a body with no content type, as UNSUPPORTED_TYPE', async () => {
    await rejectsWith(fetchImage(`${base}/page`, LOCAL), 'UNSUPPORTED_TYPE', /"text\/html", not an image/);
    await rejectsWith(fetchImage(`${base}/untyped`, LOCAL), 'UNSUPPORTED_TYPE', /no declared type/);
  });

  it('rejects an oversized body as TOO_LARGE, whether declared or only streamed', async () => {
    const capped = { ...LOCAL, maxBytes: 1024 * 1024 };
    await rejectsWith(
      fetchImage(`${base}/big-chunked`, capped),
      'TOO_LARGE',
      /sent more than 1\.0 MiB, the limit/,
    );
    await rejectsWith(fetchImage(`${base}/big-declared`, capped), 'TOO_LARGE', /declares 10\.0 MiB/);
  });

  it('follows redirects up to maxRedirects and refuses loops, longer chains and non-http targets', async () => {
    assert.deepEqual(await fetchImage(`${base}/hop/3`, { ...LOCAL, maxRedirects: 3 }), jpeg);
    await rejectsWith(
      fetchImage(`${base}/hop/4`, { ...LOCAL, maxRedirects: 3 }),
      'BAD_INPUT',
      /more than 3 times/,
    );
    await rejectsWith(fetchImage(`${base}/loop-a`, LOCAL), 'BAD_INPUT', /redirects in a loop/);
    await rejectsWith(fetchImage(`${base}/to-file`, LOCAL), 'BAD_INPUT', /not an http or https URL/);
  });

  it('says NOT_FOUND for a 404, an unreachable host and a timeout', async () => {
    await rejectsWith(fetchImage(`${base}/nothing.jpg`, LOCAL), 'NOT_FOUND', /HTTP 404/);
    await rejectsWith(fetchImage('http://127.0.0.1:1/x.jpg', LOCAL), 'NOT_FOUND', /cannot be fetched/);
    await rejectsWith(
      fetchImage(`${base}/slow`, { ...LOCAL, timeoutMs: 300 }),
      'NOT_FOUND',
      /longer than 300 ms/,
    );
  });

  it('refuses private, loopback and link-local hosts by default, before sending anything', async () => {
    const strict = { ...LOCAL, allowPrivateNetworks: false };
    const hitsBefore = hits.length;
    await rejectsWith(
      fetchImage(`${base}/face.jpg`, strict),
      'BAD_INPUT',
      /Refusing to fetch from 127\.0\.0\.1/,
    );
    await rejectsWith(
      fetchImage(`${base.replace('127.0.0.1', 'localhost')}/face.jpg`, strict),
      'BAD_INPUT',
      /localhost \(it resolves to (127\.0\.0\.1|::1)\)/,
    );
    await rejectsWith(fetchImage('http://[::1]/x.jpg', strict), 'BAD_INPUT', /Refusing/);
    await rejectsWith(fetchImage('http://169.254.169.254/latest/meta-data', strict), 'BAD_INPUT', /Refusing/);
    await rejectsWith(
      fetchImage('http://images.example/x.jpg', strict, {
        resolveHost: async () => ['93.184.216.34', '10.1.2.3'],
      }),
      'BAD_INPUT',
      /resolves to 10\.1\.2\.3/,
    );
    assert.equal(hits.length, hitsBefore, 'no request may reach the server');
  });

  it('serves manifest url rows through item.read(), with the row named in errors', async () => {
    const dir = await tempDir('url-manifest');
    const path = join(dir, 'remote.jsonl');
    await writeFile(
      path,
      [`${base}/face.jpg`, `${base}/page`]
        .map((url, i) => JSON.stringify({ url, subject_id: `S${i}` }))
        .join('\n'),
    );
    const [face, page] = items(
      await collect(await openSource(path, { fetch: { allowPrivateNetworks: true } })),
    );
    assert.equal(face?.location, `${base}/face.jpg`);
    assert.deepEqual(await face?.read(), jpeg);
    await rejectsWith(() => page?.read() ?? Promise.resolve(), 'UNSUPPORTED_TYPE', /^Row 2 \(line 2\): /);

    const [strictFace] = items(await collect(await openSource(path)));
    await rejectsWith(() => strictFace?.read() ?? Promise.resolve(), 'BAD_INPUT', /Refusing/);
  });
});

describe('isPrivateAddress', () => {
  const blocked = [
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1',
    'fc12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:c0a8:0101::1',
    '2001:db8::1',
    '::127.0.0.1',
    'not-an-ip',
  ];
  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:0808:0808::1',
  ];
  for (const address of blocked) it(`blocks ${address}`, () => assert.equal(isPrivateAddress(address), true));
  for (const address of allowed)
    it(`allows ${address}`, () => assert.equal(isPrivateAddress(address), false));
});
