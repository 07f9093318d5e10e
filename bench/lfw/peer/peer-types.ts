/** One image's outcome on the peer side; also the line format of the JSONL cache. */
export interface PeerResult {
  file: string;
  descriptor: number[] | null;
  ms: number;
  lowConfidenceRetry: boolean;
  error?: string;
}

/** What the main thread posts to a worker: a list of absolute image paths. */
export interface PeerTask {
  files: string[];
}

// The cache is read back from disk and worker replies cross a thread boundary, so both are checked, not trusted.
export function isPeerResult(value: unknown): value is PeerResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const descriptorOk =
    r.descriptor === null ||
    (Array.isArray(r.descriptor) && r.descriptor.every((x: unknown) => typeof x === 'number'));
  return (
    typeof r.file === 'string' &&
    descriptorOk &&
    typeof r.ms === 'number' &&
    typeof r.lowConfidenceRetry === 'boolean' &&
    (r.error === undefined || typeof r.error === 'string')
  );
}
