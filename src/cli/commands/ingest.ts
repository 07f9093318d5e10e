import type { Command } from 'commander';
import {
  DEFAULT_QUALITY_FILTER,
  NO_QUALITY_FILTER,
  type QualityFilter,
} from '../../gallery/ingest/quality-filter.js';
import type { IngestJob } from '../../gallery/store/records.js';
import { GalleryService } from '../../services/gallery-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { withIngestProgress } from '../ingest-progress.js';
import { nonNegative } from '../option-parsers.js';
import { printJson } from '../output.js';

export function registerIngest(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ingest')
    .description(
      'Enrol every face of a folder, .zip, .tar(.gz) or manifest (.csv/.jsonl) into a gallery. ' +
        'Safe to interrupt: running the same command again resumes the job.',
    )
    .argument('<source>', 'folder, archive or manifest')
    .requiredOption('--gallery <name>', 'the gallery to enrol into')
    .option('--min-score <n>', 'quality filter: lowest detector score', nonNegative('--min-score'))
    .option(
      '--min-eye-distance <px>',
      'quality filter: smallest eye-to-eye distance in pixels',
      nonNegative('--min-eye-distance'),
    )
    .option(
      '--min-sharpness <n>',
      'quality filter: lowest sharpness (Laplacian variance)',
      nonNegative('--min-sharpness'),
    )
    .option('--max-yaw <deg>', 'quality filter: largest head turn in degrees', nonNegative('--max-yaw'))
    .option('--no-quality-filter', 'enrol every detected face')
    .action(async (source: string, opts: IngestOptions) => {
      const options = globals();
      const quality = qualityFrom(opts);
      const job = await withApp(options, (app) =>
        withIngestProgress((hooks) =>
          new GalleryService(app).ingest({
            gallery: opts.gallery,
            source,
            createdBy: cliActor(),
            quality,
            ...hooks,
          }),
        ),
      );
      if (options.json) {
        printJson({ job });
        return;
      }
      console.log(
        `Job ${job.id} ${job.status}: ${job.imagesEnrolled} images and ${job.facesEnrolled} faces enrolled, ` +
          `${job.duplicates} duplicates, ${job.noFace} without a usable face, ${job.errors} errors.`,
      );
      for (const line of leftOutLines(job)) console.log(line);
      if (job.errors + job.noFace > 0) console.log(`See the report: faceledger jobs show ${job.id}`);
    });

  const jobs = program.command('jobs').description('Ingest jobs and their reports.');
  jobs
    .command('list')
    .option('--gallery <name>')
    .action(async (opts: { gallery?: string }) => {
      const options = globals();
      const list = await withApp(options, (app) => new GalleryService(app).jobs(opts.gallery));
      if (options.json) printJson({ jobs: list });
      else
        for (const j of list) {
          console.log(
            `${j.id}  ${j.status.padEnd(7)} ${j.startedAt}  ${j.itemsDone} items, ${j.facesEnrolled} faces  ${j.source}`,
          );
        }
    });
  jobs
    .command('show')
    .argument('<id>')
    .description('A job with every item that failed or held no usable face.')
    .action(async (id: string) => {
      const options = globals();
      const report = await withApp(options, (app) => new GalleryService(app).job(id));
      if (options.json) {
        printJson(report);
        return;
      }
      const j = report.job;
      console.log(`Job ${j.id} (${j.status}) from ${j.source}`);
      console.log(
        `  ${j.itemsDone} items: ${j.imagesEnrolled} enrolled (${j.facesEnrolled} faces), ${j.duplicates} duplicates, ${j.noFace} no face, ${j.errors} errors`,
      );
      for (const line of leftOutLines(j)) console.log(`  ${line}`);
      for (const p of report.problems)
        console.log(`  ${p.outcome.padEnd(7)} ${p.location}: ${p.errorMessage ?? ''} [${p.errorCode ?? ''}]`);
    });
}

/** Faces detected but not enrolled: by the quality filter, or because the person opted out. */
function leftOutLines(job: IngestJob): string[] {
  const { suppressed, ...quality } = job.facesFiltered;
  const lines: string[] = [];
  const reasons = Object.entries(quality);
  if (reasons.length)
    lines.push(`Faces left out by the quality filter: ${reasons.map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  if (suppressed) lines.push(`Faces not enrolled because the person opted out (suppressed): ${suppressed}.`);
  return lines;
}

interface IngestOptions {
  gallery: string;
  minScore?: number;
  minEyeDistance?: number;
  minSharpness?: number;
  maxYaw?: number;
  qualityFilter: boolean;
}

function qualityFrom(opts: IngestOptions): QualityFilter {
  const base = opts.qualityFilter ? DEFAULT_QUALITY_FILTER : NO_QUALITY_FILTER;
  return {
    minDetectorScore: opts.minScore ?? base.minDetectorScore,
    minInterocularPx: opts.minEyeDistance ?? base.minInterocularPx,
    minSharpness: opts.minSharpness ?? base.minSharpness,
    maxAbsYawDeg: opts.maxYaw ?? base.maxAbsYawDeg,
  };
}
