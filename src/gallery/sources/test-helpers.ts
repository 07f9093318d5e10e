/** Shared by the tests of this folder only. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { FaceLedgerError } from '../../core/errors.js';
import type { IngestSource, SourceEntry, SourceItem, SourceProblem } from './source-item.js';

const made: string[] = [];
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A fresh temp folder, removed when the test file ends. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `faceledger-${prefix}-`));
  made.push(dir);
  return dir;
}

export async function collect(source: IngestSource): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  for await (const entry of source.entries()) out.push(entry);
  return out;
}

export function items(entries: SourceEntry[]): SourceItem[] {
  return entries.flatMap((e) => ('item' in e ? [e.item] : []));
}

export function problems(entries: SourceEntry[]): SourceProblem[] {
  return entries.flatMap((e) => ('problem' in e ? [e.problem] : []));
}

export function keys(entries: SourceEntry[]): string[] {
  return entries.map((e) => ('item' in e ? e.item.key : `!${e.problem.key}`));
}

/** Asserts a FaceLedgerError with `code`, optionally with a message matching `pattern`. */
export async function rejectsWith(
  promise: Promise<unknown> | (() => Promise<unknown>),
  code: string,
  pattern?: RegExp,
): Promise<FaceLedgerError> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof FaceLedgerError, `expected a FaceLedgerError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}
