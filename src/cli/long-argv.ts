import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * onnxruntime-node 1.30 segfaults creating a session when the process command line exceeds ~28 KB
 * (models MANIFEST), even inside worker threads. A long command line is therefore handed to a child
 * process through file descriptor 3, so the process that loads the models has a short one.
 */
const LIMIT_BYTES = 16 * 1024;
const FLAG = '--argv-from-fd3';

export function commandLineBytes(argv: readonly string[]): number {
  return argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
}

/** The user's arguments (after `node script`), recovered from fd 3 when this process is the child. */
export function userArguments(argv: readonly string[] = process.argv): string[] {
  if (argv[2] === FLAG) return JSON.parse(readFileSync(3, 'utf8')) as string[];
  return argv.slice(2);
}

export function needsDelegation(argv: readonly string[] = process.argv): boolean {
  return argv[2] !== FLAG && commandLineBytes(argv) > LIMIT_BYTES;
}

/** Re-runs this script with the same arguments passed through fd 3; resolves with the child's exit code. */
export function delegateToChild(argv: readonly string[] = process.argv): Promise<number> {
  const [node, script] = argv;
  if (!node || !script) return Promise.resolve(1);
  const child = spawn(node, [...process.execArgv, script, FLAG], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
  });
  const channel = child.stdio[3] as NodeJS.WritableStream;
  channel.end(JSON.stringify(argv.slice(2)));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 9 : 1)));
  });
}
