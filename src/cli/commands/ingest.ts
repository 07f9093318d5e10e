import type { Command } from 'commander';
import { GalleryService } from '../../services/gallery-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { withIngestProgress } from '../ingest-progress.js';
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
    .action(async (source: string, opts: { gallery: string }) => {
      const options = globals();
      const job = await withApp(options, (app) =>
        withIngestProgress((hooks) =>
          new GalleryService(app).ingest({ gallery: opts.gallery, source, createdBy: cliActor(), ...hooks }),
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
      const filtered = Object.entries(job.facesFiltered);
      if (filtered.length)
        console.log(
          `Faces left out by the quality filter: ${filtered.map(([k, v]) => `${k} ${v}`).join(', ')}.`,
        );
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
      for (const p of report.problems)
        console.log(`  ${p.outcome.padEnd(7)} ${p.location}: ${p.errorMessage ?? ''} [${p.errorCode ?? ''}]`);
    });
}
