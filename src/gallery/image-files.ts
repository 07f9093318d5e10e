import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif']);

/**
 * Expands each input into image files: a file stays as given (its type is judged when decoded, so a
 * mislabelled file gets a clear error), a folder yields its images recursively in a stable sorted order.
 */
export async function* expandImageInputs(
  inputs: Iterable<string> | AsyncIterable<string>,
): AsyncGenerator<string> {
  for await (const input of inputs) {
    let info: Awaited<ReturnType<typeof stat>> | undefined;
    try {
      info = await stat(input);
    } catch {
      // Missing paths are passed through so the caller reports NOT_FOUND for that item and goes on.
      yield input;
      continue;
    }
    if (info.isDirectory()) yield* walk(input);
    else yield input;
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile() && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) yield path;
  }
}
