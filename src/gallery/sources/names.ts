import { extname } from 'node:path';

/** File name extensions taken as pictures when walking folders and archives. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
]);

/** By extension only, case-insensitive; the decoder judges the real type later. */
export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/**
 * Hidden files and folders (`.DS_Store`, `.git/…`, macOS `._x.jpg` resource forks) and the `__MACOSX/`
 * folder Finder adds to zips: never pictures the operator meant to enrol.
 */
export function isHiddenPath(name: string): boolean {
  const parts = splitMemberName(name);
  return (
    parts[0] === '__MACOSX' || parts.some((part) => part.startsWith('.') && part !== '.' && part !== '..')
  );
}

/**
 * Why an archive member name is unsafe, or null when it is fine: absolute paths, drive letters, `..`
 * segments (path traversal) and control characters. FaceLedger never extracts to disk, but the name is
 * stored as provenance and must not point outside the archive if anyone ever does.
 */
export function unsafeMemberName(name: string): string | null {
  if (name.length === 0) return 'the member has an empty name';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the member name contains control characters';
  if (name.startsWith('/') || name.startsWith('\\')) return 'the member name is an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'the member name starts with a drive letter';
  if (splitMemberName(name).includes('..')) return 'the member name climbs out of the archive (`..`)';
  return null;
}

function splitMemberName(name: string): string[] {
  return name.split(/[/\\]+/).filter((part) => part.length > 0);
}

/** Keeps keys unique when an archive holds the same member name twice: the second becomes `name#2`. */
export class UniqueKeys {
  readonly #seen = new Set<string>();

  claim(name: string): string {
    let key = name;
    for (let n = 2; this.#seen.has(key); n++) key = `${name}#${n}`;
    this.#seen.add(key);
    return key;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
