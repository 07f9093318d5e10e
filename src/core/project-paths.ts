import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root (the folder with package.json), found from this file so it works from src/ and dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** `../shared/<name>` beside the checkout: where models and data sets live, never inside the project. */
export function sharedDir(name: string): string {
  return resolve(projectRoot(), '..', 'shared', name);
}
