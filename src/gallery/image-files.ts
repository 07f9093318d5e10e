import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { folderSource } from './sources/folder-source.js';
import { DEFAULT_SOURCE_OPTIONS } from './sources/source-item.js';

/**
 * Expands each input into image files: a file stays as given (its type is judged when decoded, so a
 * mislabelled file gets a clear error); a folder yields its images as ingest walks them (same order,
 * same hidden-file rule), skipping links that lead outside it.
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
    if (!info.isDirectory()) {
      yield input;
      continue;
    }
    for await (const entry of folderSource(input, DEFAULT_SOURCE_OPTIONS).entries())
      if ('item' in entry) yield join(input, entry.item.location);
  }
}
