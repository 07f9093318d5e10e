/**
 * Audit-chain verification, on the event loop and in the worker the server uses, side by side on one
 * log: a real app (SQLite file, Ed25519 checkpoints every 100 entries, witness in the key folder) with
 * N entries spread over the platform and several orgs. For the worker it also records the longest gap
 * between 1 ms timer ticks while the check runs — what other requests would wait. Prints JSON on
 * stdout (also written to bench/results/audit-verify.json) and a one-line summary on stderr.
 *
 *   npm run build && node dist/bench/audit-verify/run.js [--entries 1000000]
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sampleEvent } from '../../src/audit/audit-fixtures.js';
import { FaceLedgerApp } from '../../src/services/app.js';

const { values: args } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    out: { type: 'string', default: 'bench/results/audit-verify.json' },
  },
});
const entries = Number(args.entries);
assert.ok(Number.isInteger(entries) && entries > 0, '--entries must be a positive whole number');
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const dir = mkdtempSync(join(tmpdir(), 'fl-bench-audit-'));
const app = FaceLedgerApp.open({ dataDir: join(dir, 'data'), keyDir: join(dir, 'keys'), env: {} });
try {
  log(`appending ${entries.toLocaleString()} entries…`);
  const appendStart = performance.now();
  const BATCH = 10_000;
  for (let done = 0; done < entries; done += BATCH) {
    app.store.transaction(() => {
      for (let i = done; i < Math.min(entries, done + BATCH); i++) app.audit.append(sampleEvent(i));
    });
  }
  app.audit.checkpoint();
  const appendSeconds = (performance.now() - appendStart) / 1000;
  app.store.db.pragma('wal_checkpoint(TRUNCATE)');

  log('verifying on the event loop…');
  const syncStart = performance.now();
  const sync = app.audit.verify();
  const syncMs = performance.now() - syncStart;
  assert.equal(sync.ok, true, 'the fresh log verifies');

  log('verifying in the worker…');
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 1);
  const workerStart = performance.now();
  const offThread = await app.audit.verifyOffThread();
  const workerMs = performance.now() - workerStart;
  clearInterval(timer);
  assert.deepEqual(offThread, sync, 'the worker reports exactly what the event loop does');

  const result = {
    date: new Date().toISOString(),
    entries: sync.checked,
    checkpoints: sync.checkpoints.total,
    databaseBytes: statSync(join(app.dataDir, 'faceledger.db')).size,
    appendSeconds: Number(appendSeconds.toFixed(1)),
    eventLoop: {
      ms: Math.round(syncMs),
      microsecondsPerEntry: Number(((syncMs * 1000) / sync.checked).toFixed(2)),
    },
    worker: {
      ms: Math.round(workerMs),
      longestEventLoopGapMs: Number(maxGapMs.toFixed(1)),
      timerTicks: ticks,
    },
  };
  mkdirSync(dirname(args.out as string), { recursive: true });
  writeFileSync(args.out as string, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  log(
    `audit verify of ${result.entries.toLocaleString()} entries: event loop ${result.eventLoop.ms} ms ` +
      `(blocked throughout), worker ${result.worker.ms} ms with the longest event-loop gap ` +
      `${result.worker.longestEventLoopGapMs} ms`,
  );
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
