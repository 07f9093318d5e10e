import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LfwPair {
  fold: number;
  same: boolean;
  a: string;
  b: string;
}

export function lfwImagePath(root: string, name: string, index: number): string {
  return join(root, 'lfw', name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

/**
 * View 2 (`pairs.txt`: `10\t300`, then per fold 300 same-person and 300 different-person lines) or a
 * View 1 development file (`pairsDevTrain.txt`: a single count, one fold).
 */
export function readPairs(root: string, file = 'pairs.txt'): LfwPair[] {
  const lines = readFileSync(join(root, file), 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/).map(Number);
  const [folds, perHalf] = header.length === 1 ? [1, header[0]] : header;
  if (!folds || !perHalf) throw new Error('pairs.txt: bad header');
  const pairs: LfwPair[] = [];
  let line = 1;
  for (let fold = 0; fold < folds; fold++) {
    for (let k = 0; k < 2 * perHalf; k++) {
      const cols = (lines[line++] ?? '').trim().split(/\s+/);
      if (cols.length === 3) {
        const [name, i, j] = cols as [string, string, string];
        pairs.push({ fold, same: true, a: lfwImagePath(root, name, +i), b: lfwImagePath(root, name, +j) });
      } else if (cols.length === 4) {
        const [n1, i, n2, j] = cols as [string, string, string, string];
        pairs.push({ fold, same: false, a: lfwImagePath(root, n1, +i), b: lfwImagePath(root, n2, +j) });
      } else {
        throw new Error(`pairs.txt line ${line}: expected 3 or 4 columns`);
      }
    }
  }
  return pairs;
}

/** Every LFW image with its person, from lfw-names.txt (name, image count). */
export function readAllImages(root: string): { person: string; path: string }[] {
  const out: { person: string; path: string }[] = [];
  for (const row of readFileSync(join(root, 'lfw-names.txt'), 'utf8').trim().split('\n')) {
    const [name, count] = row.trim().split(/\s+/);
    if (!name || !count) continue;
    for (let i = 1; i <= Number(count); i++) out.push({ person: name, path: lfwImagePath(root, name, i) });
  }
  return out;
}
