/**
 * Test helpers for the audit room: databases with the audit tables (same pragmas as the app's
 * connection), a controllable clock, and deterministic sample events. Used by tests and the
 * concurrency worker only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { AuditEvent } from './audit-event.js';
import { AUDIT_MIGRATION } from './audit-schema.js';
import { sha256Hex } from './canonical.js';

export type Db = Database.Database;

/** A connection with the settings of gallery/store/database.ts, no migrations. */
export function connect(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  return db;
}

/** A fresh database with the audit tables, as AUDIT_MIGRATION creates them. */
export function openAuditDb(path = ':memory:'): Db {
  const db = connect(path);
  db.exec(AUDIT_MIGRATION.sql);
  return db;
}

const madeDirs: string[] = [];

/** A scratch folder, removed when the test process exits (tests leave their files open until then). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faceledger-audit-'));
  if (madeDirs.length === 0)
    process.once('exit', () => {
      for (const d of madeDirs) rmSync(d, { recursive: true, force: true });
    });
  madeDirs.push(dir);
  return dir;
}

export class FakeClock implements Clock {
  #ms: number;

  constructor(start = '2025-01-01T00:00:00.000Z') {
    this.#ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    this.#ms += ms;
  }

  advanceDays(days: number): void {
    this.advance(days * 24 * 60 * 60 * 1000);
  }
}

export const ORGS = ['org-alpha', 'org-bravo', 'org-charlie'] as const;

/** Entry i (seq i+1 in a fresh log) belongs to no org when i % 4 === 0, else to ORGS[i % 4 - 1]. */
export function orgFor(i: number): string | null {
  return i % 4 === 0 ? null : (ORGS[(i % 4) - 1] ?? null);
}

export function searchEvent(orgId: string, i: number, actorId = `user:u${i % 7}`): AuditEvent {
  return {
    type: 'search.run',
    orgId,
    actor: actorId,
    details: {
      searchId: `s-${i}`,
      caseNumber: `CASE-${1000 + (i % 13)}`,
      purpose: 'identify suspect in robbery',
      galleries: ['g-mugshots', `g-${i % 3}`],
      probeSha256: sha256Hex(`probe ${i}`),
      resultCount: i % 20,
      topSimilarity: i % 20 === 0 ? null : 0.5 + (i % 40) / 100,
      outcome: 'ok',
    },
  };
}

/** A varied, deterministic stream of events across ORGS plus platform events. */
export function sampleEvent(i: number): AuditEvent {
  const orgId = orgFor(i);
  if (orgId === null) {
    return i % 8 === 0
      ? {
          type: 'config.changed',
          orgId: null,
          actor: 'cli:root',
          details: { changes: [{ key: 'search.topK', from: '10', to: String(i) }] },
        }
      : {
          type: 'auth.login.failed',
          orgId: null,
          actor: 'system',
          details: { userId: null, usernameSha256: sha256Hex(`who${i}`), reason: 'unknown-user' },
        };
  }
  switch (i % 3) {
    case 0:
      return searchEvent(orgId, i);
    case 1:
      return {
        type: 'auth.login.ok',
        orgId,
        actor: `user:u${i % 7}`,
        details: { userId: `u${i % 7}`, method: 'password+mfa' },
      };
    default:
      return {
        type: 'search.result.viewed',
        orgId,
        actor: `apikey:k${i % 5}`,
        details: { searchId: `s-${i - 2}`, galleryId: 'g-mugshots', faceId: `f-${i}`, rank: 1 + (i % 10) },
      };
  }
}
