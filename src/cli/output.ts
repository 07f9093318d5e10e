import { asFaceLedgerError } from '../core/errors.js';
import { exitCodeFor } from './exit-codes.js';

export interface OutputMode {
  json: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Reports an error the way the mode asks and sets the exit code; never prints a stack trace. */
export function reportError(err: unknown, mode: OutputMode): void {
  const e = asFaceLedgerError(err);
  if (mode.json) printJson({ error: e.toJSON() });
  else process.stderr.write(`faceledger: ${e.message} [${e.code}]\n`);
  process.exitCode = exitCodeFor(e.code);
}
