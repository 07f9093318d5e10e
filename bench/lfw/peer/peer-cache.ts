import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPeerResult, type PeerResult } from './peer-types.js';

/** Loads a JSONL cache; later lines win so a re-described file replaces its older entry. */
export async function readPeerCache(cacheFile: string): Promise<Map<string, PeerResult>> {
  const byFile = new Map<string, PeerResult>();
  const text = await readTextIfExists(cacheFile);
  for (const line of text.split('\n')) {
    const parsed = parseLine(line);
    if (parsed) byFile.set(parsed.file, parsed);
  }
  return byFile;
}

/** Appends results one line each, in arrival order, so an interrupted run loses at most the unflushed tail. */
export class PeerCacheWriter {
  private constructor(private readonly stream: WriteStream) {}

  static async open(cacheFile: string): Promise<PeerCacheWriter> {
    await mkdir(dirname(cacheFile), { recursive: true });
    const existing = await readTextIfExists(cacheFile);
    const stream = createWriteStream(cacheFile, { flags: 'a' });
    // A run killed mid-write leaves a partial last line; start a fresh line so the next entry stays parseable.
    if (existing.length > 0 && !existing.endsWith('\n')) stream.write('\n');
    return new PeerCacheWriter(stream);
  }

  append(result: PeerResult): void {
    this.stream.write(`${JSON.stringify(result)}\n`);
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

function parseLine(line: string): PeerResult | null {
  if (line.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(line);
    return isPeerResult(value) ? value : null;
  } catch {
    // Only a truncated final line from an interrupted run is expected here; skipping it means that file is redone.
    return null;
  }
}

async function readTextIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
