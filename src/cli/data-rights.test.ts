import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { lfw, lfwFolder } from '../testing/fixtures.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

function cli(data: string, args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, '--data', data, '--workers', '1', ...args], {
    encoding: 'utf8',
    env: { ...process.env, USER: 'tester', USERNAME: 'tester' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function query<T>(data: string, sql: string): T[] {
  const db = new Database(join(data, 'faceledger.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('data-subject rights at the CLI', () => {
  it('opts out, suppresses at ingest, erases and runs retention, audited as cli:<user>', {
    timeout: 120_000,
  }, () => {
    const root = mkdtempSync(join(tmpdir(), 'fl-rights-cli-'));
    const data = join(root, 'data');
    const first = join(root, 'first');
    const second = join(root, 'second');
    mkdirSync(first);
    mkdirSync(second);
    lfwFolder(first, { Colin_Powell: [1, 2], Tony_Blair: [1] });
    lfwFolder(second, { Colin_Powell: [7], Tony_Blair: [2] });

    assert.equal(
      cli(data, ['gallery', 'create', 'g', '--legal-basis', 'test', '--retention', '30d']).code,
      0,
    );
    assert.equal(cli(data, ['ingest', first, '--gallery', 'g']).code, 0);

    const added = cli(data, ['--json', 'optout', 'add', lfw('Colin_Powell', 5)]);
    assert.equal(added.code, 0, added.stderr);
    const receipt = JSON.parse(added.stdout);
    assert.deepEqual(receipt.removed, { galleries: 1, images: 2, faces: 2 });
    const status = cli(data, ['--json', 'optout', 'status', receipt.confirmationCode]);
    assert.equal(JSON.parse(status.stdout).active, true);
    const text = cli(data, ['optout', 'add', lfw('Colin_Powell', 6)]);
    assert.match(text.stdout, /Confirmation code \(shown once\): [0-9A-Z]{5}-/);
    // Entered by the operator (identity checked): confirmed at once, so no longer open to review.
    const list = JSON.parse(cli(data, ['--json', 'optout', 'list']).stdout);
    assert.equal(list.total, 2);
    assert.deepEqual(
      list.items.map((r: { state: string }) => r.state),
      ['confirmed', 'confirmed'],
    );
    const reject = cli(data, ['optout', 'reject', list.items[0].id, '--reason', 'not theirs']);
    assert.notEqual(reject.code, 0);
    assert.match(reject.stderr, /already decided/);

    const ingest = cli(data, ['--json', 'ingest', second, '--gallery', 'g']);
    assert.equal(ingest.code, 0, ingest.stderr);
    const job = JSON.parse(ingest.stdout).job;
    assert.equal(job.facesFiltered.suppressed, 1);
    assert.equal(job.imagesEnrolled, 1);
    const shown = cli(data, ['jobs', 'show', job.id]);
    assert.match(shown.stdout, /opted out \(suppressed\): 1/);
    assert.equal(
      JSON.parse(cli(data, ['--json', 'jobs', 'show', job.id]).stdout).job.facesFiltered.suppressed,
      1,
    );

    const [blair] = query<{ id: string }>(
      data,
      "SELECT id FROM images WHERE location LIKE 'Tony_Blair_0001%'",
    );
    assert.ok(blair);
    const erased = cli(data, ['--json', 'image', 'delete', blair.id, '--reason', 'wrongly-ingested']);
    assert.equal(erased.code, 0, erased.stderr);
    assert.equal(JSON.parse(erased.stdout).erased.imagesRemoved, 1);
    const refused = cli(data, ['image', 'delete', blair.id, '--reason', 'whim']);
    assert.notEqual(refused.code, 0);

    const retention = cli(data, ['--json', 'retention', 'run']);
    assert.equal(retention.code, 0, retention.stderr);
    const report = JSON.parse(retention.stdout);
    assert.deepEqual([report.galleries, report.failures], [[], []], 'nothing is 30 days old yet');
    assert.deepEqual(
      report.optOuts,
      { confirmed: 0, galleries: 0, images: 0, faces: 0 },
      'no request is held',
    );

    const audit = query<{ actor: string; type: string; details: string }>(
      data,
      "SELECT actor, type, details FROM audit_entries WHERE type = 'erasure' ORDER BY seq",
    );
    assert.ok(audit.length >= 4);
    assert.ok(audit.every((e) => e.actor === 'cli:tester'));
    assert.equal(JSON.parse(audit.at(-1)?.details ?? '{}').reason, 'wrongly-ingested');

    const gone = cli(data, ['--json', 'gallery', 'delete', 'g', '--yes']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.deepEqual(query(data, 'SELECT id FROM galleries'), []);
  });
});
