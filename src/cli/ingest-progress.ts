import type { IngestProgress } from '../gallery/ingest/ingest-job.js';
import { startProgress } from './progress.js';

export interface IngestHooks {
  onTotal: (items: number) => void;
  onProgress: (p: IngestProgress) => void;
}

/** Runs an ingest with a progress display (bar on a terminal, JSON lines otherwise) wired to its hooks. */
export async function withIngestProgress<T>(run: (hooks: IngestHooks) => Promise<T>): Promise<T> {
  const progress = startProgress('ingest', 0, ['faces', 'dupes', 'errors']);
  try {
    return await run({
      onTotal: (n) => progress.setTotal(n),
      onProgress: ({ job }) =>
        progress.tick(1, {
          faces: job.facesEnrolled,
          dupes: job.duplicates,
          errors: job.errors + job.noFace,
        }),
    });
  } finally {
    progress.stop();
  }
}
