import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { FaceLedgerError } from '../../core/errors.js';
import { isImageName } from './names.js';
import { fileError, readFileCapped } from './read-bytes.js';
import { EntryBudget, type IngestSource, type SourceEntry, type SourceOptions } from './source-item.js';

/**
 * A folder, walked recursively in a stable order: names sorted by UTF-16 code unit (locale-independent)
 * within each folder, depth first. Only image extensions; hidden files and folders skipped. Symbolic links
 * to files are followed only when their target lies inside the folder (checked again when read); links to
 * folders are never followed, which rules out cycles and double listings.
 */
export function folderSource(root: string, options: SourceOptions): IngestSource {
  return {
    kind: 'folder',
    root,
    entries: () => folderEntries(root, options),
    countHint: async () => {
      let n = 0;
      for await (const _ of folderEntries(root, options)) n++;
      return n;
    },
  };
}

async function* folderEntries(root: string, options: SourceOptions): AsyncGenerator<SourceEntry> {
  const realRoot = await realpath(root).catch((err: unknown) => {
    throw fileError(err, `The folder ${root}`);
  });
  const budget = new EntryBudget(options.maxEntries, 'folder');
  for await (const { relPath, symlink } of walk(realRoot, '', budget)) {
    const key = relPath;
    const absolute = join(realRoot, ...relPath.split('/'));
    if (symlink && !(await insideRoot(realRoot, absolute))) {
      yield {
        problem: {
          key,
          location: relPath,
          code: 'BAD_INPUT',
          message: `${relPath} is a symbolic link to a file outside the folder; it is not followed.`,
        },
      };
      continue;
    }
    yield {
      item: {
        key,
        location: relPath,
        subjectId: null,
        sourceLink: null,
        metadata: {},
        read: async () => {
          // Re-checked at read time: the link may have changed since the listing.
          if (!(await insideRoot(realRoot, absolute))) {
            throw new FaceLedgerError(
              'BAD_INPUT',
              `${relPath} now points outside the folder; it is not read.`,
            );
          }
          return readFileCapped(absolute, options.maxImageBytes, relPath);
        },
      },
    };
  }
}

interface Found {
  /** Forward slashes, relative to the root. */
  relPath: string;
  symlink: boolean;
}

async function* walk(dir: string, prefix: string, budget: EntryBudget): AsyncGenerator<Found> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw fileError(err, prefix ? `The folder ${prefix}` : `The folder ${dir}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    budget.take();
    const relPath = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      yield* walk(join(dir, entry.name), relPath, budget);
    } else if (isImageName(entry.name)) {
      if (entry.isFile()) {
        yield { relPath, symlink: false };
      } else if (entry.isSymbolicLink()) {
        // Follow only links to regular files; dangling links and links to folders are left out.
        const target = await stat(join(dir, entry.name)).catch(() => null);
        if (target?.isFile()) yield { relPath, symlink: true };
      }
    }
  }
}

async function insideRoot(realRoot: string, absolute: string): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    return true; // missing: let the read report NOT_FOUND
  }
  const rel = relative(realRoot, real);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
