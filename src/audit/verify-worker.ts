/**
 * The worker thread behind OffThreadVerifier: opens its own read-only connection to the database file,
 * runs verifyLog (the very code AuditLog.verify runs) and posts the report, or the error, back.
 */
import { createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { asFaceLedgerError } from '../core/errors.js';
import { verifyLog } from './verify-log.js';
import type { VerifyWorkerData, VerifyWorkerReply } from './verify-off-thread.js';

parentPort?.postMessage(run(workerData as VerifyWorkerData));

function run(data: VerifyWorkerData): VerifyWorkerReply {
  let db: Database.Database | undefined;
  try {
    // Read-only, so the checker can never write to the log it checks; WAL lets it read while the
    // server's connection goes on appending.
    const conn = new Database(data.dbPath, { readonly: true, fileMustExist: true });
    db = conn;
    conn.pragma('busy_timeout = 10000');
    const publicKeys = data.publicKeysPem.map((pem) => createPublicKey({ key: pem, format: 'pem' }));
    // On the main thread nothing can append between the checkpoint load, the walk and the diagnosis;
    // here the server can, so all three read one snapshot. It starts at the first query, after the
    // witness is read, so the witness never claims more than the snapshot holds.
    const report = conn.transaction(() =>
      verifyLog(conn, {
        ...(data.orgId !== null ? { orgId: data.orgId } : {}),
        publicKeys,
        witnessPath: data.witnessPath ?? undefined,
      }),
    )();
    return { report };
  } catch (err) {
    return { error: asFaceLedgerError(err).toJSON() };
  } finally {
    db?.close();
  }
}
