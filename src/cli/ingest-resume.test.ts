import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DATASETS, lfwFolder } from '../testing/fixtures.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

function cli(data: string, args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, '--data', data, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every enrolled face by content: image hash, face number and box, sorted. */
function faceSet(data: string): string[] {
  const db = new Database(join(data, 'faceledger.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT i.sha256, f.face_index, f.box FROM faces f JOIN images i ON i.id = f.image_id ORDER BY 1, 2',
      )
      .all() as { sha256: string; face_index: number; box: string }[];
    return rows.map((r) => `${r.sha256}/${r.face_index}/${r.box}`);
  } finally {
    db.close();
  }
}

function settledItems(data: string): number {
  const path = join(data, 'faceledger.db');
  if (!existsSync(path)) return 0;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM ingest_items').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // the schema may not exist yet
  }
}

/** Starts an ingest and SIGKILLs it once at least `after` items are settled; resolves when it is dead. */
function ingestAndKill(
  data: string,
  photos: string,
  after: number,
): Promise<{ killedAt: number; finished: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, '--data', data, 'ingest', photos, '--gallery', 'g'], {
      stdio: 'ignore',
    });
    let killedAt = -1;
    const timer = setInterval(() => {
      const n = settledItems(data);
      if (n >= after && killedAt < 0) {
        killedAt = n;
        child.kill('SIGKILL');
      }
    }, 15);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ killedAt, finished: code === 0 });
    });
  });
}

describe('ingest after kill -9', () => {
  it('resumes to exactly the faces of an uninterrupted run', { timeout: 240_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'fl-resume-'));
    const photos = join(root, 'photos');
    mkdirSync(photos);
    const names = readFileSync(join(DATASETS, 'lfw', 'lfw-names.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/))
      .filter(([, n]) => Number(n) >= 2)
      .slice(0, 60)
      .map(([name]) => name as string);
    lfwFolder(photos, Object.fromEntries(names.map((n) => [n, [1, 2]])));

    const reference = join(root, 'reference');
    assert.equal(cli(reference, ['gallery', 'create', 'g', '--legal-basis', 'test']).code, 0);
    const full = cli(reference, ['ingest', photos, '--gallery', 'g']);
    assert.equal(full.code, 0, full.stderr);
    const expected = faceSet(reference);
    assert.ok(expected.length >= 120);

    const interrupted = join(root, 'interrupted');
    assert.equal(cli(interrupted, ['gallery', 'create', 'g', '--legal-basis', 'test']).code, 0);
    const kills = [];
    for (const at of [3, 40, 85]) kills.push(await ingestAndKill(interrupted, photos, at));
    assert.ok(
      kills.some((k) => k.killedAt >= 0 && !k.finished),
      `no run was killed mid-ingest: ${JSON.stringify(kills)}`,
    );
    const resumed = cli(interrupted, ['--json', 'ingest', photos, '--gallery', 'g']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).job.status, 'done');

    assert.deepEqual(faceSet(interrupted), expected, 'same faces, none lost, none duplicated');
    const doctor = cli(interrupted, ['--json', 'doctor']);
    assert.equal(doctor.code, 0, doctor.stdout);
    const jobs = JSON.parse(cli(interrupted, ['--json', 'jobs', 'list']).stdout).jobs;
    assert.equal(jobs.length, 1, 'the killed job was resumed, not restarted');
    assert.equal(jobs[0].itemsDone, 120);
  });
});
