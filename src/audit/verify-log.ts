/**
 * One verification of the audit log exactly as `AuditLog.verify` runs it: the chains and checkpoints
 * (verify.ts) plus the witness copy kept outside the database. The verify worker calls this same
 * function over its own connection, so the answer cannot depend on which thread gave it.
 */
import type { KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CheckpointRecord } from './audit-schema.js';
import { readCheckpointWitness } from './checkpoint-witness.js';
import { type VerifyReport, verifyAuditChain } from './verify.js';

export interface VerifyLogOptions {
  /** Verify one org's chain only; absent: the global chain and every org chain. */
  orgId?: string;
  /** Keys whose checkpoint signatures count (current and rotated-out). */
  publicKeys: readonly KeyObject[];
  /** The checkpoint witness file, when the log keeps one (see checkpoint-witness.ts). */
  witnessPath?: string | undefined;
}

export function verifyLog(db: Database.Database, options: VerifyLogOptions): VerifyReport {
  let witness: CheckpointRecord | null = null;
  let witnessProblem: string | undefined;
  try {
    witness = options.witnessPath ? readCheckpointWitness(options.witnessPath) : null;
  } catch (err) {
    witnessProblem = err instanceof Error ? err.message : String(err);
  }
  const report = verifyAuditChain(db, {
    ...(options.orgId !== undefined ? { orgId: options.orgId } : {}),
    publicKeys: options.publicKeys,
    witness,
  });
  if (witnessProblem && report.ok) {
    // The copy kept outside the database is damaged: it can no longer vouch for the tail.
    report.ok = false;
    report.firstBad = {
      reason: 'bad-signature',
      seq: null,
      id: null,
      orgId: null,
      orgSeq: null,
      message: witnessProblem,
    };
  }
  return report;
}
