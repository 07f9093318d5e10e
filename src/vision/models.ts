import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FaceLedgerError } from '../core/errors.js';
import { sharedDir } from '../core/project-paths.js';

export const MODELS_ENV = 'FACELEDGER_MODELS';

/** The weights we run, pinned by content: a swapped or truncated file must never load silently. */
export const MODEL_FILES = {
  detector: {
    file: 'yunet_n_dynamic.onnx',
    sha256: '104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12',
  },
  embedder: {
    file: 'MobileFaceNet.onnx',
    sha256: 'b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507',
  },
} as const;

export type ModelRole = keyof typeof MODEL_FILES;

export interface ModelPaths {
  dir: string;
  detector: string;
  embedder: string;
}

/** `FACELEDGER_MODELS`, else `../shared/models` next to the project checkout. */
export function resolveModelDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[MODELS_ENV];
  if (fromEnv) return resolve(fromEnv);
  return sharedDir('models');
}

const verified = new Map<string, ModelPaths>();

/** Checks presence and sha256 of every model once per process and folder. */
export function locateModels(dir: string = resolveModelDir()): ModelPaths {
  const cached = verified.get(dir);
  if (cached) return cached;
  const paths = { dir } as ModelPaths;
  for (const role of Object.keys(MODEL_FILES) as ModelRole[]) {
    const { file, sha256 } = MODEL_FILES[role];
    const path = join(dir, file);
    if (!existsSync(path)) {
      throw new FaceLedgerError(
        'MODEL_MISSING',
        `Model file ${file} (${role}) is missing from ${dir}. Put it there or set ${MODELS_ENV} to the folder that holds it.`,
      );
    }
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (actual !== sha256) {
      throw new FaceLedgerError(
        'MODEL_CORRUPT',
        `Model file ${path} has sha256 ${actual}, expected ${sha256}: the file is damaged or not the pinned version.`,
      );
    }
    paths[role] = path;
  }
  verified.set(dir, paths);
  return paths;
}
