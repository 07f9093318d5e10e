/** Worker for the concurrency test: appends `count` searches for `orgId` through its own connection. */
import { workerData } from 'node:worker_threads';
import { systemClock } from '../core/clock.js';
import { connect, searchEvent } from './audit-fixtures.js';
import { AuditLog } from './audit-log.js';
import { loadSigningKey } from './checkpoint-signer.js';

const { dbPath, keyPath, orgId, count } = workerData as {
  dbPath: string;
  keyPath: string;
  orgId: string;
  count: number;
};
const db = connect(dbPath);
const log = new AuditLog(db, systemClock, loadSigningKey(keyPath), { checkpointEvery: 40 });
for (let i = 0; i < count; i++) log.append(searchEvent(orgId, i));
db.close();
