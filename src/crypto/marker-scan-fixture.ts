/**
 * Marker scans for tests (tests only; not exported from index.ts): look for known strings in the raw
 * bytes of a data folder, in every encoding a careless implementation might leave them in. Shared by
 * the crypto, tenancy and server scans so that each proves the same thing the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every way a marker could sit in a file: UTF-8/16 (either case), hex, base64 at each byte alignment. */
export function markerNeedles(marker: string): Buffer[] {
  const out = new Set<string>();
  const add = (b: Buffer) => out.add(b.toString('latin1'));
  for (const text of [marker, marker.toLowerCase(), marker.toUpperCase()]) {
    const bytes = Buffer.from(text, 'utf8');
    add(bytes);
    add(Buffer.from(text, 'utf16le'));
    add(Buffer.from(text, 'utf16le').swap16());
    add(Buffer.from(bytes.toString('hex')));
    add(Buffer.from(bytes.toString('hex').toUpperCase()));
    for (let shift = 0; shift < 3; shift++) {
      const b64 = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
      // Skip characters that mix in the alignment bytes, and the last group (mixes in what follows).
      const core = b64.slice(shift === 0 ? 0 : 4, -4);
      add(Buffer.from(core));
      add(Buffer.from(core.replaceAll('+', '-').replaceAll('/', '_')));
    }
  }
  return [...out].map((s) => Buffer.from(s, 'latin1'));
}

/** Every file below `dir`, at any depth. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/**
 * Files (relative to `dir`, at any depth) holding `secret`, with how many of its needles each holds. A
 * string is looked for in every encoding (`markerNeedles`); a Buffer byte for byte.
 */
export function scanForMarker(dir: string, secret: string | Buffer): Map<string, number> {
  const found = new Map<string, number>();
  const list = typeof secret === 'string' ? markerNeedles(secret) : [secret];
  for (const file of filesUnder(dir)) {
    const raw = readFileSync(file);
    const hits = list.filter((n) => raw.includes(n)).length;
    if (hits > 0) found.set(relative(dir, file), hits);
  }
  return found;
}
