/**
 * A copy of the latest signed checkpoint kept outside the database (typically beside the signing key).
 * Checkpoints inside the database can be deleted together with the tail they cover; the witness
 * cannot be reached that way, so `verify` still notices a truncated or rewritten tail.
 * The witness is only written after the checkpoint's transaction has committed, so it never claims
 * more than the database holds.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FaceLedgerError } from '../core/errors.js';
import { type CheckpointRecord, checkpointRecordSchema } from './audit-schema.js';

/**
 * Atomically replaces the witness file with `checkpoint`, unless it already holds a later one (another
 * process may have committed and witnessed a newer checkpoint in the meantime).
 */
export function writeCheckpointWitness(path: string, checkpoint: CheckpointRecord): void {
  let current: CheckpointRecord | null = null;
  try {
    current = readCheckpointWitness(path);
  } catch {
    // An unreadable witness is replaced.
  }
  if (current && current.seq > checkpoint.seq) return;
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(checkpoint)}\n`, { mode: 0o644 });
  renameSync(temp, path);
}

/** The witnessed checkpoint, or null when there is no witness file yet. Throws on an unreadable one. */
export function readCheckpointWitness(path: string): CheckpointRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new FaceLedgerError('INTERNAL', `cannot read audit checkpoint witness ${path}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new FaceLedgerError('INTERNAL', `audit checkpoint witness ${path} is not JSON`, { cause });
  }
  const parsed = checkpointRecordSchema.safeParse(raw);
  if (!parsed.success) throw new FaceLedgerError('INTERNAL', `audit checkpoint witness ${path} is malformed`);
  return parsed.data;
}
