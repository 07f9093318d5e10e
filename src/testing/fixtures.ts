import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { sharedDir } from '../core/project-paths.js';

/** Test data comes from ../shared/datasets, never from the project. */
export const DATASETS = process.env.FACELEDGER_DATASETS ?? sharedDir('datasets');

export function lfw(name: string, index: number): string {
  return join(DATASETS, 'lfw', 'lfw', name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

export function crowd(n: number): string {
  return join(DATASETS, 'crowd', 'images', `ulfd_${n}.jpg`);
}

/**
 * A syntactically valid PNG that declares `width`×`height` but carries one tiny compressed row: the
 * shape of a decompression bomb, without needing the memory to build one.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A temp folder of LFW photos: `count` photos each of the given people, named like LFW. */
export function lfwFolder(root: string, people: Record<string, number[]>): string[] {
  const files: string[] = [];
  for (const [name, indexes] of Object.entries(people)) {
    for (const i of indexes) {
      const target = join(root, `${name}_${String(i).padStart(4, '0')}.jpg`);
      copyFileSync(lfw(name, i), target);
      files.push(target);
    }
  }
  return files;
}
